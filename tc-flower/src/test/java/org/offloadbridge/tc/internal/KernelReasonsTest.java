package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.tc.TcOutcome;

/** errno + extack → the one reason vocabulary, and tc's older reason names → the vocabulary. */
class KernelReasonsTest {
    private static Reason add(Errno e, String extack, boolean hw) {
        return KernelReasons.of(e.value(), extack, hw, true);
    }

    @Test
    void errnoOnAnAdd() {
        assertEquals(Reason.DEVICE_REFUSED, add(Errno.EOPNOTSUPP, null, true), "skip_sw refused: the device");
        assertEquals(Reason.KERNEL_UNSUPPORTED, add(Errno.EOPNOTSUPP, null, false), "software refused: the kernel");
        assertEquals(Reason.DEVICE_REFUSED, add(Errno.EINVAL, "mlx5_core: can't offload", true));
        assertEquals(Reason.DEVICE_REFUSED, add(Errno.EINVAL, null, true), "EINVAL on skip_sw with no text: the driver");
        assertEquals(Reason.KERNEL_REFUSED, add(Errno.EINVAL, "Invalid mask", false));
        assertEquals(Reason.KERNEL_REFUSED, add(Errno.EINVAL, "Mask does not fit the filter", true), "a text that is not about hardware");
        assertEquals(Reason.KERNEL_UNSUPPORTED, add(Errno.ENOENT, "Unknown action kind", false));
        assertEquals(Reason.KERNEL_UNSUPPORTED, add(Errno.ENOENT, "cls_flower module not loaded", false));
        assertEquals(Reason.KERNEL_REFUSED, add(Errno.ENOENT, "Parent Qdisc doesn't exists", false));
        assertEquals(Reason.NO_DEVICE, add(Errno.ENODEV, null, false));
        assertEquals(Reason.NO_DEVICE, add(Errno.ENXIO, null, true));
        assertEquals(Reason.NO_SPACE, add(Errno.ENOSPC, null, true));
        assertEquals(Reason.NO_SPACE, add(Errno.ENOMEM, null, false));
        assertEquals(Reason.NO_SPACE, add(Errno.ENOBUFS, null, false));
        assertEquals(Reason.NO_SPACE, add(Errno.E2BIG, null, false));
        assertEquals(Reason.EXISTS, add(Errno.EEXIST, null, false));
        assertEquals(Reason.KERNEL_REFUSED, add(Errno.EPERM, null, false), "anything else: refused, the text says why");
    }

    @Test
    void enoentOnADeleteOrGetIsNotFound() {
        assertEquals(Reason.NOT_FOUND, KernelReasons.of(Errno.ENOENT.value(), null, false, false));
        assertEquals(Reason.NOT_FOUND, KernelReasons.of(Errno.ENOENT.value(), "Filter with specified priority/protocol not found", false, false));
    }

    @Test
    void theOlderTcNamesMeanTheVocabularysWords() {
        assertEquals(Reason.UNSUPPORTED_KEY, TcOutcome.Reason.UNSUPPORTED_FIELD);
        assertEquals(Reason.UNSUPPORTED_MASK, TcOutcome.Reason.UNSUPPORTED_MASK);
        assertEquals(Reason.UNSUPPORTED_ACTION, TcOutcome.Reason.UNSUPPORTED_ACTION);
        assertEquals(Reason.USERSPACE_ACTION, TcOutcome.Reason.USERSPACE_ACTION);
        assertEquals(Reason.TOO_MANY_ACTIONS, TcOutcome.Reason.TOO_MANY_ACTIONS);
        assertEquals(Reason.OUT_OF_RANGE, TcOutcome.Reason.OUT_OF_RANGE);
        assertEquals(Reason.NO_DEVICE, TcOutcome.Reason.NO_DEVICE);
        assertEquals(Reason.TC_POLICY, TcOutcome.Reason.POLICY);
        assertEquals(Reason.DEVICE_REFUSED, TcOutcome.Reason.UNSUPPORTED_BY_DEVICE);
        assertEquals(Reason.KERNEL_UNSUPPORTED, TcOutcome.Reason.UNSUPPORTED_BY_KERNEL);
        assertEquals(Reason.NO_SPACE, TcOutcome.Reason.NO_SPACE);
        assertEquals(Reason.EXISTS, TcOutcome.Reason.EXISTS);
        assertEquals(Reason.NOT_FOUND, TcOutcome.Reason.NOT_FOUND);
        assertEquals(Reason.KERNEL_REFUSED, TcOutcome.Reason.INVALID);
        assertEquals(Reason.KERNEL_REFUSED, TcOutcome.Reason.OTHER);
        assertEquals(Reason.NONE, TcOutcome.Reason.NONE);
    }
}
