package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.offloadbridge.netlink.uapi.PktCls.TCA_FLOWER_KEY_TCP_DST;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.netlink.FaultPlan;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;
import org.offloadbridge.tc.internal.Flows;

/**
 * Installs without an echo, against the real kernel (VM), iproute2 as the oracle: the first
 * skip_hw install of a shape asks for its echo, later ones of that shape do not, and each is in
 * the kernel at the handle we chose and reported, decoding back to the flow asked; a filter
 * policy leaves to the kernel's placement always asks; a handle someone else took is retried at
 * the kernel's choice; after a restart (a new instance learning the device) our handles go above
 * every one the kernel holds. In a batch of a new shape only the first asks; the others wait for
 * its echo.
 */
@Tag("kernel-vm")
class TcEchoVmTest {
    private static final Pattern HANDLE = Pattern.compile("handle (0x[0-9a-f]+)");
    private static final Pattern COOKIE = Pattern.compile("cookie ([0-9a-f]+)");
    private VmNet net;
    private int p0;
    private int p1;

    @BeforeEach
    void topology() {
        FaultPlan.reset();
        FaultPlan.activate(); // sockets opened from here go through the plan (faults only where armed)
        net = new VmNet("echo");
        net.veth("p0", "p1");
        p0 = net.ifindex("p0");
        p1 = net.ifindex("p1");
    }

    @AfterEach
    void teardown() {
        FaultPlan.reset();
        net.close();
    }

    private Megaflow tcp(int i) {
        return Flows.on(p0).ipv4(6).exact(Field.IPV4_SRC, 0x0a000000L + i).exact(Field.IPV4_DST, Flows.ip("10.200.0.1"))
                .exact(Field.TP_SRC, 1024 + i).exact(Field.TP_DST, 80).actions(Actions.builder().output(p1).build()).build();
    }

    private List<Megaflow> tcp(int from, int n) {
        List<Megaflow> fs = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            fs.add(tcp(i));
        }
        return fs;
    }

    /** iproute2's view: cookie (our ufid) → handle. */
    private Map<String, Integer> handlesByCookie() {
        Map<String, Integer> byCookie = new HashMap<>();
        int handle = -1;
        for (String line : net.sh("tc filter show dev p0 ingress").split("\n")) {
            Matcher h = HANDLE.matcher(line);
            if (h.find()) {
                handle = Integer.parseUnsignedInt(h.group(1).substring(2), 16);
            }
            Matcher c = COOKIE.matcher(line);
            if (c.find()) {
                byCookie.put(c.group(1), handle);
            }
        }
        return byCookie;
    }

    private static String cookie(Megaflow f) {
        return HexFormat.of().formatHex(f.ufid().toCookieBytes());
    }

    private void assertHeldAtReportedHandles(List<Megaflow> fs, List<TcOutcome> os, TcOffload tc) {
        Map<String, Integer> kernel = handlesByCookie();
        Map<org.offloadbridge.flow.Ufid, TcFlow> dumped = new HashMap<>();
        for (TcFlow d : tc.dump(p0)) {
            dumped.put(d.flow().ufid(), d);
        }
        for (int i = 0; i < fs.size(); i++) {
            TcOutcome o = os.get(i);
            assertTrue(o.ok(), o.toString());
            assertEquals(kernel.get(cookie(fs.get(i))), o.id().handle(), "the handle iproute2 shows for " + fs.get(i).ufid() + " is the one reported");
            assertEquals(fs.get(i), dumped.get(fs.get(i).ufid()).flow(), "the kernel holds the flow asked");
            assertTrue(o.skipHw() && !o.inHw(), o.toString());
        }
    }

    @Test
    void aShapeVouchedForByItsFirstEchoInstallsWithoutOne() {
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            List<Megaflow> first = tcp(0, 1);
            List<TcOutcome> o1 = tc.installAll(first, OffloadPreference.PREFERRED);
            assertEquals(1, tc.counters().echoed(), "the first of a shape asks for its echo: " + tc.counters());
            List<Megaflow> more = tcp(1, 200);
            List<TcOutcome> o2 = tc.installAll(more, OffloadPreference.PREFERRED);
            assertEquals(1, tc.counters().echoed(), "200 more of that shape: no echo: " + tc.counters());
            assertEquals(201, tc.counters().installs());
            List<Megaflow> all = new ArrayList<>(first);
            all.addAll(more);
            List<TcOutcome> os = new ArrayList<>(o1);
            os.addAll(o2);
            assertHeldAtReportedHandles(all, os, tc);
            // Another shape (udp, no source port) asks again, once.
            Megaflow udp = Flows.on(p0).ipv4(17).exact(Field.TP_DST, 53).actions(Actions.builder().output(p1).build()).build();
            assertTrue(tc.install(udp, OffloadPreference.PREFERRED).ok());
            assertEquals(2, tc.counters().echoed(), tc.counters().toString());
            // Deletes and a second round of installs reuse nothing stale.
            tc.deleteAll(more.stream().map(Megaflow::ufid).toList());
            List<TcOutcome> o3 = tc.installAll(more, OffloadPreference.PREFERRED);
            assertEquals(2, tc.counters().echoed(), tc.counters().toString());
            assertHeldAtReportedHandles(more, o3, tc);
        }
    }

    /**
     * A kernel that ignores an attribute (made here by the fault plan: the request reaches it
     * without its dst_port) holds a filter matching more than asked. The first install of the
     * shape asks for its echo, sees the difference, takes the filter back and fails; the shape is
     * not vouched for, so the next installs of it ask again — one at a time in a batch, since
     * they all wait for the first — and only a matching echo stops the asking.
     */
    @Test
    void aFilterTheKernelHoldsOtherwiseIsDetectedAndItsShapeNotTrusted() {
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            FaultPlan.arm(r -> r.type() == RTM_NEWTFILTER, Fault.optionIgnored(TCA_FLOWER_KEY_TCP_DST), 1);
            List<Megaflow> batch = tcp(0, 10);
            List<TcOutcome> os = tc.installAll(batch, OffloadPreference.PREFERRED);
            assertTrue(FaultPlan.spent(), "the kernel was made to ignore dst_port once");
            assertFalse(os.get(0).ok(), os.get(0).toString());
            assertEquals(FlowResult.Reason.KERNEL_REFUSED, os.get(0).reason(), os.get(0).toString());
            assertTrue(os.get(0).detail().contains("echo differs"), os.get(0).detail());
            assertFalse(handlesByCookie().containsKey(cookie(batch.get(0))), "taken back: " + net.sh("tc filter show dev p0 ingress"));
            // The other nine waited for that echo; it did not vouch, so each asked for its own.
            assertEquals(10, tc.counters().echoed(), tc.counters().toString());
            assertHeldAtReportedHandles(batch.subList(1, 10), os.subList(1, 10), tc);
            // Their echoes matched: the shape is vouched for now.
            assertTrue(tc.install(tcp(10), OffloadPreference.PREFERRED).ok());
            assertEquals(10, tc.counters().echoed(), tc.counters().toString());
            assertTrue(net.sh("tc filter show dev p0 ingress").contains("dst_port 80"), "every filter held matches dst_port");
        }
    }

    /** Deletes without final counters (idle flows, counters just dumped): no echo, the filters gone all the same. */
    @Test
    void deletesWithoutFinalCountersRemoveTheFiltersAndReadNoCounters() {
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            List<Megaflow> fs = tcp(0, 20);
            tc.installAll(fs, OffloadPreference.PREFERRED);
            List<TcOutcome> gone = tc.deleteAll(fs.subList(0, 10).stream().map(Megaflow::ufid).toList(), false);
            for (TcOutcome o : gone) {
                assertTrue(o.ok() && o.stats().packets() == 0, o.toString());
            }
            Map<String, Integer> kernel = handlesByCookie();
            for (int i = 0; i < 20; i++) {
                assertEquals(i >= 10, kernel.containsKey(cookie(fs.get(i))), "filter " + i + ": " + kernel);
                assertEquals(i >= 10, tc.holds(fs.get(i).ufid()));
            }
            // Through the FlowTarget seam, as the revalidator deletes idle flows.
            TcFlowTarget target = new TcFlowTarget(tc, org.offloadbridge.flow.MonotonicClock.SYSTEM);
            List<FlowResult> rs = target.deleteIdle(fs.subList(10, 20).stream().map(Megaflow::ufid).toList());
            assertTrue(rs.stream().allMatch(FlowResult::ok), rs.toString());
            assertEquals(Map.of(), handlesByCookie());
        }
    }

    @Test
    void whereTheKernelChoosesThePlacementEveryInstallAsksForItsEcho() {
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            List<Megaflow> fs = tcp(0, 5);
            List<TcOutcome> os = tc.installAll(fs, OffloadPreference.PREFERRED);
            assertEquals(5, tc.counters().echoed(), "in_hw is the echo's to tell: " + tc.counters());
            Map<String, Integer> kernel = handlesByCookie();
            for (int i = 0; i < fs.size(); i++) {
                assertTrue(os.get(i).ok() && !os.get(i).skipHw(), os.get(i).toString());
                assertEquals(kernel.get(cookie(fs.get(i))), os.get(i).id().handle());
            }
        }
    }

    @Test
    void aHandleSomeoneElseTookIsRetriedAtTheKernelsChoice() {
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            List<TcOutcome> os = tc.installAll(tcp(0, 3), OffloadPreference.PREFERRED);
            TcFilterId last = os.get(2).id();
            // Someone puts a filter of their own in our prio, at the handle we would pick next.
            net.sh("tc filter add dev p0 ingress prio " + last.prio() + " handle " + (last.handle() + 1)
                    + " protocol ip flower skip_hw ip_proto udp dst_port 9 action drop");
            Megaflow f = tcp(3);
            TcOutcome o = tc.install(f, OffloadPreference.PREFERRED);
            assertTrue(o.ok(), o.toString());
            assertNotEquals(last.handle() + 1, o.id().handle(), o.toString());
            assertEquals(handlesByCookie().get(cookie(f)), o.id().handle(), net.sh("tc filter show dev p0 ingress"));
            assertTrue(net.sh("tc filter show dev p0 ingress").contains("dst_port 9"), "theirs is left alone");
            // The next install goes above both.
            TcOutcome next = tc.install(tcp(4), OffloadPreference.PREFERRED);
            assertTrue(next.ok() && next.id().handle() > Math.max(o.id().handle(), last.handle() + 1), next + " after " + o);
        }
    }

    @Test
    void afterARestartOurHandlesGoAboveEveryOneTheKernelHolds() {
        List<TcOutcome> before;
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            before = tc.installAll(tcp(0, 50), OffloadPreference.PREFERRED);
        }
        int highest = before.stream().mapToInt(o -> o.id().handle()).max().orElseThrow();
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            assertEquals(50, tc.dump(p0).size(), "adopted");
            // A new instance has vouched for no shape yet: in one batch of a new shape, the first
            // asks for its echo and the others wait for it, then go without.
            List<Megaflow> fs = tcp(50, 20);
            List<TcOutcome> os = tc.installAll(fs, OffloadPreference.PREFERRED);
            for (TcOutcome o : os) {
                assertTrue(o.ok() && o.id().handle() > highest, o + " (highest held " + highest + ")");
            }
            assertEquals(1, tc.counters().echoed(), "no EEXIST retries, one echo for the shape: " + tc.counters());
            assertHeldAtReportedHandles(fs, os, tc);
        }
    }
}
