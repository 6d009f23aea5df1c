package org.offloadbridge.tc;

/**
 * What became of one tc operation: where the flow really landed, or precisely why it did not.
 * Never thrown — refusals and kernel errors are values, so a batch reports each flow on its
 * own and the caller can fall back to the DPDK path flow by flow.
 *
 * @param status    {@link Status#OK}, {@link Status#REFUSED} (nothing was sent to the kernel) or
 *                  {@link Status#FAILED} (the kernel said no; nothing of it is left installed)
 * @param reason    why it was refused or failed; {@link Reason#NONE} when OK
 * @param detail    human text naming the field, action, device or the kernel's words
 * @param id        the filter's identity when OK (or for get/delete: the one acted on), else null
 * @param inHw      the kernel's echo said {@code in_hw}
 * @param inHwCount how many devices hold it ({@code TCA_FLOWER_IN_HW_COUNT})
 * @param skipSw    installed with {@code skip_sw}
 * @param skipHw    installed with {@code skip_hw}
 * @param errno     the kernel's errno (positive) when FAILED, else 0
 * @param extack    the kernel's extended-ack text when it sent one, else null
 * @param fellBack  a {@link OffloadPreference#PREFERRED} flow whose hardware attempt failed
 *                  and that landed in software instead
 */
public record TcOutcome(Status status, Reason reason, String detail, TcFilterId id, boolean inHw, int inHwCount,
                        boolean skipSw, boolean skipHw, int errno, String extack, boolean fellBack) {

    public enum Status { OK, REFUSED, FAILED }

    /** Typed reasons; the first group is found before any kernel call, the second is the kernel's answer. */
    public enum Reason {
        NONE,
        /** A matched field flower has no key for (ND, ipv6_label, ct_*, skb_mark, ...). */
        UNSUPPORTED_FIELD,
        /** A field flower has but not with this mask (e.g. a partial VLAN id, a partial ip_proto). */
        UNSUPPORTED_MASK,
        /** An action with no tc form (set of an ARP field, a tunnel set without output, ...). */
        UNSUPPORTED_ACTION,
        /** {@code userspace(...)}: needs the daemon, never offloadable. */
        USERSPACE_ACTION,
        /** More than {@link TcOffload#MAX_ACTIONS} tc actions. */
        TOO_MANY_ACTIONS,
        /** A value out of the range of its flower/tc attribute (tun_id over 32 bits, ARP op over 255, ...). */
        OUT_OF_RANGE,
        /** in_port or an output port with no device, or a device that vanished. */
        NO_DEVICE,
        /** The policy forbids what the preference demands (required under tc-policy skip_hw). */
        POLICY,
        /** The device can't hold it in hardware (skip_sw refused). */
        UNSUPPORTED_BY_DEVICE,
        /** The kernel lacks a classifier/action module or feature. */
        UNSUPPORTED_BY_KERNEL,
        /** Out of memory or table space in the kernel or the device. */
        NO_SPACE,
        /** A filter with this identity exists already. */
        EXISTS,
        /** No such filter (get/delete/replace of something gone). */
        NOT_FOUND,
        /** The kernel rejected the request as invalid. */
        INVALID,
        OTHER
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** {@code in_hw} or {@code not_in_hw}, as tc prints it. */
    public String placement() {
        return inHw ? "in_hw" : "not_in_hw";
    }

    static TcOutcome refused(Reason reason, String detail) {
        return new TcOutcome(Status.REFUSED, reason, detail, null, false, 0, false, false, 0, null, false);
    }

    static TcOutcome failed(Reason reason, String detail, TcFilterId id, int errno, String extack) {
        return new TcOutcome(Status.FAILED, reason, detail, id, false, 0, false, false, errno, extack, false);
    }

    static TcOutcome ok(TcFilterId id, boolean inHw, int inHwCount, boolean skipSw, boolean skipHw, boolean fellBack) {
        return new TcOutcome(Status.OK, Reason.NONE, null, id, inHw, inHwCount, skipSw, skipHw, 0, null, fellBack);
    }

    @Override
    public String toString() {
        return switch (status) {
            case OK -> "ok " + id + " " + placement() + (inHw ? " in_hw_count " + inHwCount : "")
                    + (skipSw ? " skip_sw" : "") + (skipHw ? " skip_hw" : "") + (fellBack ? " (fell back to software)" : "");
            case REFUSED -> "refused " + reason + ": " + detail;
            case FAILED -> "failed " + reason + ": " + detail;
        };
    }
}
