package org.offloadbridge.tc.internal;

import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.tc.TcOutcome;

/**
 * Thrown inside the encoder when a flow has no flower form; caught at the encoder's edge and
 * turned into a {@link TcOutcome}. No stack trace: it is a control-flow value on a path that
 * only refusals take, never an error. The reason is from the project's one vocabulary.
 */
public final class Refusal extends RuntimeException {
    private final FlowResult.Reason reason;

    public Refusal(FlowResult.Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public FlowResult.Reason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}
