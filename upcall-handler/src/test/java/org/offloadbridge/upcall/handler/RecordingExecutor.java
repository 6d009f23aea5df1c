package org.offloadbridge.upcall.handler;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.Actions;

/** Records every packet a handler executes. */
public final class RecordingExecutor implements PacketExecutor {
    public record Executed(int inPort, int length, Actions actions) {}

    private final List<Executed> executed = new ArrayList<>();
    private volatile boolean fail;

    @Override
    public synchronized boolean execute(int inPort, byte[] packet, Actions actions) {
        if (fail) {
            throw new IllegalStateException("executor broken on purpose");
        }
        executed.add(new Executed(inPort, packet.length, actions));
        return true;
    }

    public void breakIt(boolean broken) {
        fail = broken;
    }

    public synchronized List<Executed> executed() {
        return List.copyOf(executed);
    }
}
