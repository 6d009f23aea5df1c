package org.offloadbridge.tc.internal;

import java.util.Locale;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.netlink.Errno;

/**
 * The kernel's answer (errno + extack text) to a tc request, as a reason of the project's one
 * vocabulary ({@link Reason}). The errno alone is ambiguous: EOPNOTSUPP on a {@code skip_sw}
 * filter is the device saying no, on a software filter a kernel without the feature; ENOENT on
 * an add is a missing classifier/action module (or an unknown chain), on a delete simply "gone".
 */
public final class KernelReasons {
    private KernelReasons() {}

    /**
     * @param hwRequested the request carried {@code skip_sw} (only the device could take it)
     * @param adding      the request added or replaced a filter (not a get or delete)
     */
    public static Reason of(int errno, String extack, boolean hwRequested, boolean adding) {
        String x = extack == null ? "" : extack.toLowerCase(Locale.ROOT);
        return switch (Errno.of(errno)) {
            case EOPNOTSUPP -> hwRequested ? Reason.DEVICE_REFUSED : Reason.KERNEL_UNSUPPORTED;
            // Drivers refuse offloads with EINVAL as often as with EOPNOTSUPP; the extack says so.
            case EINVAL -> hwRequested && (x.isEmpty() || x.contains("offload") || x.contains("hardware") || x.contains("hw")
                    || x.contains("not supported") || x.contains("unsupported")) ? Reason.DEVICE_REFUSED : Reason.KERNEL_REFUSED;
            case ENOENT -> adding && (x.contains("module") || x.contains("classifier") || x.contains("unknown")) ? Reason.KERNEL_UNSUPPORTED
                    : adding ? Reason.KERNEL_REFUSED : Reason.NOT_FOUND;
            case ENODEV, ENXIO -> Reason.NO_DEVICE;
            case ENOSPC, ENOMEM, ENOBUFS, E2BIG -> Reason.NO_SPACE;
            case EEXIST -> Reason.EXISTS;
            default -> Reason.KERNEL_REFUSED;
        };
    }
}
