package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.netlink.Errno;

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

}
