package org.offloadbridge.upcall.handler;

/**
 * What the install decision needs to know about the datapath ports of a flow; the daemon's port
 * registry implements it (from switchdev discovery). Called on handler and revalidator threads:
 * answers from an immutable snapshot, never blocking.
 */
public interface PortFacts {
    /** True when {@code dpPort} is a port of this bridge (upcalls for other ports are bad input). */
    boolean exists(int dpPort);

    /** True when {@code dpPort} is a netdev tc can install filters on (not a DPDK-only port). */
    boolean tcCapable(int dpPort);

    /**
     * The e-switch the port belongs to (a representor or uplink: the devlink handle, e.g.
     * {@code pci/0000:08:00.0}), or null for a port on no e-switch (a veth, a tap).
     */
    String eswitch(int dpPort);
}
