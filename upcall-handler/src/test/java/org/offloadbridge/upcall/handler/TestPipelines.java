package org.offloadbridge.upcall.handler;

import java.util.ArrayList;
import java.util.List;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/**
 * The one place tests build pipelines and port tables (and so the one place to fix when the
 * pipeline's port type or constructor changes), and the keys and megaflows tests send.
 * Ports are {@code p1..pN} with OpenFlow number = datapath number = N.
 */
public final class TestPipelines {
    private TestPipelines() {}

    public static final long MAC1 = 0x020000000001L;
    public static final long MAC2 = 0x020000000002L;

    /** A bridge of ports p1..p{@code nPorts} with {@code rules} (ovs-ofctl syntax, one per line) loaded. */
    public static Pipeline bridge(int nPorts, String rules, MonotonicClock clock) {
        List<BridgePort> ports = new ArrayList<>();
        for (int i = 1; i <= nPorts; i++) {
            ports.add(new BridgePort("p" + i, i, i));
        }
        Pipeline p = new Pipeline(new PortTable(ports), clock, 300_000, 0);
        load(p, rules);
        return p;
    }

    /** Replaces the rules (bumps the pipeline's seq). */
    public static void load(Pipeline p, String rules) {
        try {
            p.loadRulesFile(rules);
        } catch (RuleSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The key of a UDP packet 10.0.0.{@code src} → 10.0.0.{@code dst}, ports 1000+src → {@code dport}, from {@code inPort}. */
    public static FlowKey udp(int inPort, int src, int dst, int dport) {
        FlowKey k = new FlowKey();
        k.set(Field.IN_PORT, inPort);
        k.set(Field.ETH_SRC, MAC1);
        k.set(Field.ETH_DST, MAC2);
        k.set(Field.ETH_TYPE, 0x0800);
        k.set(Field.IPV4_SRC, 0x0a000000L | src);
        k.set(Field.IPV4_DST, 0x0a000000L | dst);
        k.set(Field.NW_PROTO, 17);
        k.set(Field.NW_TTL, 64);
        k.set(Field.TP_SRC, 1000 + src);
        k.set(Field.TP_DST, dport);
        k.deriveAttrs(null);
        return k;
    }

    /**
     * The {@code i}-th of many UDP flows from port 1 that differ only in dl_src: distinct
     * megaflows under {@link Rig#RULES}, whose dl_src rule pins dl_src in every mask (ports and
     * addresses would not do: the classifier pins only the prefix bits that prove a miss).
     */
    public static FlowKey distinct(int i) {
        FlowKey k = udp(1, 1, 2, 53);
        k.set(Field.ETH_SRC, 0x020000100000L + i);
        return k;
    }

    /** An exact-match megaflow of {@link #udp} with {@code actions}, built without a pipeline. */
    public static Megaflow exact(int inPort, int src, Actions actions) {
        FlowKey k = udp(inPort, src, 2, 53);
        FlowMask m = new FlowMask();
        for (Field f : new Field[] {Field.IN_PORT, Field.ETH_SRC, Field.ETH_DST, Field.ETH_TYPE, Field.IPV4_SRC,
                Field.IPV4_DST, Field.NW_PROTO, Field.TP_SRC, Field.TP_DST}) {
            m.setExact(f);
        }
        return Megaflow.of(k, m, actions);
    }

    /** {@code output:port} actions. */
    public static Actions output(int... ports) {
        Actions.Builder b = Actions.builder();
        for (int p : ports) {
            b.output(p);
        }
        return b.build();
    }
}
