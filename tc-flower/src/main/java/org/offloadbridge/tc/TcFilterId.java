package org.offloadbridge.tc;

/**
 * Where one filter lives: device, priority, protocol (ethertype in {@code tcm_info}) and the
 * handle the kernel gave it. Chain 0, ingress of a clsact/ingress qdisc.
 *
 * @param ifindex  the device the filter sits on (the flow's in_port)
 * @param prio     tc priority (1..65535)
 * @param protocol the filter's protocol, host order (e.g. 0x0800; 0x0003 = all)
 * @param handle   the flower handle from the kernel's echo
 */
public record TcFilterId(int ifindex, int prio, int protocol, int handle) {
    // Written out: see Ufid (record methods are slow under C1).
    @Override
    public boolean equals(Object o) {
        return o instanceof TcFilterId t && t.ifindex == ifindex && t.prio == prio && t.protocol == protocol && t.handle == handle;
    }

    @Override
    public int hashCode() {
        return ((ifindex * 31 + prio) * 31 + protocol) * 31 + handle;
    }

    @Override
    public String toString() {
        return "dev#" + ifindex + " prio " + prio + " protocol 0x" + Integer.toHexString(protocol) + " handle 0x" + Integer.toHexString(handle);
    }
}
