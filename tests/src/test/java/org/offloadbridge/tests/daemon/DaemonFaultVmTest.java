package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REPLACE;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.offloadbridge.tests.daemon.TwoHosts.await;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.FaultPlan;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;
import org.offloadbridge.revalidator.ConsistencyCheck;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.upcall.DatapathConfig;
import org.offloadbridge.upcall.handler.Ukey;

/**
 * The fault matrix at the daemon: netlink faults injected at the socket
 * ({@link FaultPlan}) while the daemon installs, modifies, moves and dumps flows on the real
 * kernel. After each step settles, the consistency check ({@link ConsistencyCheck}: ukeys against
 * what tc holds, by cookie) finds nothing, and a ping between the hosts arrives exactly once
 * (no loss, no duplicate). The tc layer's own matrix, cell by cell, is tc-flower's
 * {@code TcOffloadFaultVmTest}; random work under random faults, kill -9 among it, is
 * {@link SeededSoakVmTest}.
 */
@Tag("kernel-vm")
@Timeout(1800)
class DaemonFaultVmTest {
    /**
     * A rule for each destination port the tests send to (20000-22999): a megaflow matches the
     * whole tp_dst of the rule it hit, so every port is a flow of its own (one drop rule alone
     * would make the classifier look at only the bits that tell a port from 9).
     */
    static final String RULES = rules();

    private static String rules() {
        StringBuilder b = new StringBuilder("priority=20,udp,tp_dst=9,actions=drop\n");
        for (int p = 20_000; p < 23_000; p++) {
            b.append("priority=25,udp,tp_dst=").append(p).append(",actions=normal\n");
        }
        return b.append("priority=0,actions=normal\n").toString();
    }

    private TwoHosts n;
    private NetNs ns;
    private Daemon d;
    private int nextPort = 20_000;

    @BeforeAll
    static void clsU32() {
        Shell.ok("modprobe", "cls_u32");
    }

    static DaemonSettings settings() {
        DatapathConfig dc = new DatapathConfig().hwOffload(true).maxIdleMillis(600_000).maxRevalidatorMillis(500)
            .tcPolicy(TcPolicy.NONE).handlerThreads(1).revalidatorThreads(1);
        return new DaemonSettings(dc, List.of("p1", "p2"), RULES, false, List.of(), false, 1, false);
    }

    @BeforeEach
    void start() {
        FaultPlan.reset();
        FaultPlan.activate(); // the daemon's sockets open through the plan
        n = TwoHosts.create("dflt", false);
        ns = NetNs.open(n.sw().name());
        d = ns.call(() -> Daemon.start(settings(), MonotonicClock.SYSTEM));
    }

    @AfterEach
    void stop() {
        FaultPlan.reset();
        if (d != null) {
            d.close();
        }
        ns.close();
        n.close();
    }

    // ---- what the tests do and look at ----

    /** Two datagrams h1 → h2 to a port no flow has seen: a new megaflow (in_port p1, udp dst=port). */
    private int newFlow() {
        int port = nextPort++;
        n.h1().ok("python3", "-c", "import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            + "for i in range(2): s.sendto(b'x',('10.9.0.2'," + port + "))");
        return port;
    }

    private Ukey flowTo(int port) {
        for (Ukey u : DaemonVmTest.all(d)) {
            if (u.megaflow().key().get(Field.NW_PROTO) == 17 && u.megaflow().key().get(Field.TP_DST) == port
                && !u.megaflow().mask().isWildcard(Field.TP_DST)) {
                return u;
            }
        }
        return null;
    }

    private Ukey awaitFlow(int port, Predicate<Ukey> placed) throws InterruptedException {
        Ukey[] u = {null};
        long ms = await(20_000, () -> (u[0] = flowTo(port)) != null && placed.test(u[0]));
        assertTrue(ms >= 0, "flow to port " + port + " placed as expected: " + (u[0] == null ? "no ukey" : u[0].layer() + " "
            + u[0].reasonText()) + "\n" + DaemonVmTest.describe(d) + "injected " + FaultPlan.injected());
        return u[0];
    }

    /** Waits for {@code rounds} more revalidator rounds. */
    private void rounds(int rounds) throws InterruptedException {
        long r0 = d.revalidators().counters().rounds();
        assertTrue(await(30_000, () -> d.revalidators().counters().rounds() >= r0 + rounds) >= 0,
            "revalidator rounds go on: " + d.revalidators().counters());
    }

    /**
     * The step has settled when the consistency check finds nothing (it confirms each finding with
     * a second look, so a flow mid-move is not a finding). Faults are paused while it reads.
     */
    private ConsistencyCheck.Report assertConsistent(String step) throws InterruptedException {
        FaultPlan.pauseRandom(true);
        try {
            ConsistencyCheck.Report[] r = {null};
            long ms = await(30_000, () -> (r[0] = ConsistencyCheck.run(d.ukeys(), d.layers())).clean() && r[0].tcChecked());
            assertTrue(ms >= 0, step + ": the consistency check finds nothing:\n" + (r[0] == null ? "" : r[0].text())
                + DaemonVmTest.describe(d));
            return r[0];
        } finally {
            FaultPlan.pauseRandom(false);
        }
    }

    /** A ping across arrives exactly once: no loss, no duplicate. */
    private void assertTrafficOnce(String step) {
        // Three pings of one echo each, each waiting up to 10 s for its answer. One `ping -c 3`
        // waits for a missing answer only twice the others' round trip once some are back (an
        // echo held 300 ms behind an install counted as lost though it arrived); `-w` makes it
        // send a fourth echo when answers are slow and count that one lost when it exits.
        String out = n.h1().sh("for i in 1 2 3; do ping -c 1 -W 10 10.9.0.2; done");
        assertTrue(TwoHosts.answeredOnce(out, 3), step + ": " + out + DaemonVmTest.describe(d)
            + d.upcallCounters() + "\n" + d.revalidators().counters() + "\nfaults " + FaultPlan.injected());
    }

    private static Predicate<FaultPlan.Request> flowInstalls() {
        return r -> r.type() == RTM_NEWTFILTER && (r.flags() & NLM_F_ECHO) != 0 && (r.flags() & NLM_F_REPLACE) == 0;
    }

    private static Predicate<FaultPlan.Request> flowReplaces() {
        return r -> r.type() == RTM_NEWTFILTER && (r.flags() & NLM_F_REPLACE) != 0;
    }

    private static Predicate<FaultPlan.Request> filterDumps() {
        return r -> r.type() == RTM_GETTFILTER && (r.flags() & NLM_F_DUMP) == NLM_F_DUMP;
    }

    /** Every tc filter request the daemon makes: adds, replaces, deletes, gets and dumps. */
    private static Predicate<FaultPlan.Request> filterRequests() {
        return r -> r.type() == RTM_NEWTFILTER || r.type() == RTM_DELTFILTER || r.type() == RTM_GETTFILTER;
    }

    private boolean ourFilterFor(Ukey u) {
        String cookie = java.util.HexFormat.of().formatHex(u.ufid().toCookieBytes());
        return n.sw().sh("tc -j filter show dev p1 ingress").contains(cookie);
    }

    // ---- the matrix ----

    /**
     * A new flow's install meets each fault: EINTR/EBUSY are asked again, a lost ack or reply is
     * read back — both land in tc; ENOSPC/EOPNOTSUPP are reported and the flow falls back to the
     * slow path with that reason, leaving nothing in tc.
     */
    @Test
    void installUnderEachFault() throws Exception {
        record Cell(Fault fault, FlowLayer layer, Reason reason) {
        }
        List<Cell> cells = List.of(
            new Cell(Fault.refuse(Errno.EINTR), FlowLayer.TC_SW, null),
            new Cell(Fault.refuse(Errno.EBUSY), FlowLayer.TC_SW, null),
            new Cell(Fault.of(Fault.Kind.ACK_LOST), FlowLayer.TC_SW, null),
            new Cell(Fault.of(Fault.Kind.REPLY_LOST), FlowLayer.TC_SW, null),
            new Cell(Fault.refuse(Errno.ENOSPC), FlowLayer.NONE, Reason.NO_SPACE),
            new Cell(Fault.refuse(Errno.EOPNOTSUPP), FlowLayer.NONE, Reason.KERNEL_UNSUPPORTED));
        assertTrafficOnce("before");
        for (Cell c : cells) {
            FaultPlan.arm(flowInstalls(), c.fault(), 1);
            int port = newFlow();
            Ukey u = awaitFlow(port, x -> x.layer() == c.layer() && (c.reason() == null || x.reason() == c.reason()));
            assertTrue(FaultPlan.spent(), c + ": injected");
            assertEquals(c.layer() == FlowLayer.TC_SW, ourFilterFor(u), c + ": a filter in tc exactly when the flow is there");
            assertConsistent("install " + c.fault());
            assertTrafficOnce("install " + c.fault());
            System.out.println("DaemonFaultVmTest.install: " + c.fault() + " → " + u.layer() + " " + u.reasonText());
        }
    }

    /**
     * A rule change modifies a flow in place (its actions: output, then drop, then output; the
     * lookup, so the match, stays the same); the replace meets EBUSY, a lost ack, a lost reply:
     * the kernel holds the new actions on the same filter.
     */
    @Test
    void modifyUnderFaults() throws Exception {
        int port = nextPort;
        java.util.function.IntFunction<String> rules = k -> "priority=30,udp,tp_dst=" + port + ",actions="
            + (k % 2 == 0 ? "output:p2" : "drop") + "\n" + RULES;
        d.pipeline().loadRulesFile(rules.apply(0));
        newFlow();
        awaitFlow(port, u -> u.layer() == FlowLayer.TC_SW);
        List<String> handles = n.handles();
        int step = 1;
        for (Fault f : List.of(Fault.refuse(Errno.EBUSY), Fault.of(Fault.Kind.ACK_LOST), Fault.of(Fault.Kind.REPLY_LOST))) {
            long modified = d.revalidators().counters().modified();
            FaultPlan.arm(flowReplaces(), f, 1);
            boolean drop = step % 2 == 1;
            d.pipeline().loadRulesFile(rules.apply(step++));
            assertTrue(await(20_000, () -> d.revalidators().counters().modified() > modified) >= 0,
                f + ": modified " + d.revalidators().counters());
            assertTrue(FaultPlan.spent(), f + ": injected");
            assertConsistent("modify " + f);
            String show = n.sw().sh("tc -j filter show dev p1 ingress");
            assertEquals(drop, show.contains("\"gact\""), f + ": the kernel holds the new actions: " + show);
            assertEquals(handles, n.handles(), f + ": in place, the same filters");
        }
    }

    /** hw-offload off with deletes whose acks are lost, then on with installs refused for now: no filter left behind, all back. */
    @Test
    void policyMovesUnderFaults() throws Exception {
        int a = newFlow();
        int b = newFlow();
        awaitFlow(a, u -> u.layer() == FlowLayer.TC_SW);
        awaitFlow(b, u -> u.layer() == FlowLayer.TC_SW);
        FaultPlan.arm(r -> r.type() == RTM_DELTFILTER, Fault.of(Fault.Kind.ACK_LOST), 2);
        d.setPolicy(false, TcPolicy.NONE);
        assertTrue(await(20_000, () -> n.flower("p1").isEmpty() && n.flower("p2").isEmpty()
            && DaemonVmTest.allIn(d, FlowLayer.NONE)) >= 0, "off: " + n.filters("p1") + DaemonVmTest.describe(d));
        assertConsistent("hw-offload=false");
        assertTrafficOnce("hw-offload=false");
        FaultPlan.arm(flowInstalls(), Fault.refuse(Errno.EBUSY), 2);
        d.setPolicy(true, TcPolicy.NONE);
        assertTrue(await(20_000, () -> flowTo(a) != null && flowTo(a).layer() == FlowLayer.TC_SW
                && flowTo(b) != null && flowTo(b).layer() == FlowLayer.TC_SW) >= 0,
            "back in tc: " + DaemonVmTest.describe(d) + d.revalidators().counters() + "\n" + d.upcallCounters() + "\ninjected "
                + FaultPlan.injected());
        assertConsistent("hw-offload=true");
        assertTrafficOnce("hw-offload=true");
        System.out.println("DaemonFaultVmTest.policy: injected " + FaultPlan.injected());
    }

    /** The revalidator's dump interrupted, overrun, unanswered: its round is restarted or skipped — no flow judged missing. */
    @Test
    void revalidatorDumpsUnderFaults() throws Exception {
        int port = newFlow();
        awaitFlow(port, u -> u.layer() == FlowLayer.TC_SW);
        rounds(2);
        long reinstalled = d.revalidators().counters().missingReinstalled();
        long extra = d.revalidators().counters().extraDeleted();
        List<String> handles = n.handles();
        for (Fault f : List.of(Fault.of(Fault.Kind.DUMP_INTR), Fault.of(Fault.Kind.ACK_LOST), Fault.of(Fault.Kind.REPLY_LOST),
                Fault.refuse(Errno.EINTR))) {
            FaultPlan.arm(filterDumps(), f, 1);
            rounds(2);
            assertTrue(FaultPlan.spent(), f + ": injected");
            assertConsistent("dump " + f);
        }
        assertEquals(reinstalled, d.revalidators().counters().missingReinstalled(), "no flow judged missing");
        assertEquals(extra, d.revalidators().counters().extraDeleted(), "no flow judged extra");
        assertEquals(handles, n.handles(), "the same filters throughout");
    }

    /** A filter deleted behind our back while the event socket overruns (the event is lost): the resync puts it back. */
    @Test
    void lostEventsAreResynced() throws Exception {
        int port = newFlow();
        Ukey u = awaitFlow(port, x -> x.layer() == FlowLayer.TC_SW);
        List<String> before = n.handles();
        long resyncs = d.revalidators().counters().resyncs();
        FaultPlan.loseEvents(1);
        TwoHosts.Filter victim = n.flower("p1").stream().filter(f -> true).findFirst().orElseThrow();
        n.sw().tc("filter", "del", "dev", "p1", "ingress", "pref", Integer.toString(victim.pref()), "handle", victim.handle(), "flower");
        assertTrue(await(20_000, () -> n.flower("p1").size() == before.stream().filter(h -> h.startsWith("p1:")).count()) >= 0,
            "put back after the lost event: " + n.filters("p1") + DaemonVmTest.describe(d));
        assertTrue(d.revalidators().counters().resyncs() > resyncs, "a resync: " + d.revalidators().counters());
        assertEquals(Map.of("EVENTS_LOST", 1L), FaultPlan.injected());
        assertTrue(ourFilterFor(u) || n.flower("p1").size() == before.stream().filter(h -> h.startsWith("p1:")).count());
        assertConsistent("lost event");
        assertTrafficOnce("lost event");
    }
}
