package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.Tunnel;
/**
 * One bridge port as the pipeline sees it.
 *
 * @param name    the device name rules use (p0, pf0vf1, veth names)
 * @param ofPort  the OpenFlow port number rules use (in_port=N, output:N), 1..0xfeff
 * @param dpPort  the datapath port number flow keys and datapath actions carry
 * @param tunnel  the encapsulation when this is a tunnel port, else null
 */
public record BridgePort(String name, int ofPort, int dpPort, Tunnel tunnel) {
    /** The largest ordinary OpenFlow port number (OFPP_MAX). */
    public static final int OFPP_MAX = 0xfeff;

    public BridgePort {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("port name must not be empty");
        }
        if (ofPort < 1 || ofPort > OFPP_MAX) {
            throw new IllegalArgumentException("port " + name + ": OpenFlow port number " + ofPort + " not in 1.." + OFPP_MAX);
        }
        if (dpPort < 0) {
            throw new IllegalArgumentException("port " + name + ": negative datapath port " + dpPort);
        }
    }

    public BridgePort(String name, int ofPort, int dpPort) {
        this(name, ofPort, dpPort, null);
    }

    public boolean isTunnel() {
        return tunnel != null;
    }
}
