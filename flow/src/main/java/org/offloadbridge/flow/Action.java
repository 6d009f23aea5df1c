package org.offloadbridge.flow;

import java.util.List;

/**
 * One datapath action, as a value (the decoded view of {@link Actions}). Control-plane code
 * (tc-flower encoding, text formats, tests) uses these; packet paths walk the encoded
 * program of {@link Actions} instead.
 */
public sealed interface Action {

    /** {@code output(port)}: send a copy to datapath port {@code port}. */
    record Output(int port) implements Action {}

    /** {@code push_vlan(tpid=..,vid=..,pcp=..)}: push an 802.1Q/802.1ad tag. */
    record PushVlan(int tpid, int vid, int pcp) implements Action {
        public PushVlan {
            if (vid < 0 || vid > 0xfff || pcp < 0 || pcp > 7 || tpid < 0 || tpid > 0xffff) {
                throw new IllegalArgumentException("push_vlan: tpid=" + tpid + " vid=" + vid + " pcp=" + pcp + " out of range");
            }
        }
    }

    /** {@code pop_vlan}: remove the outermost tag. */
    record PopVlan() implements Action {}

    /**
     * {@code set(attr(...))}: rewrite fields of one OVS key attribute. {@code masked} says
     * whether it is OVS's masked set ({@code OVS_ACTION_ATTR_SET_MASKED}: only the bits in
     * each field's mask change) or a plain set (whole attribute written; every field of the
     * attribute is listed, masks all-ones). A set of {@link KeyAttr#TUNNEL} is the encap
     * metadata for a following output to a tunnel port.
     */
    record SetField(KeyAttr attr, boolean masked, List<FieldValue> fields) implements Action {
        public SetField {
            fields = List.copyOf(fields);
        }
    }

    /** One field of a {@link SetField}: new value and which bits of it to write (right-aligned). */
    record FieldValue(Field field, long value, long mask) {}

    /**
     * {@code userspace(pid=..)}: hand the packet to the daemon (controller / slow path).
     * Never offloadable. {@code args} holds any further text OVS prints inside the
     * parentheses after the pid (e.g. {@code controller(...)}), verbatim; empty if none.
     */
    record Userspace(long pid, String args) implements Action {}
}
