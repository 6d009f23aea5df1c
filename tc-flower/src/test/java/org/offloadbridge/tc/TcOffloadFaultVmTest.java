package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.FaultPlan;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;
import org.offloadbridge.tc.internal.Flows;

/**
 * The fault matrix at the tc layer, on the real kernel: each netlink fault (injected by
 * {@link FaultPlan} at the socket) against each operation — a batch install, an in-place replace,
 * a batch delete, a dump — with its defined outcome: <b>retried</b> (EINTR, EBUSY: asked once
 * more), <b>settled</b> (ack or reply lost: the kernel is read back, so what we report is what it
 * holds), or <b>reported</b> (ENOSPC, EOPNOTSUPP, ENODEV: the flow's failure with its reason, for
 * the caller to fall back). After every cell, iproute2 ({@code tc -j filter show}) must show
 * exactly the filters TcOffload says it holds: none half-installed, none forgotten, none twice.
 */
@Tag("kernel-vm")
class TcOffloadFaultVmTest {
    private static final int N = 8;
    /** The request of the batch that gets the fault. */
    private static final int VICTIM = 3;
    private static final Pattern COOKIE = Pattern.compile("\"cookie\":\"([0-9a-f]{32})\"");

    private VmNet sw;
    private TcOffload tc;
    private int a;
    private int b;

    @BeforeEach
    void open() {
        FaultPlan.reset();
        FaultPlan.activate(); // before the sockets open: they go through the plan
        sw = new VmNet("fault");
        sw.veth("fa", "fb");
        a = sw.ifindex("fa");
        b = sw.ifindex("fb");
        tc = sw.offload(TcPolicy.NONE);
    }

    @AfterEach
    void close() {
        FaultPlan.reset();
        if (tc != null) {
            tc.close();
        }
        sw.close();
    }

    private List<Megaflow> flows(int outPort) {
        List<Megaflow> out = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            out.add(Flows.on(a).ipv4(17).exact(Field.IPV4_DST, Flows.ip("10.0.0." + (i + 1)))
                .actions(Actions.builder().output(outPort).build()).build());
        }
        return out;
    }

    private static List<Ufid> ufids(List<Megaflow> fs) {
        return fs.stream().map(Megaflow::ufid).toList();
    }

    /** Our filters on device fa as iproute2 shows them: cookie → how many filters carry it. */
    private Map<String, Integer> kernelHolds() {
        Map<String, Integer> out = new TreeMap<>();
        Matcher m = COOKIE.matcher(sw.sh("tc -j filter show dev fa ingress"));
        while (m.find()) {
            out.merge(m.group(1), 1, Integer::sum);
        }
        return out;
    }

    private static String cookie(Ufid u) {
        return java.util.HexFormat.of().formatHex(u.toCookieBytes());
    }

    /** The kernel holds exactly {@code expected}, each once, and TcOffload knows exactly those. */
    private void assertHeldExactly(List<Megaflow> expected, String cell) {
        Map<String, Integer> want = new TreeMap<>();
        for (Megaflow f : expected) {
            want.put(cookie(f.ufid()), 1);
        }
        assertEquals(want, kernelHolds(), cell + ": what the kernel holds (iproute2)");
        for (Megaflow f : flows(b)) {
            assertEquals(expected.stream().anyMatch(e -> e.ufid().equals(f.ufid())), tc.holds(f.ufid()),
                cell + ": TcOffload knows " + f.ufid() + " exactly when the kernel has it");
        }
    }

    private static Predicate<FaultPlan.Request> installs(int index) {
        return r -> r.type() == RTM_NEWTFILTER && r.index() == index;
    }

    private static Predicate<FaultPlan.Request> installsFrom(int index) {
        return r -> r.type() == RTM_NEWTFILTER && r.index() >= index;
    }

    /** The faults a request can meet, with what must become of it. */
    enum Cell {
        EINTR(Fault.refuse(Errno.EINTR), Outcome.RETRIED),
        EBUSY(Fault.refuse(Errno.EBUSY), Outcome.RETRIED),
        ENOSPC(Fault.refuse(Errno.ENOSPC), Outcome.REPORTED),
        EOPNOTSUPP(Fault.refuse(Errno.EOPNOTSUPP), Outcome.REPORTED),
        ENODEV(Fault.refuse(Errno.ENODEV), Outcome.REPORTED),
        ACK_LOST(Fault.of(Fault.Kind.ACK_LOST), Outcome.SETTLED),
        REPLY_LOST(Fault.of(Fault.Kind.REPLY_LOST), Outcome.SETTLED);

        final Fault fault;
        final Outcome outcome;

        Cell(Fault fault, Outcome outcome) {
            this.fault = fault;
            this.outcome = outcome;
        }
    }

    enum Outcome { RETRIED, SETTLED, REPORTED }

    @ParameterizedTest(name = "install batch, request {0}")
    @EnumSource(Cell.class)
    void install(Cell cell) {
        List<Megaflow> fs = flows(b);
        FaultPlan.arm(installs(VICTIM), cell.fault, 1);
        List<TcOutcome> out = tc.installAll(fs, OffloadPreference.PREFERRED);
        assertTrue(FaultPlan.spent(), "the fault was injected");
        List<Megaflow> held = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            TcOutcome o = out.get(i);
            if (i == VICTIM && cell.outcome == Outcome.REPORTED) {
                assertFalse(o.ok(), cell + ": " + o);
                assertEquals(cell.fault.errno(), o.errno(), o.toString());
                assertEquals(switch (cell) {
                    case ENOSPC -> Reason.NO_SPACE;
                    case EOPNOTSUPP -> Reason.KERNEL_UNSUPPORTED;
                    default -> Reason.NO_DEVICE;
                }, o.reason(), o.toString());
            } else {
                assertTrue(o.ok(), cell + " flow " + i + ": " + o);
                held.add(fs.get(i));
            }
        }
        assertHeldExactly(held, "install " + cell);
        TcOffload.Counters c = tc.counters();
        assertEquals(cell.outcome == Outcome.REPORTED ? 0 : 1, Math.min(1, c.settled()), "settled: " + c);
        assertEquals(0, c.unsettled(), c.toString());
    }

    /** A batch whose first k acks arrive and then the socket overruns: the rest are read back, none lost, none twice. */
    @Test
    void installPartialBatch() {
        List<Megaflow> fs = flows(b);
        FaultPlan.arm(installsFrom(VICTIM), Fault.of(Fault.Kind.ACK_LOST), N - VICTIM);
        List<TcOutcome> out = tc.installAll(fs, OffloadPreference.PREFERRED);
        assertTrue(FaultPlan.spent());
        for (TcOutcome o : out) {
            assertTrue(o.ok(), o.toString());
        }
        assertHeldExactly(fs, "partial batch");
        assertEquals(N - VICTIM, tc.counters().settled(), tc.counters().toString());
    }

    /**
     * The ack is lost and so is the read-back's reply: the outcome stays unknown, reported as a
     * failure; the filter the kernel holds is not forgotten for long — the next dump learns it
     * (the revalidator then deletes it unless a flow owns it).
     */
    @Test
    void installWhoseReadBackFailsTooIsLearnedByTheNextDump() {
        List<Megaflow> fs = flows(b).subList(0, 1);
        tc.dump(a); // the device is known (its qdisc made, its filters learned): the next dump is the read-back
        FaultPlan.arm(installs(0), Fault.of(Fault.Kind.ACK_LOST), 1);
        FaultPlan.arm(r -> r.type() == RTM_GETTFILTER && (r.flags() & NLM_F_DUMP) == NLM_F_DUMP, Fault.of(Fault.Kind.ACK_LOST), 1);
        TcOutcome o = tc.installAll(fs, OffloadPreference.PREFERRED).get(0);
        assertFalse(o.ok(), o.toString());
        assertEquals(Errno.ENOBUFS.value(), o.errno(), o.toString());
        assertEquals(1, tc.counters().unsettled(), tc.counters().toString());
        assertEquals(Map.of(cookie(fs.get(0).ufid()), 1), kernelHolds(), "the kernel did it");
        List<TcFlow> dumped = tc.dump(a);
        assertEquals(1, dumped.size(), dumped.toString());
        assertTrue(tc.holds(fs.get(0).ufid()), "learned from the dump");
        assertTrue(tc.delete(fs.get(0).ufid()).ok());
        assertHeldExactly(List.of(), "after the delete");
    }

    @ParameterizedTest(name = "replace in place, request {0}")
    @EnumSource(value = Cell.class, names = {"EINTR", "EBUSY", "ENOSPC", "ACK_LOST", "REPLY_LOST"})
    void replaceInPlace(Cell cell) {
        Megaflow before = flows(b).get(0);
        assertTrue(tc.install(before, OffloadPreference.PREFERRED).ok());
        String handleBefore = sw.sh("tc -j filter show dev fa ingress");
        Megaflow after = new Megaflow(before.key(), before.mask(), Actions.DROP, before.ufid());
        FaultPlan.arm(r -> r.type() == RTM_NEWTFILTER, cell.fault, 1);
        TcOutcome o = tc.replace(after, OffloadPreference.PREFERRED);
        assertTrue(FaultPlan.spent());
        assertTrue(o.ok(), cell + ": " + o);
        assertHeldExactly(List.of(after), "replace " + cell);
        String show = sw.sh("tc -j filter show dev fa ingress");
        assertTrue(show.contains("\"gact\"") || show.contains("drop"), "the new actions are in the kernel: " + show);
        if (cell != Cell.ENOSPC) { // ENOSPC on the swap: delete-then-add, a new handle (said in the outcome)
            assertEquals(handleOf(handleBefore), handleOf(show), "in place: the same filter");
        } else {
            assertTrue(o.detail() != null && o.detail().contains("delete-then-add"), o.toString());
        }
    }

    private static String handleOf(String json) {
        Matcher m = Pattern.compile("\"handle\":\"?([0-9a-fx]+)").matcher(json);
        assertTrue(m.find(), json);
        return m.group(1);
    }

    @ParameterizedTest(name = "delete batch, request {0}")
    @EnumSource(value = Cell.class, names = {"EINTR", "EBUSY", "ACK_LOST", "REPLY_LOST"})
    void delete(Cell cell) {
        List<Megaflow> fs = flows(b);
        for (TcOutcome o : tc.installAll(fs, OffloadPreference.PREFERRED)) {
            assertTrue(o.ok(), o.toString());
        }
        FaultPlan.arm(r -> r.type() == RTM_DELTFILTER && r.index() == VICTIM, cell.fault, 1);
        List<TcOutcome> out = tc.deleteAll(ufids(fs));
        assertTrue(FaultPlan.spent());
        for (TcOutcome o : out) {
            assertTrue(o.ok(), cell + ": " + o);
        }
        assertHeldExactly(List.of(), "delete " + cell);
        assertTrue(tc.counters().settled() >= 1, tc.counters().toString());
    }

    /** A delete the kernel refuses for good is reported, and the filter is still known (it is still there). */
    @Test
    void deleteRefusedIsReportedAndTheFilterStaysKnown() {
        List<Megaflow> fs = flows(b).subList(0, 1);
        assertTrue(tc.installAll(fs, OffloadPreference.PREFERRED).get(0).ok());
        FaultPlan.arm(r -> r.type() == RTM_DELTFILTER, Fault.refuse(Errno.EPERM), 1);
        TcOutcome o = tc.delete(fs.get(0).ufid());
        assertFalse(o.ok(), o.toString());
        assertEquals(Errno.EPERM.value(), o.errno());
        assertHeldExactly(fs, "delete refused");
    }

    /**
     * NLM_F_DUMP_INTR mid-dump: restarted, every flow once. ENOBUFS, a lost reply or EINTR: walked
     * again, whole. The same fault on every walk: reported, and the next dump is whole.
     */
    @Test
    void dumpUnderFaults() {
        List<Megaflow> fs = flows(b);
        tc.installAll(fs, OffloadPreference.PREFERRED);
        Predicate<FaultPlan.Request> dumps = r -> r.type() == RTM_GETTFILTER && (r.flags() & NLM_F_DUMP) == NLM_F_DUMP;
        FaultPlan.arm(dumps, Fault.of(Fault.Kind.DUMP_INTR), 1);
        assertEquals(N, tc.dump(a).size(), "restarted: every flow once");
        assertTrue(FaultPlan.spent());
        for (Fault f : List.of(Fault.of(Fault.Kind.ACK_LOST), Fault.of(Fault.Kind.REPLY_LOST), Fault.refuse(Errno.EINTR))) {
            long retries = tc.counters().dumpRetries();
            FaultPlan.arm(dumps, f, 1);
            assertEquals(N, tc.dump(a).size(), f + ": walked again, whole");
            assertEquals(retries + 1, tc.counters().dumpRetries(), tc.counters().toString());
            FaultPlan.arm(dumps, f, TcOffload.DUMP_ATTEMPTS);
            NetlinkException e = assertThrows(NetlinkException.class, () -> tc.dump(a), f.toString());
            assertTrue(Map.of(Fault.Kind.ACK_LOST, Errno.ENOBUFS, Fault.Kind.REPLY_LOST, Errno.ETIMEDOUT,
                Fault.Kind.REFUSE, Errno.EINTR).get(f.kind()) == e.errno(), f + ": " + e);
            assertEquals(N, tc.dump(a).size(), "after " + f + " the next dump is whole");
        }
        assertHeldExactly(fs, "dumps");
    }

    /** The device goes between the decision and the install: reported as no-device, nothing left, nothing remembered. */
    @Test
    void deviceGoneBetweenDecisionAndInstall() {
        List<Megaflow> fs = flows(b).subList(0, 2);
        FaultPlan.armAction(installs(0), () -> sw.sh("ip link del fa"));
        List<TcOutcome> out = tc.installAll(fs, OffloadPreference.PREFERRED);
        for (TcOutcome o : out) {
            assertFalse(o.ok(), o.toString());
            assertEquals(Reason.NO_DEVICE, o.reason(), o.toString());
        }
        for (Megaflow f : fs) {
            assertFalse(tc.holds(f.ufid()));
        }
        assertEquals(List.of(), tc.dump(a), "a device that is gone has no filters");
    }
}
