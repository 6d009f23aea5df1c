package org.offloadbridge.upcall.pipeline.internal;

import java.util.List;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.IpProto;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.upcall.pipeline.MacLearningTable;
import org.offloadbridge.upcall.pipeline.MatchField;
import org.offloadbridge.upcall.pipeline.OfAction;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;

/**
 * Packet key → datapath actions + megaflow mask (OVS's ofproto-dpif-xlate, our shape).
 *
 * <h2>How the mask stays correct</h2>
 * Translation runs on a working copy of the key (actions like mod_nw_dst or resubmit:PORT
 * change it, and later lookups must see the change) and keeps one mask {@code wc}. Every
 * decision ORs into {@code wc} the bits of the key it depended on: classifier lookups add
 * what {@link Table#lookup} consulted, {@code normal} adds in_port, VLAN, dl_src and dl_dst,
 * dec_ttl adds nw_ttl, VLAN actions add the original tags. Because every decision is a
 * function of the bits in {@code wc} (and of constants in rules), any packet that agrees with
 * this one on {@code wc} takes the same path and gets the same actions. Bits an action set to
 * a rule's constant ({@code constant}) are never pinned by later decisions: every packet has
 * the same value there by then (so {@code mod_nw_dst:X,resubmit(,1)} into a route table does
 * not pin the packet's own nw_dst).
 *
 * <p>Field writes are collected and emitted as masked sets just before the next output
 * ("commit", as OVS does), always for every written field, so the emitted actions never
 * depend on whether the packet already had the value (which would need more un-wildcarding).
 *
 * <p>Always exact: in_port (megaflows are per input port), eth_type (it gives every other
 * field its meaning), recirc_id, and nw_frag on IP packets (as OVS).
 *
 * <p>One instance per handler thread: it reuses its scratch state.
 */
public final class Translator {
    /** OVS's MAX_DEPTH: resubmit/goto nesting. */
    public static final int MAX_DEPTH = 64;
    /** OVS's MAX_RESUBMITS: total table lookups per translation. */
    public static final int MAX_RESUBMITS = 4096;
    private static final int MAX_VLAN_TAGS = 2;

    private final LookupScratch sc = new LookupScratch();
    private final FlowKey work = new FlowKey();
    private final FlowMask wc = new FlowMask();
    /** Bits of fields written by actions and not yet committed as set actions. */
    private final FlowMask dirty = new FlowMask();
    /**
     * Bits that hold a constant from a rule (set_field, mod_*, set_tunnel) rather than a
     * packet value: decisions that read them depend on no packet bit, so they are not pinned.
     */
    private final FlowMask constant = new FlowMask();
    /** What one lookup consulted, before the constant bits are filtered out. */
    private final FlowMask lookupWc = new FlowMask();
    private final Binding.FlowWordsSink workSink = new Binding.FlowWordsSink(work);

    // VLAN stacks, index 0 = innermost tag. committed = what the datapath packet has now.
    private final int[] wTpid = new int[MAX_VLAN_TAGS];
    private final int[] wTci = new int[MAX_VLAN_TAGS];
    private int wTags;
    private final int[] cTpid = new int[MAX_VLAN_TAGS];
    private final int[] cTci = new int[MAX_VLAN_TAGS];
    private int cTags;
    /** How many tags the packet came with. */
    private int origTags;

    private RuleSet rules;
    private PortTable ports;
    private MacLearningTable macs;
    private boolean mayLearn;
    private long controllerPid;
    private Actions.Builder out;
    private OffloadPreference offload;
    private List<org.offloadbridge.upcall.pipeline.Rule> hit;
    /** Lookups of a traced translation, or null (every other translation: no cost beyond the check). */
    private List<org.offloadbridge.upcall.pipeline.Trace.Step> trace;
    private String error;
    private boolean cacheable;
    private boolean exit;
    private int resubmits;
    private long tunId;
    private boolean tunIdSet;
    /** The last set(tunnel) emitted in this translation (see output); scratch for the next. */
    private final long[] lastTunnelValues = new long[8];
    private final long[] tunnelNow = new long[8];
    private boolean lastTunnelSet;
    /** MAC entries ({@link MacLearningTable#key}) this translation looked up: what it depends on in that table. */
    private long[] macLookups = new long[4];
    private int nMacLookups;

    /**
     * Translates {@code packet} (its in_port is a datapath port number) into the caller's
     * buffers: the megaflow key and mask, the actions' builder (reset), the rules hit (empty).
     * Returns the actions; {@link #offload()} and {@link #error()} tell the rest. Allocates
     * nothing unless the actions are a list the builder has not built lately, or on an error.
     *
     * @param mayLearn false for revalidation: look up learned MACs but learn nothing
     * @param trace    null, or where each table lookup is added
     */
    public Actions translate(RuleSet rules, PortTable ports, MacLearningTable macs, long controllerPid,
                             FlowKey packet, boolean mayLearn, List<org.offloadbridge.upcall.pipeline.Trace.Step> trace,
                             FlowKey outKey, FlowMask outMask, Actions.Builder out, List<org.offloadbridge.upcall.pipeline.Rule> hit) {
        this.trace = trace;
        this.rules = rules;
        this.ports = ports;
        this.macs = macs;
        this.mayLearn = mayLearn;
        this.controllerPid = controllerPid;
        this.out = out;
        this.offload = OffloadPreference.PREFERRED;
        this.hit = hit;
        this.error = null;
        this.cacheable = true;
        this.exit = false;
        this.resubmits = 0;
        this.tunId = 0;
        this.tunIdSet = false;
        this.lastTunnelSet = false;
        this.nMacLookups = 0;
        work.copyFrom(packet);
        wc.clear();
        dirty.clear();
        constant.clear();
        // What every datapath flow matches exactly, whatever the rules consulted: in_port,
        // recirc_id, the ethertype, VLAN tag presence and TPIDs (eth_type is the innermost
        // ethertype, so without tag presence an IPv4 megaflow would also cover tagged IPv4,
        // which tc flower's protocol can't express), and frag for IP.
        wc.setDatapathBaseline(packet);
        loadVlans(packet);

        BridgePort in = ports.byDpPort(packet.inPort());
        if (in == null && ports.isTunnelDevice(packet.inPort())) {
            // Which tunnel port: chosen by the outer source, destination and key (OVS's
            // tnl_find), so a flow of this port must match exactly those (OVS's tnl_wc_init).
            // IPv4 or IPv6 underlay: fixed by the device's ports when they are of one family (the
            // usual case: nothing of the other family decides anything). A device with both
            // decides by the packet's IPv6 outer destination (ours, never ::), so its flows match
            // that, and the IPv4 one, exactly: a megaflow must pin what decided.
            int families = ports.tunnelFamilies(packet.inPort());
            boolean v6 = families == PortTable.V6
                || (families == (PortTable.V4 | PortTable.V6) && (packet.get(Field.TUN_IPV6_DST_HI) != 0 || packet.get(Field.TUN_IPV6_DST_LO) != 0));
            if (families == (PortTable.V4 | PortTable.V6)) {
                wc.setExact(Field.TUN_IPV6_DST_HI);
                wc.setExact(Field.TUN_IPV6_DST_LO);
                wc.setExact(Field.TUN_IPV4_DST);
            }
            wc.setExact(Field.TUN_ID);
            // The device's UDP port and the key's presence, as OVS's tc dumps show them
            // (tp_dst=4789,flags(+key)): a ConnectX e-switch takes a VXLAN decap filter only
            // with enc_dst_port matched (mlx5's tunnel parser refuses it without).
            wc.setExact(Field.TUN_TP_DST);
            wc.unwildcard(Field.TUN_FLAGS, org.offloadbridge.flow.FlowKey.TUN_F_KEY);
            if (v6) {
                wc.setExact(Field.TUN_IPV6_SRC_HI);
                wc.setExact(Field.TUN_IPV6_SRC_LO);
                wc.setExact(Field.TUN_IPV6_DST_HI);
                wc.setExact(Field.TUN_IPV6_DST_LO);
                in = ports.tunnelPort(packet.inPort(), packet.get(Field.TUN_ID), true, packet.get(Field.TUN_IPV6_SRC_HI),
                    packet.get(Field.TUN_IPV6_SRC_LO), packet.get(Field.TUN_IPV6_DST_HI), packet.get(Field.TUN_IPV6_DST_LO));
            } else {
                wc.setExact(Field.TUN_IPV4_SRC);
                wc.setExact(Field.TUN_IPV4_DST);
                in = ports.tunnelPort(packet.inPort(), packet.get(Field.TUN_ID), (int) packet.get(Field.TUN_IPV4_SRC),
                    (int) packet.get(Field.TUN_IPV4_DST));
            }
            if (in == null) {
                error = "packet from tunnel device port " + packet.inPort() + " (key " + packet.get(Field.TUN_ID) + ", remote "
                    + (v6 ? Long.toHexString(packet.get(Field.TUN_IPV6_SRC_HI)) + ":" + Long.toHexString(packet.get(Field.TUN_IPV6_SRC_LO))
                    : dotted(packet.get(Field.TUN_IPV4_SRC))) + ") matches no tunnel port";
            }
        }
        if (error != null) {
            // a tunnel packet of no port: dropped, as OVS drops it
        } else if (in == null) {
            error = "packet from datapath port " + Integer.toUnsignedString(packet.inPort()) + ", which is not in the port table";
            cacheable = false; // the port may be added any moment: a drop flow would outlive the reason for it
        } else {
            work.set(Field.IN_PORT, in.ofPort());
            if (!in.isTunnel() || decapsulateEcn(packet)) {
                lookupAndRun(0, 0);
            }
        }
        Actions actions = error == null ? out.build() : Actions.DROP;
        // VID and PCP of a tag the packet does not have hold nothing (the parser leaves them
        // 0; tag presence is pinned by the baseline), so they decide nothing even where a
        // lookup on a VLAN rule consulted them. Drop them, as OVS does when it turns a mask
        // into datapath attributes: an untagged flow carries no VLAN attribute at all.
        if (packet.get(Field.VLAN0_CFI) == 0) {
            wc.setWildcard(Field.VLAN0_VID);
            wc.setWildcard(Field.VLAN0_PCP);
        }
        if (packet.get(Field.VLAN0_CFI) == 0 || packet.get(Field.VLAN1_CFI) == 0) {
            wc.setWildcard(Field.VLAN1_VID);
            wc.setWildcard(Field.VLAN1_PCP);
        }
        outMask.copyFrom(wc);
        packet.and(wc, outKey);
        this.out = null;
        this.hit = null;
        this.trace = null;
        this.rules = null;
        this.ports = null;
        this.macs = null;
        return actions;
    }

    /** The most restrictive offload= of the rules the last translation hit. */
    public OffloadPreference offload() {
        return offload;
    }

    /** How many MAC entries the last translation looked up ({@link #macLookup}). */
    public int macLookupCount() {
        return nMacLookups;
    }

    /** The {@code i}-th MAC entry the last translation looked up. */
    public long macLookup(int i) {
        return macLookups[i];
    }

    /** Null, or why the last translation stopped (its actions are then drop). */
    public String error() {
        return error;
    }

    /** Whether the last translation may become a datapath flow ({@link org.offloadbridge.upcall.pipeline.Translation#cacheable}). */
    public boolean cacheable() {
        return cacheable;
    }

    private void loadVlans(FlowKey k) {
        cTags = 0;
        if (k.get(Field.VLAN0_CFI) != 0) {
            if (k.get(Field.VLAN1_CFI) != 0) {
                cTpid[cTags] = (int) k.get(Field.VLAN1_TPID);
                cTci[cTags++] = tciOf(k, 1);
            }
            cTpid[cTags] = (int) k.get(Field.VLAN0_TPID);
            cTci[cTags++] = tciOf(k, 0);
        }
        wTags = cTags;
        origTags = cTags;
        System.arraycopy(cTpid, 0, wTpid, 0, cTags);
        System.arraycopy(cTci, 0, wTci, 0, cTags);
    }

    private static int tciOf(FlowKey k, int tag) {
        return tag == 0
                ? (int) (k.get(Field.VLAN0_VID) | k.get(Field.VLAN0_CFI) << 12 | k.get(Field.VLAN0_PCP) << 13)
                : (int) (k.get(Field.VLAN1_VID) | k.get(Field.VLAN1_CFI) << 12 | k.get(Field.VLAN1_PCP) << 13);
    }

    private void lookupAndRun(int tableId, int depth) {
        if (depth >= MAX_DEPTH) {
            error = "over " + MAX_DEPTH + " nested resubmit/goto_table (a rule loop?)";
            exit = true;
            return;
        }
        if (++resubmits > MAX_RESUBMITS) {
            error = "over " + MAX_RESUBMITS + " table lookups in one translation";
            exit = true;
            return;
        }
        Table t = rules.table(tableId);
        CompiledRule r = t == null ? null : lookup(t); // an empty table misses: drop, as OVS does with no table-miss rule
        if (trace != null) {
            trace.add(new org.offloadbridge.upcall.pipeline.Trace.Step(depth, tableId, r == null ? null : r.rule()));
        }
        if (r == null) {
            return;
        }
        offload = offload.combine(r.rule().offload());
        hit.add(r.rule());
        runActions(r.rule().actions(), tableId, depth);
    }

    /** A classifier lookup on the working key; pins what it consulted except constant bits. */
    private CompiledRule lookup(Table t) {
        lookupWc.clear();
        CompiledRule r = t.lookup(work, lookupWc, sc);
        pinMask(lookupWc);
        return r;
    }

    private void pinMask(FlowMask m) {
        for (int i = 0; i < Field.WORDS; i++) {
            long bits = m.word(i) & ~constant.word(i);
            if (bits != 0) {
                wc.setWord(i, wc.word(i) | bits);
            }
        }
    }

    /** Pins those bits of a field that do not hold a constant. */
    private void pinBits(Field f, long bits) {
        long b = bits & f.valueMask() & ~constant.get(f);
        if (b != 0) {
            wc.unwildcard(f, b);
        }
    }

    /** Pins a whole field, except bits that hold a constant. */
    private void pin(Field f) {
        pinBits(f, f.valueMask());
    }

    private void runActions(List<OfAction> actions, int tableId, int depth) {
        for (int i = 0, n = actions.size(); i < n && !exit; i++) {
            OfAction a = actions.get(i);
            switch (a) {
                case OfAction.Output o -> {
                    if (o.ofPort() != inPort()) {
                        output(ports.byOfPort(o.ofPort()));
                    }
                }
                case OfAction.InPort ignored -> output(ports.byOfPort(inPort()));
                case OfAction.Flood ignored -> flood();
                case OfAction.All ignored -> flood();
                case OfAction.Normal ignored -> normal();
                case OfAction.Controller c -> {
                    commit();
                    // As OVS prints it (odp-util: rule_cookie=%#x, which is "0" for zero).
                    long ck = hit.isEmpty() ? 0 : hit.get(hit.size() - 1).cookie();
                    String cookie = ck == 0 ? "0" : "0x" + Long.toHexString(ck);
                    out.userspace(controllerPid, "controller(reason=1,dont_send=0,continuation=0,recirc_id=0,rule_cookie="
                            + cookie + ",controller_id=0,max_len=" + c.maxLen() + ")");
                    offload = offload.combine(OffloadPreference.NEVER);
                }
                case OfAction.ModVlanVid v -> {
                    touchVlans();
                    if (wTags == 0) {
                        pushTag(EthType.VLAN_8021Q, 0x1000 | v.vid());
                    } else {
                        wTci[wTags - 1] = (wTci[wTags - 1] & ~0xfff) | v.vid();
                    }
                    storeVlans();
                }
                case OfAction.ModVlanPcp v -> {
                    touchVlans();
                    if (wTags == 0) {
                        pushTag(EthType.VLAN_8021Q, 0x1000 | v.pcp() << 13);
                    } else {
                        wTci[wTags - 1] = (wTci[wTags - 1] & 0x1fff) | v.pcp() << 13;
                    }
                    storeVlans();
                }
                case OfAction.StripVlan ignored -> {
                    touchVlans();
                    if (wTags > 0) {
                        wTags--;
                    }
                    storeVlans();
                }
                case OfAction.PushVlan p -> {
                    touchVlans();
                    // OpenFlow 1.1+: the new tag copies VID and PCP of the current outer tag, else 0.
                    int tci = wTags > 0 ? wTci[wTags - 1] : 0x1000;
                    pushTag(p.tpid(), tci | 0x1000);
                    storeVlans();
                }
                case OfAction.SetField s -> setField(s);
                case OfAction.DecTtl ignored -> decTtl();
                case OfAction.SetTunnel s -> {
                    tunId = s.tunId();
                    tunIdSet = true;
                    work.set(Field.TUN_ID, s.tunId());
                    constant.setExact(Field.TUN_ID);
                }
                case OfAction.Resubmit r -> {
                    long saved = work.get(Field.IN_PORT);
                    if (r.ofPort() >= 0) {
                        work.set(Field.IN_PORT, r.ofPort());
                    }
                    int target = r.table() < 0 ? tableId : r.table();
                    resubmit(target, depth + 1, saved);
                }
                case OfAction.GotoTable g -> lookupAndRun(g.table(), depth + 1);
            }
        }
    }

    /** Looks up with the (possibly changed) in_port, restores in_port, then runs the rule (as OVS). */
    private void resubmit(int tableId, int depth, long savedInPort) {
        if (depth >= MAX_DEPTH || resubmits + 1 > MAX_RESUBMITS) {
            work.set(Field.IN_PORT, savedInPort);
            lookupAndRun(tableId, depth);
            return;
        }
        resubmits++;
        Table t = rules.table(tableId);
        CompiledRule r = t == null ? null : lookup(t);
        work.set(Field.IN_PORT, savedInPort);
        if (trace != null) {
            trace.add(new org.offloadbridge.upcall.pipeline.Trace.Step(depth, tableId, r == null ? null : r.rule()));
        }
        if (r == null) {
            return;
        }
        offload = offload.combine(r.rule().offload());
        hit.add(r.rule());
        runActions(r.rule().actions(), tableId, depth);
    }

    private int inPort() {
        return (int) work.get(Field.IN_PORT);
    }

    private void output(BridgePort p) {
        if (p == null) {
            return; // the port is gone; OVS drops output to a nonexistent port too
        }
        commit();
        if (p.isTunnel()) {
            var tn = p.tunnel();
            long key;
            if (tn.keyFlow()) {
                pin(Field.TUN_ID); // the flow's key: a constant when a rule set it, else the packet's
                key = work.get(Field.TUN_ID);
            } else {
                key = tunIdSet ? tunId : tn.key();
            }
            int remote = tn.remoteIp();
            long remoteHi = 0;
            long remoteLo = 0;
            if (tn.isIpv6()) {
                remoteHi = tn.ipv6().remoteHi();
                remoteLo = tn.ipv6().remoteLo();
                if (tn.remoteFlow()) {
                    pin(Field.TUN_IPV6_DST_HI);
                    pin(Field.TUN_IPV6_DST_LO);
                    remoteHi = work.get(Field.TUN_IPV6_DST_HI);
                    remoteLo = work.get(Field.TUN_IPV6_DST_LO);
                    if ((remoteHi == 0 && remoteLo == 0) || (remoteHi == tn.ipv6().localHi() && remoteLo == tn.ipv6().localLo())) {
                        return; // as for IPv4 below: no tun_dst set, or ours
                    }
                }
            } else if (tn.remoteFlow()) {
                pin(Field.TUN_IPV4_DST);
                remote = (int) work.get(Field.TUN_IPV4_DST);
                if (remote == 0 || remote == tn.localIp()) {
                    // remote_ip=flow and no rule set tun_dst: nowhere to send it (OVS drops it too); a
                    // packet received from a tunnel still carries its outer destination, ours, and
                    // sending it there would loop it back to us.
                    return;
                }
            }
            boolean ip = isIp();
            int tos = tn.tos();
            if (tos == org.offloadbridge.flow.Tunnel.INHERIT) {
                if (ip) {
                    pinBits(Field.NW_TOS, DSCP_MASK);
                }
                tos = ip ? (int) work.get(Field.NW_TOS) & DSCP_MASK : 0;
            }
            if (ip) {
                // ECN is always the inner packet's, whatever tos says, CE sent as ECT(0) (OVS's
                // tnl_port_send; the kernel's INET_ECN_encapsulate): a CE mark on the outer header
                // is then one the underlay made. Pinned, as OVS pins it (ip_tos 0/0x3 in its tc
                // flows): a NIC builds an offloaded encap flow's outer header once, from the
                // flow's tunnel_key tos, so that must carry this packet's ECN.
                pinBits(Field.NW_TOS, ECN_MASK);
                int ecn = (int) work.get(Field.NW_TOS) & ECN_MASK;
                tos = (tos & DSCP_MASK) | (ecn == ECN_CE ? ECN_ECT_0 : ecn);
            }
            int ttl = tn.ttl();
            if (ttl == org.offloadbridge.flow.Tunnel.INHERIT) {
                if (ip) {
                    pin(Field.NW_TTL);
                }
                ttl = ip ? (int) work.get(Field.NW_TTL) : org.offloadbridge.flow.Tunnel.DEFAULT_TTL;
            }
            int flags = tn.csum() ? org.offloadbridge.flow.FlowKey.TUN_F_CSUM : 0;
            // The set(tunnel) in force now, compared value by value: a hash of them could collide
            // and send a packet into the previous output's tunnel.
            long[] now = tunnelNow;
            now[0] = key;
            now[1] = remote & 0xffffffffL;
            now[2] = remoteHi;
            now[3] = remoteLo;
            now[4] = tn.localIp() & 0xffffffffL;
            now[5] = tn.isIpv6() ? tn.ipv6().localHi() : 0;
            now[6] = tn.isIpv6() ? tn.ipv6().localLo() : 0;
            now[7] = (long) tos << 40 | (long) ttl << 32 | (long) flags << 16 | tn.dstPort();
            if (!lastTunnelSet || !java.util.Arrays.equals(now, lastTunnelValues)) {
                System.arraycopy(now, 0, lastTunnelValues, 0, now.length);
                lastTunnelSet = true;
                if (tn.isIpv6()) {
                    out.setTunnelIpv6(key, tn.ipv6().localHi(), tn.ipv6().localLo(), remoteHi, remoteLo, tos, ttl, 0, tn.dstPort(), flags);
                } else {
                    out.setTunnelIpv4(key, tn.localIp(), remote, tos, ttl, 0, tn.dstPort(), flags);
                }
            }
        }
        out.output(p.dpPort());
    }

    private void flood() {
        int in = inPort();
        for (BridgePort p : ports.ports()) {
            if (p.ofPort() != in) {
                output(p);
            }
        }
    }

    private void normal() {
        pin(Field.ETH_SRC);
        pin(Field.ETH_DST);
        // The learning VLAN: the outer tag's VID, or 0 untagged. Tag presence decides which,
        // and an untagged packet's VID bits decide nothing (as OVS, which pins no VID then).
        wc.setExact(Field.VLAN0_CFI);
        if (work.get(Field.VLAN0_CFI) != 0) {
            wc.setExact(Field.VLAN0_VID);
        }
        int vlan = work.get(Field.VLAN0_CFI) != 0 ? (int) work.get(Field.VLAN0_VID) : 0;
        int in = inPort();
        long src = work.ethSrc();
        long dst = work.ethDst();
        if (mayLearn) {
            macs.learn(vlan, src, in);
        }
        if ((dst & 0x010000000000L) != 0) {
            flood();
            return;
        }
        if (nMacLookups == macLookups.length) {
            macLookups = java.util.Arrays.copyOf(macLookups, nMacLookups * 2);
        }
        macLookups[nMacLookups++] = MacLearningTable.key(vlan, dst);
        int port = macs.lookup(vlan, dst);
        if (port < 0) {
            flood();
        } else if (port != in) {
            output(ports.byOfPort(port));
        }
    }

    private static String dotted(long a) {
        return org.offloadbridge.flow.FlowFormat.formatIpv4(a);
    }

    /**
     * RFC 6040 decapsulation, as OVS's tnl_port_receive: an outer header marked CE (congestion on
     * the underlay) marks an ECN-capable inner IP packet CE, and drops one that is not ECN-capable
     * (it could not carry the mark on). The kernel's VXLAN device does the same to a packet it
     * decapsulates, but a NIC decapsulating an offloaded flow does not: the megaflow must say it.
     * So a decap flow matches the outer ECN bits (enc_tos with mask 0x3, e.g. {@code enc_tos 0/0x3}
     * as tc prints Not-ECT; OVS matches the whole outer ToS), and the inner ones when the outer is
     * CE. The drop is a flow like any other (no
     * actions), so such packets do not upcall one by one.
     *
     * @return false when the packet is dropped here, before any table
     */
    private boolean decapsulateEcn(FlowKey packet) {
        wc.unwildcard(Field.TUN_TOS, ECN_MASK);
        if ((packet.get(Field.TUN_TOS) & ECN_MASK) != ECN_CE || !isIp()) {
            return true;
        }
        wc.unwildcard(Field.NW_TOS, ECN_MASK);
        long tos = work.get(Field.NW_TOS);
        if ((tos & ECN_MASK) == ECN_NOT_ECT) {
            return false;
        }
        work.set(Field.NW_TOS, tos | ECN_CE);
        dirty.unwildcard(Field.NW_TOS, ECN_MASK);
        return true;
    }

    /** The ToS byte's (IPv6 traffic class's) two parts, and the ECN codepoints (RFC 3168). */
    private static final int DSCP_MASK = 0xfc, ECN_MASK = 0x03, ECN_NOT_ECT = 0, ECN_ECT_0 = 2, ECN_CE = 3;

    /** IPv4 or IPv6 (eth_type is pinned by the baseline, so asking costs the mask nothing). */
    private boolean isIp() {
        int eth = work.ethType();
        return eth == org.offloadbridge.flow.EthType.IP || eth == org.offloadbridge.flow.EthType.IPV6;
    }

    private void decTtl() {
        int eth = work.ethType();
        if (eth != EthType.IP && eth != EthType.IPV6) {
            return;
        }
        pin(Field.NW_TTL); // a TTL set by mod_nw_ttl is a constant; one from the packet is not
        long ttl = work.get(Field.NW_TTL);
        if (ttl <= 1) {
            // OVS sends such packets to the controller (invalid_ttl) and stops; we have no
            // controller connection, so the packet stops here.
            exit = true;
            return;
        }
        work.set(Field.NW_TTL, ttl - 1);
        dirty.setExact(Field.NW_TTL);
    }

    private void setField(OfAction.SetField s) {
        MatchField f = s.field();
        switch (f) {
            case TUN_ID -> {
                tunId = (work.get(Field.TUN_ID) & ~s.mask()) | (s.value() & s.mask());
                tunIdSet = true;
                work.set(Field.TUN_ID, tunId);
                constant.unwildcard(Field.TUN_ID, s.mask());
                if (s.mask() != -1L) {
                    // The unmasked bits of the key reach the tunnel header: pin them.
                    pin(Field.TUN_ID);
                }
                return;
            }
            case TUN_SRC, TUN_DST -> {
                // Outer addresses come from the tunnel port's configuration; later lookups see the value.
                Binding.write(f, s.valueHi(), s.value(), s.maskHi(), s.mask(), workSink, constant);
                return;
            }
            default -> {
            }
        }
        Binding.write(f, s.valueHi(), s.value(), s.maskHi(), s.mask(), workSink, dirty);
        Binding.write(f, s.valueHi(), s.value(), s.maskHi(), s.mask(), null, constant);
    }

    private void touchVlans() {
        // Every VLAN decision (push or rewrite, what commit emits) reads the original tags:
        // how many there are, and all of each tag that is there. Fields of an absent tag
        // decide nothing (loadVlans ignores them), so they stay wildcarded, as in OVS.
        wc.setExact(Field.VLAN0_CFI);
        wc.setExact(Field.VLAN0_TPID);
        if (origTags >= 1) {
            wc.setExact(Field.VLAN0_VID);
            wc.setExact(Field.VLAN0_PCP);
            wc.setExact(Field.VLAN1_CFI);
            wc.setExact(Field.VLAN1_TPID);
        }
        if (origTags == 2) {
            wc.setExact(Field.VLAN1_VID);
            wc.setExact(Field.VLAN1_PCP);
        }
    }

    private void pushTag(int tpid, int tci) {
        if (wTags == MAX_VLAN_TAGS) {
            error = "more than " + MAX_VLAN_TAGS + " VLAN tags";
            exit = true;
            return;
        }
        wTpid[wTags] = tpid;
        wTci[wTags++] = tci | 0x1000;
    }

    /** Writes the working tag stack back into the working key (outer tag = vlan0). */
    private void storeVlans() {
        for (int t = 0; t < 2; t++) {
            int idx = wTags - 1 - t;
            int tci = idx >= 0 ? wTci[idx] : 0;
            int tpid = idx >= 0 ? wTpid[idx] : 0;
            work.set(t == 0 ? Field.VLAN0_VID : Field.VLAN1_VID, tci & 0xfff);
            work.set(t == 0 ? Field.VLAN0_CFI : Field.VLAN1_CFI, (tci >>> 12) & 1);
            work.set(t == 0 ? Field.VLAN0_PCP : Field.VLAN1_PCP, (tci >>> 13) & 7);
            work.set(t == 0 ? Field.VLAN0_TPID : Field.VLAN1_TPID, tpid);
        }
    }

    /** Emits pending field writes and VLAN changes, so the next output sees them. */
    private void commit() {
        commitSets();
        commitVlans();
    }

    private void commitVlans() {
        int common = 0;
        while (common < cTags && common < wTags && cTpid[common] == wTpid[common] && cTci[common] == wTci[common]) {
            common++;
        }
        for (int i = cTags; i > common; i--) {
            out.popVlan();
        }
        for (int i = common; i < wTags; i++) {
            out.pushVlan(wTpid[i], wTci[i] & 0xfff, (wTci[i] >>> 13) & 7);
        }
        cTags = wTags;
        System.arraycopy(wTpid, 0, cTpid, 0, wTags);
        System.arraycopy(wTci, 0, cTci, 0, wTags);
    }

    private static final Field[] ETH_FIELDS = {Field.ETH_SRC, Field.ETH_DST};
    private static final Field[] IPV4_FIELDS = {Field.IPV4_SRC, Field.IPV4_DST, Field.NW_TOS, Field.NW_TTL};
    private static final Field[] IPV6_FIELDS = {Field.IPV6_SRC_HI, Field.IPV6_SRC_LO, Field.IPV6_DST_HI, Field.IPV6_DST_LO,
        Field.IPV6_LABEL, Field.NW_TOS, Field.NW_TTL};
    private static final Field[] L4_FIELDS = {Field.TP_SRC, Field.TP_DST};

    private void commitSets() {
        if (dirty.isZero()) {
            return;
        }
        commitAttr(KeyAttr.ETHERNET, ETH_FIELDS);
        int eth = work.ethType();
        if (eth == EthType.IP) {
            commitAttr(KeyAttr.IPV4, IPV4_FIELDS);
        } else if (eth == EthType.IPV6) {
            commitAttr(KeyAttr.IPV6, IPV6_FIELDS);
        }
        if (!dirty.isWildcard(Field.TP_SRC) || !dirty.isWildcard(Field.TP_DST)) {
            wc.setExact(Field.NW_PROTO);
            KeyAttr l4 = switch (work.nwProto()) {
                case IpProto.TCP -> KeyAttr.TCP;
                case IpProto.UDP -> KeyAttr.UDP;
                case IpProto.SCTP -> KeyAttr.SCTP;
                default -> null;
            };
            if (l4 != null) {
                commitAttr(l4, L4_FIELDS);
            }
        }
        dirty.clear();
    }

    private void commitAttr(KeyAttr attr, Field[] fields) {
        boolean open = false;
        for (Field f : fields) {
            long m = dirty.get(f);
            if (m == 0) {
                continue;
            }
            if (!open) {
                out.beginSet(attr, true);
                open = true;
            }
            // The value's unmasked bits cleared, as OVS's commit_masked_set_action: they are the
            // packet's, which the flow may not match, and would make the actions differ between
            // packets of one megaflow (and from a re-translation of its key).
            out.field(f, work.get(f) & m, m);
        }
        if (open) {
            out.endSet();
        }
    }
}
