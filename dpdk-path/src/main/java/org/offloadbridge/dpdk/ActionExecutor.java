package org.offloadbridge.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.offloadbridge.dpdk.internal.PacketEdit;
import org.offloadbridge.dpdk.internal.Vxlan;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteMbuf;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.TunnelFrame;
import org.offloadbridge.flow.TunnelSet;
import org.offloadbridge.flow.UpcallQueue;

/**
 * Executes an {@link Actions} program on a batch of mbufs, in place, allocation-free: output
 * (buffered per port, flushed as tx bursts), drop, push/pop VLAN, set fields with checksum
 * fix-up, userspace (an upcall with a copy). The datapath's action engine: one instance per
 * thread that transmits (each PMD, and packet-out — {@link DpdkDatapath#execute}), because it owns
 * one tx queue on every port.
 *
 * <p>Output semantics follow the OVS datapath: an output that is not the last action sends a
 * copy (rte_pktmbuf_copy), so later actions do not change what was already sent; the last
 * output sends the packet itself; a list that does not end in output frees the packet.
 * Header edits touch only the first segment; a packet whose headers do not fit there is left
 * unchanged for that action and counted ({@link DatapathCounters#editFailures()}).
 *
 * <p>Tunnels: {@code set(tunnel(...))} loads encap metadata for the rest of this execution (as
 * OVS's set of the tunnel key on the packet); an output to a VXLAN port then prepends the outer
 * headers in the mbuf headroom (rte_pktmbuf_prepend by hand: data_off/data_len/pkt_len) and
 * outputs on the tunnel's underlay port. Too little headroom or no metadata: counted drop.
 */
final class ActionExecutor {

    static final int TX_BUFFER = 64;
    private static final MemorySegment M = NativeLibs.ALL;

    private final Ports ports;
    private final int txQueue;
    private final long pool;
    private final UpcallQueue upcalls;
    private final Arena arena = Arena.ofShared();
    /** tx staging: TX_BUFFER mbuf pointers per datapath port. */
    private final MemorySegment txBuf = arena.allocate((long) Ports.MAX_PORTS * TX_BUFFER * 8, 64);
    private final long txBase = txBuf.address();
    private final int[] txCount = new int[Ports.MAX_PORTS];
    private final int[] dirty = new int[Ports.MAX_PORTS];
    private int nDirty;
    private final MemorySegment freeBuf = arena.allocate(8L * 256, 64);
    private int nFree;

    private final ThreadCounters counters;

    // set(tunnel(...)) metadata for the execution in progress
    /** The last set(tunnel) of the action list being executed (IPv6 only for the kernel tunnel device's trailer). */
    private final TunnelSet tnl = new TunnelSet();
    /** The outer header {@link #tnl} gives through the VXLAN port being output to. */
    private final Vxlan.Header header = new Vxlan.Header();
    private int ipId;

    /** @param counters the owning thread's counters (tx, drops, edits, tunnels, userspace upcalls) */
    ActionExecutor(Ports ports, int txQueue, long pool, UpcallQueue upcalls, ThreadCounters counters) {
        this.counters = counters;
        this.ports = ports;
        this.txQueue = txQueue;
        this.pool = pool;
        this.upcalls = upcalls;
    }

    /**
     * Runs {@code a} on {@code n} mbufs in {@code pkts}; consumes all of them (sent or freed).
     * {@code key} is the key of the first packet (for userspace upcalls).
     */
    void execute(Actions a, long[] pkts, int n, int inPort, FlowKey key) {
        int len = a.programLength();
        if (tnl.set) {
            tnl.clear(); // what the last list's set(tunnel) loaded (most lists have none: no stores)
        }
        for (int pc = 0; pc < len; ) {
            long h = a.word(pc);
            int type = Actions.type(h);
            int alen = Actions.length(h);
            boolean last = pc + alen >= len;
            switch (type) {
                case Actions.OUTPUT -> {
                    int port = Actions.arg(h);
                    VxlanPort tunnel = ports.tunnel(port);
                    if (last && tunnel == null && ports.tunnelDeviceUdp(port) == 0) {
                        outputAll(port, pkts, n); // most lists end in a plain port: the batch staged, the port checked once
                        break;
                    }
                    if (tunnel != null && tnl.set && !tnl.ipv6) {
                        prepareHeader(tunnel); // once for the batch: every packet gets the same outer header
                    }
                    for (int i = 0; i < n; i++) {
                        long m = pkts[i];
                        if (m == 0) {
                            continue;
                        }
                        if (last) {
                            pkts[i] = 0;
                        } else {
                            m = RteMbuf.rte_pktmbuf_copy(m, pool, 0, -1);
                            if (m == 0) {
                                counters.increment(ThreadCounters.COPY_FAILURES);
                                continue;
                            }
                        }
                        if (tunnel != null) {
                            encapOutput(tunnel, m);
                        } else if (ports.tunnelDeviceUdp(port) != 0) {
                            injectOutput(port, m);
                        } else {
                            output(port, m);
                        }
                    }
                }
                case Actions.PUSH_VLAN -> {
                    int arg = Actions.arg(h);
                    for (int i = 0; i < n; i++) {
                        // the flow encodes CFI=1 as "tag present"; on the wire that bit is DEI and goes out 0 (as OVS)
                        if (pkts[i] != 0 && !PacketEdit.pushVlan(pkts[i], arg >>> 16, arg & 0xefff)) {
                            counters.increment(ThreadCounters.EDIT_FAILURES);
                        }
                    }
                }
                case Actions.POP_VLAN -> {
                    for (int i = 0; i < n; i++) {
                        if (pkts[i] != 0 && !PacketEdit.popVlan(pkts[i])) {
                            counters.increment(ThreadCounters.EDIT_FAILURES);
                        }
                    }
                }
                case Actions.SET -> {
                    if ((Actions.arg(h) & 0xffff) == KeyAttr.TUNNEL.id()) {
                        tnl.load(a, pc, alen);
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (pkts[i] != 0 && !set(a, pc, alen, pkts[i])) {
                            counters.increment(ThreadCounters.EDIT_FAILURES);
                        }
                    }
                }
                case Actions.USERSPACE -> {
                    for (int i = 0; i < n; i++) {
                        if (pkts[i] != 0) {
                            String ud = "pid=" + Integer.toUnsignedString(Actions.arg(h))
                                + a.userspaceArgs((int) a.word(pc + 1));
                            boolean queued = upcalls.offerAction(key, inPort, Mempool.bytesOf(pkts[i]), ud);
                            counters.increment(queued ? ThreadCounters.UPCALLS_QUEUED : ThreadCounters.UPCALLS_DROPPED);
                        }
                    }
                }
                default -> counters.increment(ThreadCounters.EDIT_FAILURES); // unknown action type: install validation prevents it
            }
            pc += alen;
        }
        for (int i = 0; i < n; i++) {
            if (pkts[i] != 0) {
                free(pkts[i]);
                pkts[i] = 0;
            }
        }
        flushFree();
    }

    /**
     * The last action of a list is an output to a plain ethdev port: every packet still held
     * goes to that port's tx buffer, the port looked up and checked once for the batch rather
     * than per packet as {@link #output} does.
     */
    private void outputAll(int dpPort, long[] pkts, int n) {
        EthdevPort p = dpPort >= 0 && dpPort < Ports.MAX_PORTS ? ports.get(dpPort) : null;
        if (p == null) {
            for (int i = 0; i < n; i++) {
                if (pkts[i] != 0) {
                    output(dpPort, pkts[i]); // counts and frees each
                    pkts[i] = 0;
                }
            }
            return;
        }
        long at = txBase + (long) dpPort * TX_BUFFER * 8;
        int c = txCount[dpPort];
        for (int i = 0; i < n; i++) {
            long m = pkts[i];
            if (m == 0) {
                continue;
            }
            pkts[i] = 0;
            if (c == 0) {
                dirty[nDirty++] = dpPort;
            }
            M.set(JAVA_LONG, at + 8L * c, m);
            if (++c == TX_BUFFER) {
                txCount[dpPort] = c;
                flushPort(dpPort, p);
                c = 0;
            }
        }
        txCount[dpPort] = c;
    }

    /** Buffers one mbuf for transmission on a datapath port (frees it when the port is unknown). */
    void output(int dpPort, long m) {
        EthdevPort p = dpPort >= 0 && dpPort < Ports.MAX_PORTS ? ports.get(dpPort) : null;
        if (p == null) {
            counters.increment(ThreadCounters.UNKNOWN_PORT);
            free(m);
            return;
        }
        int c = txCount[dpPort];
        if (c == 0) {
            dirty[nDirty++] = dpPort;
        }
        M.set(JAVA_LONG, txBase + ((long) dpPort * TX_BUFFER + c) * 8, m);
        txCount[dpPort] = ++c;
        if (c == TX_BUFFER) {
            flushPort(dpPort, p);
        }
    }

    /**
     * The outer header of the loaded tunnel metadata sent through {@code t}. Unset fields take
     * the endpoint's defaults: source = local IP, ttl 64, dst port = the endpoint's.
     */
    private void prepareHeader(VxlanPort t) {
        header.prepare(t.nextHopMac(), t.localMac(), tnl.src != 0 ? tnl.src : t.localIp(), tnl.dst, tnl.tos,
            tnl.ttl != 0 ? tnl.ttl : 64, (tnl.flags & FlowKey.TUN_F_DONT_FRAGMENT) != 0,
            tnl.tpDst != 0 ? tnl.tpDst : t.udpPort(), (int) tnl.id);
    }

    /**
     * VXLAN encap of {@code m} with the loaded tunnel metadata ({@link #prepareHeader} done for
     * this output), then output on the underlay. The UDP source port comes from the inner flow
     * hash unless set.
     */
    private void encapOutput(VxlanPort t, long m) {
        if (!tnl.set || tnl.ipv6) {
            // no metadata, or an IPv6 one: the PMD's own VXLAN encap builds IPv4 outer headers only
            counters.increment(ThreadCounters.TUNNEL_NO_METADATA);
            free(m);
            return;
        }
        if (RteMbuf.headroom(m) < Vxlan.ENCAP_LEN) {
            counters.increment(ThreadCounters.TUNNEL_HEADROOM_DROPS);
            free(m);
            return;
        }
        long inner = RteMbuf.mtod(m);
        int sport = tnl.tpSrc != 0 ? tnl.tpSrc : Vxlan.sourcePort(Vxlan.innerHash(M, inner, RteMbuf.dataLen(m)));
        // RFC 6864: the IP ID only matters for fragmentation, so atomic (DF) datagrams send 0
        int id = (tnl.flags & FlowKey.TUN_F_DONT_FRAGMENT) != 0 ? 0 : (ipId = (ipId + 1) & 0xffff);
        header.stamp(M, inner - Vxlan.ENCAP_LEN, id, sport, RteMbuf.pktLen(m));
        PacketEdit.prepend(m, Vxlan.ENCAP_LEN);
        counters.increment(ThreadCounters.TUNNEL_ENCAPS);
        output(t.underlayPort(), m);
    }

    /**
     * Output to a kernel VXLAN device's miss device: the frame with the inject trailer of the
     * loaded tunnel metadata behind it (flow.TunnelFrame); the kernel side's program sets the
     * tunnel key from it and the device encapsulates, with the kernel's route and neighbour.
     */
    private void injectOutput(int port, long m) {
        if (!tnl.set) {
            counters.increment(ThreadCounters.TUNNEL_NO_METADATA);
            free(m);
            return;
        }
        if (RteMbuf.nbSegs(m) != 1 || RteMbuf.tailroom(m) < TunnelFrame.INJECT_TRAILER_LEN) {
            counters.increment(ThreadCounters.TUNNEL_HEADROOM_DROPS);
            free(m);
            return;
        }
        long end = RteMbuf.mtod(m) + RteMbuf.dataLen(m);
        tnl.writeInjectTrailer(M, end);
        PacketEdit.append(m, TunnelFrame.INJECT_TRAILER_LEN);
        counters.increment(ThreadCounters.TUNNEL_ENCAPS);
        output(port, m);
    }

    /** Sends everything buffered. Called at the end of every PMD iteration. */
    void flush() {
        for (int i = 0; i < nDirty; i++) {
            int port = dirty[i];
            if (txCount[port] > 0) {
                flushPort(port, ports.get(port));
            }
        }
        nDirty = 0;
        flushFree();
    }

    private void flushPort(int dpPort, EthdevPort p) {
        int c = txCount[dpPort];
        long at = txBase + (long) dpPort * TX_BUFFER * 8;
        int sent = p == null ? 0 : p.isSharedTx() ? p.txBurstShared(txQueue, at, c) : p.txBurst(txQueue, at, c);
        counters.add(ThreadCounters.TX, sent);
        if (sent < c) {
            counters.add(ThreadCounters.TX_DROPPED, c - sent);
            RteMbuf.rte_pktmbuf_free_bulk(at + 8L * sent, c - sent);
        }
        txCount[dpPort] = 0;
    }

    void free(long m) {
        if (nFree == 256) {
            flushFree();
        }
        freeBuf.setAtIndex(JAVA_LONG, nFree++, m);
    }

    void flushFree() {
        if (nFree > 0) {
            RteMbuf.rte_pktmbuf_free_bulk(freeBuf.address(), nFree);
            nFree = 0;
        }
    }

    /** One SET action: (field, value, mask) triples after the header. */
    private static boolean set(Actions a, int pc, int alen, long m) {
        long base = RteMbuf.mtod(m);
        int len = RteMbuf.dataLen(m);
        boolean ok = true;
        for (int i = pc + 1; i + 2 < pc + alen; i += 3) {
            ok &= HeaderEdit.setField(M, Field.of((int) a.word(i)), a.word(i + 1), a.word(i + 2), base, len);
        }
        return ok;
    }

    void close() {
        arena.close();
    }
}
