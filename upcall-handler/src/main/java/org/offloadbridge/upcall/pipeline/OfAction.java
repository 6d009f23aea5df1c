package org.offloadbridge.upcall.pipeline;

/**
 * The OpenFlow-level actions a rule may carry (what {@code actions=} parses to). Translation
 * turns them into datapath actions of {@code org.offloadbridge.flow}; port numbers here are
 * OpenFlow port numbers from the {@link PortTable}.
 */
public sealed interface OfAction {

    /** output:PORT (or a bare port name/number). Output to the packet's own in_port is skipped, as in OVS. */
    record Output(int ofPort) implements OfAction {
        @Override public String toString() { return "output:" + ofPort; }
    }

    /** in_port: send the packet back out of the port it came in on. */
    record InPort() implements OfAction {
        @Override public String toString() { return "in_port"; }
    }

    /** normal: L2 switching with MAC learning. */
    record Normal() implements OfAction {
        @Override public String toString() { return "normal"; }
    }

    /** flood: every port except the input port. */
    record Flood() implements OfAction {
        @Override public String toString() { return "flood"; }
    }

    /** all: every port except the input port (we have no no-flood port flag, so same as flood). */
    record All() implements OfAction {
        @Override public String toString() { return "all"; }
    }

    /** controller[:max_len]: punt to userspace; never offloadable. */
    record Controller(int maxLen) implements OfAction {
        @Override public String toString() { return "controller:" + maxLen; }
    }

    /** mod_vlan_vid:VID — pushes a tag (PCP 0) when the packet has none, like OVS. */
    record ModVlanVid(int vid) implements OfAction {
        @Override public String toString() { return "mod_vlan_vid:" + vid; }
    }

    /** mod_vlan_pcp:PCP — pushes a tag (VID 0) when the packet has none, like OVS. */
    record ModVlanPcp(int pcp) implements OfAction {
        @Override public String toString() { return "mod_vlan_pcp:" + pcp; }
    }

    /** strip_vlan / pop_vlan. */
    record StripVlan() implements OfAction {
        @Override public String toString() { return "strip_vlan"; }
    }

    /** push_vlan:TPID (0x8100 or 0x88a8); the new tag has VID 0, PCP 0 until mod_vlan_* set them. */
    record PushVlan(int tpid) implements OfAction {
        @Override public String toString() { return "push_vlan:0x" + Integer.toHexString(tpid); }
    }

    /** set_field:V[/M]->F and every mod_* that sets a field to a constant. */
    record SetField(MatchField field, long valueHi, long value, long maskHi, long mask) implements OfAction {
        @Override public String toString() {
            String v = Values.format(field, valueHi, value);
            boolean exact = mask == field.fullMaskLo() && maskHi == field.fullMaskHi();
            if (exact && (field == MatchField.TP_SRC || field == MatchField.TP_DST)) {
                // OVS reads set_field's "tp_dst" as tcp_dst; mod_tp_* works for tcp, udp and sctp.
                return (field == MatchField.TP_SRC ? "mod_tp_src:" : "mod_tp_dst:") + value;
            }
            if (field == MatchField.NW_TOS && mask == 0xfc) {
                // DSCP in place: ovs-ofctl refuses a mask on nw_tos, and reads mod_nw_tos as this.
                return "mod_nw_tos:" + value;
            }
            return "set_field:" + v + (exact ? "" : "/" + Values.format(field, maskHi, mask)) + "->" + field.ofName();
        }
    }

    /** dec_ttl: IPv4 TTL or IPv6 hop limit minus one; at 0 or 1 the packet is dropped. */
    record DecTtl() implements OfAction {
        @Override public String toString() { return "dec_ttl"; }
    }

    /**
     * resubmit([port],[table]): look the packet up again, in {@code table} (-1 = the current
     * table) as if it came from {@code ofPort} (-1 = its real in_port), then continue here.
     */
    record Resubmit(int ofPort, int table) implements OfAction {
        @Override public String toString() {
            return "resubmit(" + (ofPort < 0 ? "" : Integer.toString(ofPort)) + "," + (table < 0 ? "" : Integer.toString(table)) + ")";
        }
    }

    /** goto_table:T: after this rule's actions, continue in table T (T greater than the current table). */
    record GotoTable(int table) implements OfAction {
        @Override public String toString() { return "goto_table:" + table; }
    }

    /**
     * set_tunnel:ID / set_tunnel64:ID: the key for a later output to a tunnel port.
     * {@code wide} remembers the set_tunnel64 spelling, which OpenFlow encodes as its own
     * action (NXAST_SET_TUNNEL64), so a rule prints back as it was written.
     */
    record SetTunnel(long tunId, boolean wide) implements OfAction {
        public SetTunnel(long tunId) {
            this(tunId, false);
        }

        @Override public String toString() { return (wide ? "set_tunnel64:0x" : "set_tunnel:0x") + Long.toHexString(tunId); }
    }
}
