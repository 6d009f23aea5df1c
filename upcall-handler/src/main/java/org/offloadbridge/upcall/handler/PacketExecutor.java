package org.offloadbridge.upcall.handler;

import org.offloadbridge.flow.Actions;

/**
 * Executes one upcall's own packet with its translated actions: the daemon implements it with a
 * DPDK packet-out, or with a raw socket per port when DPDK is not running. Called from handler
 * threads; must not block for long.
 */
@FunctionalInterface
public interface PacketExecutor {
    /**
     * @param inPort  the datapath port the packet came in on (for {@code in_port} outputs)
     * @param packet  the frame
     * @param actions datapath actions (drop = empty)
     * @return false when the packet could not be sent (counted by the handler)
     */
    boolean execute(int inPort, byte[] packet, Actions actions);
}
