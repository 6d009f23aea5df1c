package org.offloadbridge.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable datapath action list (empty = drop), stored as a compact {@code long[]}
 * program so the DPDK datapath can execute it without allocating or chasing objects.
 *
 * <h2>Encoding</h2>
 * Each action starts with a header word:
 * <pre>
 *  bits 0..7   type   ({@link #OUTPUT}, {@link #PUSH_VLAN}, {@link #POP_VLAN}, {@link #SET}, {@link #USERSPACE})
 *  bits 8..15  length of the action in words, header included
 *  bits 32..63 argument: OUTPUT → port; PUSH_VLAN → tpid&lt;&lt;16 | tci (cfi bit set);
 *              SET → KeyAttr id | 0x10000 if masked; USERSPACE → pid (u32)
 * </pre>
 * A {@link #SET} header is followed by triples {@code (field ordinal, value, mask)} (values and
 * masks right-aligned as {@link FlowKey#get}); a {@link #USERSPACE} header by one word, the
 * index of its argument text in {@link #userspaceArgs(int)}.
 *
 * <p>Walk it as: {@code for (int pc = 0; pc < a.programLength(); pc += Actions.length(a.word(pc)))}.
 */
public final class Actions {
    public static final int OUTPUT = 1;
    public static final int PUSH_VLAN = 2;
    public static final int POP_VLAN = 3;
    public static final int SET = 4;
    public static final int USERSPACE = 5;

    /** Bit in a SET argument: masked set. */
    public static final int SET_MASKED_FLAG = 0x10000;

    /** The empty list: drop. */
    public static final Actions DROP = new Actions(new long[0], new String[0], 0);
    private static final String[] NO_ARGS = new String[0];

    private final long[] program;
    private final String[] userspaceArgs;
    private final int count;
    private List<Action> decoded;

    private Actions(long[] program, String[] userspaceArgs, int count) {
        this.program = program;
        this.userspaceArgs = userspaceArgs;
        this.count = count;
    }

    /** Number of actions (0 = drop). */
    public int size() { return count; }

    /** True for the empty list (the packet is dropped). */
    public boolean isDrop() { return count == 0; }

    /** Number of words in the encoded program. */
    public int programLength() { return program.length; }

    /** Word {@code i} of the encoded program. */
    public long word(int i) { return program[i]; }

    /** A copy of the encoded program. */
    public long[] program() { return program.clone(); }

    /** Argument text of the USERSPACE action whose index word is {@code index}. */
    public String userspaceArgs(int index) { return userspaceArgs[index]; }

    public static int type(long header) { return (int) header & 0xff; }
    public static int length(long header) { return (int) (header >>> 8) & 0xff; }
    public static int arg(long header) { return (int) (header >>> 32); }

    /** False when any action needs the daemon (userspace): such flows never go to tc or hardware. */
    public boolean isOffloadable() {
        for (int pc = 0; pc < program.length; pc += length(program[pc])) {
            if (type(program[pc]) == USERSPACE) {
                return false;
            }
        }
        return true;
    }

    /** The actions as values (cached after the first call). */
    public List<Action> toList() {
        List<Action> d = decoded;
        if (d == null) {
            d = decode();
            decoded = d;
        }
        return d;
    }

    private List<Action> decode() {
        List<Action> out = new ArrayList<>(count);
        for (int pc = 0; pc < program.length; pc += length(program[pc])) {
            long h = program[pc];
            int arg = arg(h);
            switch (type(h)) {
                case OUTPUT -> out.add(new Action.Output(arg));
                case PUSH_VLAN -> out.add(new Action.PushVlan(arg >>> 16, arg & 0xfff, (arg >>> 13) & 7));
                case POP_VLAN -> out.add(new Action.PopVlan());
                case SET -> {
                    KeyAttr attr = attrById(arg & 0xffff);
                    List<Action.FieldValue> fv = new ArrayList<>();
                    for (int i = pc + 1; i + 2 < pc + length(h); i += 3) {
                        fv.add(new Action.FieldValue(Field.of((int) program[i]), program[i + 1], program[i + 2]));
                    }
                    out.add(new Action.SetField(attr, (arg & SET_MASKED_FLAG) != 0, fv));
                }
                case USERSPACE -> out.add(new Action.Userspace(arg & 0xffffffffL, userspaceArgs[(int) program[pc + 1]]));
                default -> throw new IllegalStateException("corrupt action program at word " + pc);
            }
        }
        return List.copyOf(out);
    }

    static KeyAttr attrById(int id) {
        for (KeyAttr a : KeyAttr.values()) {
            if (a.id() == id) {
                return a;
            }
        }
        throw new IllegalStateException("unknown key attribute id " + id);
    }

    /** Builds the same list from values. */
    public static Actions of(List<? extends Action> actions) {
        Builder b = builder();
        for (Action a : actions) {
            b.add(a);
        }
        return b.build();
    }

    public static Builder builder() { return new Builder(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Actions a && Arrays.equals(program, a.program) && Arrays.equals(userspaceArgs, a.userspaceArgs);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(program) * 31 + Arrays.hashCode(userspaceArgs); }

    /** The OVS datapath text, e.g. {@code push_vlan(vid=10,pcp=0),3} or {@code drop}. */
    @Override
    public String toString() { return FlowFormat.formatActions(this, null); }

    /**
     * Accumulates actions; not thread-safe. {@link #build()} ends a list; {@link #reset()} starts
     * the next one in the same builder.
     *
     * <p>A builder that is reset and reused (a translator's, one per handler thread) remembers
     * the lists it built in a small direct-mapped table and returns the same {@link Actions}
     * when it builds an equal list again: translations of one shape (output:2, a VLAN push
     * and an output) then allocate nothing. Actions are immutable, so sharing them is safe.
     */
    public static final class Builder {
        private static final int RECENT = 64;
        private long[] p = new long[16];
        private int n;
        private int count;
        private final List<String> args = new ArrayList<>();
        private int setHeader = -1;
        /** Lists this builder built, by hash of their program; null until the first {@link #reset()}. */
        private Actions[] recent;

        private Builder() {}

        /** Forgets the list being built (an open set too), to build the next one. */
        public Builder reset() {
            n = 0;
            count = 0;
            args.clear();
            setHeader = -1;
            if (recent == null) {
                recent = new Actions[RECENT];
            }
            return this;
        }

        private void put(long v) {
            if (n == p.length) {
                p = Arrays.copyOf(p, n * 2);
            }
            p[n++] = v;
        }

        private static long header(int type, int len, long arg) {
            return type | (long) len << 8 | arg << 32;
        }

        private void noOpenSet() {
            if (setHeader >= 0) {
                throw new IllegalStateException("set(" + ") not closed: call endSet() first");
            }
        }

        public Builder output(int port) {
            noOpenSet();
            put(header(OUTPUT, 1, port & 0xffffffffL));
            count++;
            return this;
        }

        /** Push a tag; {@code tpid} is 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
        public Builder pushVlan(int tpid, int vid, int pcp) {
            new Action.PushVlan(tpid, vid, pcp); // range check
            noOpenSet();
            long tci = (long) pcp << 13 | 1L << 12 | vid;
            put(header(PUSH_VLAN, 1, (long) tpid << 16 | tci));
            count++;
            return this;
        }

        public Builder popVlan() {
            noOpenSet();
            put(header(POP_VLAN, 1, 0));
            count++;
            return this;
        }

        /** Opens a set of attribute {@code attr}; add fields with {@link #field}, close with {@link #endSet()}. */
        public Builder beginSet(KeyAttr attr, boolean masked) {
            noOpenSet();
            setHeader = n;
            put(header(SET, 0, attr.id() | (masked ? SET_MASKED_FLAG : 0)));
            return this;
        }

        /** Adds a field to the open set: write {@code value}'s bits selected by {@code mask}. */
        public Builder field(Field f, long value, long mask) {
            if (setHeader < 0) {
                throw new IllegalStateException("field(" + f + ") outside beginSet()/endSet()");
            }
            put(f.ordinal());
            put(value & f.valueMask());
            put(mask & f.valueMask());
            return this;
        }

        public Builder endSet() {
            if (setHeader < 0) {
                throw new IllegalStateException("endSet() without beginSet()");
            }
            int len = n - setHeader;
            if (len == 1) {
                throw new IllegalStateException("set with no field");
            }
            if (len > 0xff) {
                throw new IllegalStateException("set with too many fields");
            }
            p[setHeader] |= (long) len << 8;
            setHeader = -1;
            count++;
            return this;
        }

        /** A masked set of one field: {@code set(attr(field=value))}. */
        public Builder setField(KeyAttr attr, Field f, long value) {
            return beginSet(attr, true).field(f, value, -1L).endSet();
        }

        /** A masked set of the bits of one field selected by {@code mask}. */
        public Builder setField(KeyAttr attr, Field f, long value, long mask) {
            return beginSet(attr, true).field(f, value, mask).endSet();
        }

        /**
         * Tunnel encap metadata for the next output to a tunnel port (OVS
         * {@code set(tunnel(tun_id=..,src=..,dst=..,tos=..,ttl=..,tp_dst=..,flags(..)))}).
         * {@code tpSrc} 0 means "let the tunnel port choose" and is left out; so is a zero
         * {@code tos} (OVS leaves zero tos/tp_src sub-attributes out as well).
         */
        public Builder setTunnelIpv4(long tunId, int src, int dst, int tos, int ttl, int tpSrc, int tpDst, int flags) {
            beginSet(KeyAttr.TUNNEL, false);
            field(Field.TUN_ID, tunId, -1L);
            field(Field.TUN_IPV4_SRC, src & 0xffffffffL, -1L);
            field(Field.TUN_IPV4_DST, dst & 0xffffffffL, -1L);
            return tunnelRest(tos, ttl, tpSrc, tpDst, flags);
        }

        /** What follows the addresses in both families' set(tunnel), in OVS's order. */
        private Builder tunnelRest(int tos, int ttl, int tpSrc, int tpDst, int flags) {
            if (tos != 0) {
                field(Field.TUN_TOS, tos, -1L);
            }
            field(Field.TUN_TTL, ttl, -1L);
            if (tpSrc != 0) {
                field(Field.TUN_TP_SRC, tpSrc, -1L);
            }
            field(Field.TUN_TP_DST, tpDst, -1L);
            field(Field.TUN_FLAGS, flags | FlowKey.TUN_F_KEY, -1L);
            return endSet();
        }

        /** As {@link #setTunnelIpv4}, over IPv6: the addresses as two longs each, network order. */
        public Builder setTunnelIpv6(long tunId, long srcHi, long srcLo, long dstHi, long dstLo, int tos, int ttl, int tpSrc, int tpDst,
                                     int flags) {
            beginSet(KeyAttr.TUNNEL, false);
            field(Field.TUN_ID, tunId, -1L);
            field(Field.TUN_IPV6_SRC_HI, srcHi, -1L);
            field(Field.TUN_IPV6_SRC_LO, srcLo, -1L);
            field(Field.TUN_IPV6_DST_HI, dstHi, -1L);
            field(Field.TUN_IPV6_DST_LO, dstLo, -1L);
            return tunnelRest(tos, ttl, tpSrc, tpDst, flags);
        }

        /** {@code userspace(pid=..)}, optionally with more OVS argument text after the pid. */
        public Builder userspace(long pid, String args) {
            noOpenSet();
            put(header(USERSPACE, 2, pid & 0xffffffffL));
            put(this.args.size());
            this.args.add(args == null ? "" : args);
            count++;
            return this;
        }

        public Builder add(Action a) {
            switch (a) {
                case Action.Output o -> output(o.port());
                case Action.PushVlan v -> pushVlan(v.tpid(), v.vid(), v.pcp());
                case Action.PopVlan ignored -> popVlan();
                case Action.SetField s -> {
                    beginSet(s.attr(), s.masked());
                    for (Action.FieldValue fv : s.fields()) {
                        field(fv.field(), fv.value(), fv.mask());
                    }
                    endSet();
                }
                case Action.Userspace u -> userspace(u.pid(), u.args());
            }
            return this;
        }

        public Actions build() {
            noOpenSet();
            if (count == 0) {
                return DROP;
            }
            if (recent == null || !args.isEmpty()) {
                // (userspace actions carry text: rare, and not worth comparing here)
                return new Actions(Arrays.copyOf(p, n), args.toArray(new String[0]), count);
            }
            int h = 1;
            for (int i = 0; i < n; i++) {
                h = 31 * h + Long.hashCode(p[i]);
            }
            int slot = (h ^ h >>> 16) & (RECENT - 1);
            Actions a = recent[slot]; // (only lists without userspace text are kept here)
            if (a != null && Arrays.equals(a.program, 0, a.program.length, p, 0, n)) {
                return a;
            }
            a = new Actions(Arrays.copyOf(p, n), NO_ARGS, count);
            recent[slot] = a;
            return a;
        }
    }
}
