package org.offloadbridge.switchdev;

/** What a netdev is to the offload policy. */
public enum PortRole {
    /** A physical port of the NIC (phys_port_name {@code p0}, flavour physical): the e-switch uplink. */
    UPLINK("uplink"),
    /** The e-switch port of a PCI VF ({@code pf0vf3}). Flows between these can go into the NIC. */
    VF_REPRESENTOR("vf-rep"),
    /** The e-switch port of a subfunction ({@code pf0sf88}). */
    SF_REPRESENTOR("sf-rep"),
    /** The e-switch port of a host PF seen from a BlueField ARM ({@code pf0}, {@code c1pf0}). */
    HOST_PF_REPRESENTOR("hostpf-rep"),
    /** Carries a switch id but says nothing we can classify (unknown port name or flavour). */
    UNCLASSIFIED("unclassified"),
    /** Not a switch port at all: veth, tap, vxlan, a VF's own netdev … Only software tc applies. */
    PLAIN("plain");

    private final String label;

    PortRole(String label) {
        this.label = label;
    }

    /** Short name for the CLI and JSON. */
    public String label() {
        return label;
    }

    /** True for ports that are an e-switch port (a flow between two of them may go into hardware). */
    public boolean isSwitchPort() {
        return this != PLAIN;
    }

    public boolean isRepresentor() {
        return this == VF_REPRESENTOR || this == SF_REPRESENTOR || this == HOST_PF_REPRESENTOR;
    }
}
