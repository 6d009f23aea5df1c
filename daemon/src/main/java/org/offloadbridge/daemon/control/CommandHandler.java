package org.offloadbridge.daemon.control;

import java.util.List;

/**
 * One control command. It runs on the control agent's thread (as OVS's unixctl commands run
 * in the main loop), so it must not block for long: a command that needs another thread's
 * state asks that thread through its command queue and waits with a bound.
 */
@FunctionalInterface
public interface CommandHandler {
    /**
     * @param args the arguments after the command name, as obctl received them
     * @return the reply; a thrown RuntimeException becomes a FAILED reply naming it
     */
    ControlProtocol.Reply handle(List<String> args);

    /** A command that also takes the text the client sent along (a file obctl read), or null. */
    @FunctionalInterface
    interface WithInput {
        ControlProtocol.Reply handle(List<String> args, String input);
    }
}
