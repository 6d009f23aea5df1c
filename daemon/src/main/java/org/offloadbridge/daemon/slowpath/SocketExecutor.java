package org.offloadbridge.daemon.slowpath;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.EthType;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.HeaderEdit;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.TunnelFrame;
import org.offloadbridge.flow.TunnelSet;

/**
 * Executes datapath actions on one packet without DPDK: the slow path's packet-out when the
 * daemon runs on packet sockets. Outputs go to the port's miss device ({@link PacketSocket}),
 * whose catch-all sends them out of the port. Header rewrites are {@link HeaderEdit}'s, the same
 * code the DPDK path runs; VLAN push/pop are done on this executor's own frame buffer, which has
 * headroom for one tag per action.
 *
 * <p>Output to a tunnel device (a VXLAN device tunnel ports share) sends the frame with the
 * inject trailer of the last {@code set(tunnel(…))} behind it ({@code flow.TunnelFrame}); the
 * kernel side's program encapsulates it as the trailer says. What it can't do — a tunnel output
 * without a tunnel set before it, a set the packet doesn't carry — is counted per kind and the
 * packet (or that output) is dropped, never sent half-edited. Not thread-safe: one instance per
 * handler thread.
 */
public final class SocketExecutor {
    /** Room in front of the frame for pushed tags. */
    private static final int HEADROOM = 64;
    private static final int MAX_FRAME = 65536;

    private final IntFunction<PacketSocket> socketOfPort;
    private final java.util.function.IntPredicate tunnelDevice;
    private final PacketSocket.Frame frame = new PacketSocket.Frame(HEADROOM + MAX_FRAME + TunnelFrame.INJECT_TRAILER_LEN);
    /** The tunnel the last set(tunnel) asked for, for outputs to a tunnel device. */
    private final TunnelSet tunnel = new TunnelSet();
    private final MemorySegment seg = MemorySegment.ofBuffer(frame.buffer());

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong noSuchPort = new AtomicLong();
    private final AtomicLong sendDropped = new AtomicLong();
    private final AtomicLong editFailures = new AtomicLong();
    private final AtomicLong unsupported = new AtomicLong();

    /** The executor's counters, one snapshot. */
    public record Counters(long sent, long noSuchPort, long sendDropped, long editFailures, long unsupported) {}

    /** @param socketOfPort the packet socket of a datapath port's miss device, or null when there is none */
    public SocketExecutor(IntFunction<PacketSocket> socketOfPort) {
        this(socketOfPort, port -> false);
    }

    /** @param tunnelDevice whether a datapath port is a tunnel device (its output carries the inject trailer) */
    public SocketExecutor(IntFunction<PacketSocket> socketOfPort, java.util.function.IntPredicate tunnelDevice) {
        this.socketOfPort = socketOfPort;
        this.tunnelDevice = tunnelDevice;
    }

    public Counters counters() {
        return new Counters(sent.get(), noSuchPort.get(), sendDropped.get(), editFailures.get(), unsupported.get());
    }

    /**
     * Runs {@code actions} on {@code packet} (arrived on {@code inPort}).
     *
     * @return false when any part was dropped (counted)
     */
    public boolean execute(int inPort, byte[] packet, Actions actions) {
        if (packet.length > MAX_FRAME) {
            editFailures.getAndIncrement();
            return false;
        }
        int start = HEADROOM;
        int len = packet.length;
        MemorySegment.copy(packet, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, start, len);
        boolean ok = true;
        tunnel.clear();
        for (int pc = 0; pc < actions.programLength(); pc += Actions.length(actions.word(pc))) {
            long h = actions.word(pc);
            int arg = Actions.arg(h);
            switch (Actions.type(h)) {
                case Actions.OUTPUT -> ok &= output(arg, start, len);
                case Actions.PUSH_VLAN -> {
                    if (start < 4 || len < 12) {
                        editFailures.getAndIncrement();
                        return false;
                    }
                    MemorySegment.copy(seg, start, seg, start - 4, 12);
                    start -= 4;
                    len += 4;
                    HeaderEdit.put16(seg, start + 12, arg >>> 16);
                    HeaderEdit.put16(seg, start + 14, arg & 0xffff);
                }
                case Actions.POP_VLAN -> {
                    if (len < 18 || !EthType.isVlan(HeaderEdit.u16(seg, start + 12))) {
                        editFailures.getAndIncrement();
                        return false;
                    }
                    MemorySegment.copy(seg, start, seg, start + 4, 12);
                    start += 4;
                    len -= 4;
                }
                case Actions.SET -> {
                    int attrId = arg & 0xffff;
                    if (attrId == KeyAttr.TUNNEL.id()) {
                        tunnel.load(actions, pc, Actions.length(h));
                        continue;
                    }
                    for (int i = pc + 1; i + 2 < pc + Actions.length(h); i += 3) {
                        Field f = Field.of((int) actions.word(i));
                        if (!HeaderEdit.setField(seg, f, actions.word(i + 1), actions.word(i + 2), start, len)) {
                            editFailures.getAndIncrement();
                            return false;
                        }
                    }
                }
                case Actions.USERSPACE -> { } // the handler already has the packet: nothing to send
                default -> {
                    unsupported.getAndIncrement();
                    return false;
                }
            }
        }
        return ok;
    }

    private boolean output(int port, int start, int len) {
        PacketSocket s = socketOfPort.apply(port);
        if (s == null) {
            noSuchPort.getAndIncrement();
            return false;
        }
        if (tunnelDevice.test(port)) {
            if (!tunnel.set) {
                unsupported.getAndIncrement(); // a tunnel device without a tunnel to send through
                return false;
            }
            tunnel.writeInjectTrailer(seg, start + len);
            len += TunnelFrame.INJECT_TRAILER_LEN;
        }
        if (!s.send(frame, start, len)) {
            sendDropped.getAndIncrement();
            return false;
        }
        sent.getAndIncrement();
        return true;
    }
}
