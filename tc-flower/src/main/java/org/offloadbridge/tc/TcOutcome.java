package org.offloadbridge.tc;

import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Status;

/**
 * What became of one tc operation, in tc's own detail (the CLI prints it; {@link TcFlowTarget}
 * turns it into a {@link FlowResult}): where the flow really landed, or precisely why it did
 * not. Never thrown — refusals and kernel errors are values, so a batch reports each flow on
 * its own and the caller can fall back to the DPDK path flow by flow.
 *
 * @param status    {@link Status#OK}, {@link Status#REFUSED} (nothing was sent to the kernel) or
 *                  {@link Status#FAILED} (the kernel said no; nothing of it is left installed)
 * @param reason    why it was refused or failed, in the one vocabulary; {@link FlowResult.Reason#NONE} when OK
 * @param detail    human text naming the field, action, device or the kernel's words; for
 *                  {@link FlowResult.Reason#TC_POLICY} the policy's name
 * @param id        the filter's identity when OK (or for get/delete: the one acted on), else null
 * @param inHw      the kernel's echo said {@code in_hw}
 * @param inHwCount how many devices hold it ({@code TCA_FLOWER_IN_HW_COUNT})
 * @param skipSw    installed with {@code skip_sw}
 * @param skipHw    installed with {@code skip_hw}
 * @param errno     the kernel's errno (positive) when FAILED, else 0
 * @param extack    the kernel's extended-ack text when it sent one (on success: a warning, e.g. the driver's
 *                  reason for leaving a filter {@code not_in_hw}), else null
 * @param stats     for a delete the flow's final counters, for a replace the counters kept
 *                  (continued), else {@link TcStats#ZERO}
 */
public record TcOutcome(Status status, FlowResult.Reason reason, String detail, TcFilterId id, boolean inHw, int inHwCount,
                        boolean skipSw, boolean skipHw, int errno, String extack, TcStats stats) {


    public TcOutcome {
        if (status == null || reason == null || stats == null) {
            throw new IllegalArgumentException("status, reason and stats must not be null");
        }
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** {@code in_hw} or {@code not_in_hw}, as tc prints it. */
    public String placement() {
        return inHw ? "in_hw" : "not_in_hw";
    }

    /** The same outcome with the kernel's extended-ack text (a warning, on success), when it sent one. */
    TcOutcome withExtack(String text) {
        return text == null ? this : new TcOutcome(status, reason, detail, id, inHw, inHwCount, skipSw, skipHw, errno, text, stats);
    }

    /** The same outcome with other counters. */
    TcOutcome withStats(TcStats s) {
        return new TcOutcome(status, reason, detail, id, inHw, inHwCount, skipSw, skipHw, errno, extack, s);
    }

    static TcOutcome refused(FlowResult.Reason reason, String detail) {
        return new TcOutcome(Status.REFUSED, reason, detail, null, false, 0, false, false, 0, null, TcStats.ZERO);
    }

    static TcOutcome failed(FlowResult.Reason reason, String detail, TcFilterId id, int errno, String extack) {
        return new TcOutcome(Status.FAILED, reason, detail, id, false, 0, false, false, errno, extack, TcStats.ZERO);
    }

    static TcOutcome ok(TcFilterId id, boolean inHw, int inHwCount, boolean skipSw, boolean skipHw) {
        return new TcOutcome(Status.OK, FlowResult.Reason.NONE, null, id, inHw, inHwCount, skipSw, skipHw, 0, null, TcStats.ZERO);
    }

    @Override
    public String toString() {
        return switch (status) {
            case OK -> "ok " + id + " " + placement() + (inHw ? " in_hw_count " + inHwCount : "")
                    + (skipSw ? " skip_sw" : "") + (skipHw ? " skip_hw" : "") + (detail != null ? " (" + detail + ")" : "");
            case REFUSED -> "refused " + reason.name() + " (" + reason.token() + "): " + detail;
            case FAILED -> "failed " + reason.name() + " (" + reason.token() + "): " + detail;
        };
    }
}
