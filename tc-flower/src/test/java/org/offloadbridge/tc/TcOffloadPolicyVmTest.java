package org.offloadbridge.tc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.Field;
import org.offloadbridge.flow.KeyAttr;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.tc.cli.TcCli;
import org.offloadbridge.tc.internal.Flows;
import org.offloadbridge.testkit.SimulatedEswitch;

/**
 * Operations and policy against the real kernel (VM): install/echo/get/dump/replace/delete on
 * a veth, skip_sw refused by veth (required and preferred alike: no software retry under
 * tc-policy skip_sw), never refused under skip_sw, the whole policy matrix on the simulated
 * e-switch (accepts / refuses / full), foreign filters surviving, bad input leaving nothing behind.
 */
@Tag("kernel-vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcOffloadPolicyVmTest {
    private VmNet net;
    private int p0;
    private int p1;

    @BeforeAll
    void topology() {
        net = new VmNet("pol");
        net.veth("p0", "p1");
        p0 = net.ifindex("p0");
        p1 = net.ifindex("p1");
    }

    @AfterAll
    void teardown() {
        net.close();
    }

    private Megaflow udpFlow(int dport, Actions a) {
        return Flows.on(p0).ipv4(17).exact(Field.IPV4_DST, Flows.ip("10.0.0.2")).exact(Field.TP_DST, dport).actions(a).build();
    }

    private Actions toP1() {
        return Actions.builder().output(p1).build();
    }

    private String tcShow(String dev) {
        return net.sh("tc -s filter show dev " + dev + " ingress");
    }

    @Test
    void installEchoGetDumpReplaceDelete() {
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            Megaflow f = udpFlow(1000, toP1());
            TcOutcome o = tc.install(f, OffloadPreference.PREFERRED);
            assertTrue(o.ok(), o.toString());
            assertFalse(o.inHw(), "veth has no hardware: " + o);
            assertEquals("not_in_hw", o.placement());
            assertNotEquals(0, o.id().handle(), o.toString());
            assertTrue(tcShow("p0").contains("not_in_hw"), tcShow("p0"));

            // A second install of the same ufid is refused, nothing sent.
            TcOutcome again = tc.install(f, OffloadPreference.PREFERRED);
            assertEquals(FlowResult.Reason.EXISTS, again.reason(), again.toString());

            Optional<TcFlow> got = tc.get(f.ufid());
            assertTrue(got.isPresent());
            assertEquals(f, got.get().flow());
            assertEquals(0, got.get().stats().packets());

            List<TcFlow> dumped = tc.dump(p0);
            assertEquals(1, dumped.size(), dumped.toString());
            assertEquals(f, dumped.get(0).flow());

            // Replace in place (same match, new actions): same prio and handle.
            Megaflow g = f.withActions(Actions.builder().setField(KeyAttr.IPV4, Field.NW_TTL, 9).output(p1).build());
            TcOutcome r = tc.replace(g, OffloadPreference.PREFERRED);
            assertTrue(r.ok(), r.toString());
            assertEquals(o.id(), r.id(), "replaced in place");
            assertEquals(g, tc.get(g.ufid()).orElseThrow().flow());
            assertTrue(tcShow("p0").contains("pedit"), tcShow("p0"));

            assertTrue(tc.delete(f.ufid()).ok());
            assertEquals(List.of(), tc.dump(p0));
            assertFalse(tcShow("p0").contains("handle"), tcShow("p0"));
        }
    }

    @Test
    void cliAddDumpModGetDel() {
        Megaflow f = udpFlow(5353, toP1());
        org.offloadbridge.flow.FlowKey k = f.key().copy();
        k.deriveAttrs(f.mask());
        org.offloadbridge.flow.PortNames names = org.offloadbridge.flow.PortNames.of(java.util.Map.of(p0, "p0", p1, "p1"));
        String match = f.ufid() + "," + org.offloadbridge.flow.FlowFormat.formatMatch(k, f.mask(), names, false);
        String[] add = {"--netns", net.name, "add-flow", match, "p1"};
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc = TcCli.run(add, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
        assertEquals(0, rc, match + "\nout: " + out + "\nerr: " + err);
        assertTrue(out.toString().contains("not_in_hw"), out.toString());

        out.reset();
        assertEquals(0, TcCli.run(new String[] {"--netns", net.name, "dump-flows", "p0", "-m"}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), err.toString());
        String dump = out.toString();
        // OVS 3.1 prints offloaded:yes only for in_hw tc flows and no offloaded: item otherwise
        // (lib/dpctl.c format_dpif_flow); veth has no hardware, so there is none here.
        assertTrue(dump.contains(f.ufid().toString()) && !dump.contains("offloaded:") && dump.contains("dp:tc") && dump.contains("actions:p1"), dump);

        out.reset();
        assertEquals(0, TcCli.run(new String[] {"--netns", net.name, "mod-flow", match, "drop"}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), err.toString());
        out.reset();
        assertEquals(0, TcCli.run(new String[] {"--netns", net.name, "get-flow", f.ufid().toString()}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), err.toString());
        assertTrue(out.toString().contains("actions:drop"), out.toString());
        assertEquals(0, TcCli.run(new String[] {"--netns", net.name, "del-flow", f.ufid().toString()}, new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), err.toString());
        assertFalse(tcShow("p0").contains("handle"), tcShow("p0"));
        assertEquals(1, TcCli.run(new String[] {"--netns", net.name, "add-flow", "in_port(p0),eth_type(0x0800),ipv4(proto=17)", "userspace(pid=1)"},
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)));
        assertTrue(err.toString().contains("USERSPACE_ACTION"), err.toString());
    }

    @Test
    void foreignFiltersSurviveEverything() {
        net.sh("tc qdisc replace dev p0 clsact 2>/dev/null || true");
        net.sh("tc filter add dev p0 ingress prio 1 protocol ip flower ip_proto udp dst_port 7 action drop");
        // A cookie that is not a 16-byte ufid: someone else's too.
        net.sh("tc filter add dev p0 ingress prio 2 protocol ip flower dst_ip 10.9.9.9 action drop cookie abcd");
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            Megaflow f = udpFlow(2000, toP1());
            TcOutcome o = tc.install(f, OffloadPreference.PREFERRED);
            assertTrue(o.ok(), o.toString());
            assertTrue(o.id().prio() > 2, "must not share the foreign prios 1 and 2: " + o);
            assertEquals(1, tc.dump(p0).size(), "the dump lists only ours");
            assertEquals(1, tc.deleteAllOurs(p0));
            String show = tcShow("p0");
            assertTrue(show.contains("dst_port 7") && show.contains("dst_ip 10.9.9.9"), "foreign filters gone: " + show);
        } finally {
            net.sh("tc filter del dev p0 ingress prio 1; tc filter del dev p0 ingress prio 2");
        }
    }

    @Test
    void skipSwOnVethIsUnsupportedByDeviceAndLeavesNothing() {
        try (TcOffload tc = net.offload(TcPolicy.SKIP_SW)) {
            Megaflow f = udpFlow(3000, toP1());
            TcOutcome req = tc.install(f, OffloadPreference.REQUIRED);
            assertEquals(FlowResult.Status.FAILED, req.status(), req.toString());
            assertEquals(FlowResult.Reason.DEVICE_REFUSED, req.reason(), req.toString());
            assertEquals(95, req.errno(), req.toString()); // EOPNOTSUPP
            assertEquals(List.of(), tc.dump(p0));

            // Changed cell (docs/rules.md "Where a flow goes"): preferred under skip_sw is tried
            // skip_sw only. It used to be retried with no flag, which put a software filter under
            // a policy that forbids them; the DPDK fallback is the caller's now.
            TcOutcome pref = tc.install(f, OffloadPreference.PREFERRED);
            assertEquals(FlowResult.Status.FAILED, pref.status(), pref.toString());
            assertEquals(FlowResult.Reason.DEVICE_REFUSED, pref.reason(), pref.toString());
            assertEquals(List.of(), tc.dump(p0), "nothing in software tc under skip_sw");
            assertFalse(tcShow("p0").contains("handle"), tcShow("p0"));

            // Changed cell: never under skip_sw is refused by the policy (was: skip_hw), nothing sent.
            TcOutcome never = tc.install(f, OffloadPreference.NEVER);
            assertEquals(FlowResult.Status.REFUSED, never.status(), never.toString());
            assertEquals(FlowResult.Reason.TC_POLICY, never.reason(), never.toString());
            assertEquals("skip_sw", never.detail(), never.toString());
            assertEquals(List.of(), tc.dump(p0));
        }
        try (TcOffload tc = net.offload(TcPolicy.SKIP_HW)) {
            TcOutcome o = tc.install(udpFlow(3001, toP1()), OffloadPreference.REQUIRED);
            assertEquals(FlowResult.Reason.TC_POLICY, o.reason(), o.toString());
            // never under skip_hw (unchanged cell): skip_hw — the skip_hw filter check moved here
            // from the skip_sw block above, where never is now refused.
            Megaflow f = udpFlow(3002, toP1());
            TcOutcome never = tc.install(f, OffloadPreference.NEVER);
            assertTrue(never.ok() && never.skipHw(), never.toString());
            assertTrue(tcShow("p0").contains("skip_hw"), tcShow("p0"));
            assertTrue(tc.delete(f.ufid()).ok());
        }
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            // never under tc-policy none (unchanged cell): skip_hw.
            Megaflow f = udpFlow(3003, toP1());
            TcOutcome never = tc.install(f, OffloadPreference.NEVER);
            assertTrue(never.ok() && never.skipHw(), never.toString());
            assertTrue(tc.delete(f.ufid()).ok());
        }
    }

    /** What the simulated e-switch does with a flow, set up before the install. */
    enum Device { ACCEPTS, REFUSES, FULL }

    /**
     * Every cell of tc-policy × preference × what the device does, on the simulated e-switch
     * (tests/vm/netdevsim-flower-6.1.patch): a flow between two representors lands in_hw where
     * hardware is allowed and the device takes it; a refusal keeps the driver's words (as the
     * failure's text under skip_sw, as the warning of a not_in_hw filter under none); a full
     * table is no-space; nothing is ever left behind by a failure.
     */
    @Test
    void policyMatrixOnTheSimulatedEswitch() throws Exception {
        try (SimulatedEswitch sw = SimulatedEswitch.create(2)) {
            int rep0 = Integer.parseInt(Files.readString(Path.of("/sys/class/net/" + sw.representor(0) + "/ifindex")).trim());
            int rep1 = Integer.parseInt(Files.readString(Path.of("/sys/class/net/" + sw.representor(1) + "/ifindex")).trim());
            long defaultActions = sw.mask("unsupported_actions");
            int dport = 6000;
            for (TcPolicy policy : new TcPolicy[] {TcPolicy.NONE, TcPolicy.SKIP_SW, TcPolicy.SKIP_HW}) {
                try (TcOffload tc = TcOffload.open(policy, TcPorts.IDENTITY)) {
                    for (OffloadPreference pref : OffloadPreference.values()) {
                        for (Device dev : Device.values()) {
                            String cell = policy + " × " + pref + " × device " + dev;
                            sw.setMask("unsupported_actions", dev == Device.REFUSES
                                ? defaultActions | 1L << SimulatedEswitch.ACTION_REDIRECT : defaultActions);
                            sw.capacity(dev == Device.FULL ? sw.count() : 1024);
                            Megaflow f = Flows.on(rep0).ipv4(17).exact(Field.TP_DST, dport++)
                                .actions(Actions.builder().output(rep1).build()).build();
                            int before = sw.count();
                            TcOutcome o = tc.install(f, pref);
                            boolean hwAllowed = policy != TcPolicy.SKIP_HW && pref != OffloadPreference.NEVER;
                            boolean swAllowed = policy != TcPolicy.SKIP_SW && pref != OffloadPreference.REQUIRED;
                            if (!hwAllowed && !swAllowed) {
                                assertEquals(FlowResult.Status.REFUSED, o.status(), cell + ": " + o);
                                assertEquals(FlowResult.Reason.TC_POLICY, o.reason(), cell + ": " + o);
                            } else if (!hwAllowed) {
                                assertTrue(o.ok() && o.skipHw() && !o.inHw(), cell + ": software only: " + o);
                                assertEquals(before, sw.count(), cell + ": the device was not asked");
                            } else if (dev == Device.ACCEPTS) {
                                assertTrue(o.ok() && o.inHw() && o.inHwCount() == 1, cell + ": in_hw: " + o);
                                assertEquals(before + 1, sw.count(), cell);
                                assertEquals(pref == OffloadPreference.REQUIRED || policy == TcPolicy.SKIP_SW, o.skipSw(), cell + ": " + o);
                            } else if (!swAllowed) {
                                assertEquals(FlowResult.Status.FAILED, o.status(), cell + ": " + o);
                                assertEquals(dev == Device.FULL ? FlowResult.Reason.NO_SPACE : FlowResult.Reason.DEVICE_REFUSED, o.reason(), cell + ": " + o);
                                assertEquals(dev == Device.FULL ? 28 : 95, o.errno(), cell + ": ENOSPC / EOPNOTSUPP: " + o);
                                assertTrue(o.detail().contains(dev == Device.FULL ? "netdevsim: hardware flow table is full"
                                    : "netdevsim: Not implemented offload action"), cell + ": the driver's words: " + o);
                                assertTrue(tc.get(f.ufid()).isEmpty(), cell + ": nothing left behind");
                            } else {
                                // tc-policy none, preferred: no flag; the kernel keeps it in software and says why.
                                assertTrue(o.ok() && !o.inHw() && !o.skipSw() && !o.skipHw(), cell + ": not_in_hw: " + o);
                                assertEquals("not_in_hw", o.placement());
                                assertTrue(o.extack() != null && o.extack().contains("netdevsim"), cell + ": the driver's warning: " + o);
                            }
                            System.out.println("matrix " + cell + " → " + o.status() + " " + o.reason() + " " + o.placement()
                                + (o.extack() != null ? " (" + o.extack() + ")" : ""));
                        }
                    }
                    assertTrue(tc.deleteAllOurs(rep0) >= 0);
                }
            }
            sw.capacity(1024);
            sw.setMask("unsupported_actions", defaultActions);
            assertEquals(0, sw.count(), "every filter deleted, every rule freed: " + sw.rules());
        }
    }

    @Test
    void badInputIsRefusedBeforeTheKernelAndLeavesNothing() {
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            Megaflow userspace = udpFlow(4000, Actions.builder().userspace(7, "").build());
            assertEquals(FlowResult.Reason.USERSPACE_ACTION, tc.install(userspace, OffloadPreference.PREFERRED).reason());
            Megaflow nd = Flows.on(p0).ipv6(58).exact(Field.ICMP_TYPE, 135).exact(Field.ND_TARGET_HI, 1).actions(toP1()).build();
            TcOutcome ndo = tc.install(nd, OffloadPreference.PREFERRED);
            assertEquals(FlowResult.Reason.UNSUPPORTED_KEY, ndo.reason(), ndo.toString());
            assertTrue(ndo.detail().contains("nd(target)"), ndo.detail());
            Actions.Builder many = Actions.builder();
            for (int i = 0; i < 17; i++) {
                many.output(p1);
            }
            assertEquals(FlowResult.Reason.TOO_MANY_ACTIONS, tc.install(udpFlow(4001, many.build()), OffloadPreference.PREFERRED).reason());
            Megaflow bigId = Flows.on(p0).eth(0x0800).exact(Field.TUN_ID, 1L << 40).actions(toP1()).build();
            assertEquals(FlowResult.Reason.OUT_OF_RANGE, tc.install(bigId, OffloadPreference.PREFERRED).reason());
            Megaflow noDev = Flows.on(9999).eth(0x0800).actions(toP1()).build();
            TcOutcome nd2 = tc.install(noDev, OffloadPreference.PREFERRED);
            assertEquals(FlowResult.Reason.NO_DEVICE, nd2.reason(), nd2.toString());
            assertEquals(List.of(), tc.dump(p0));
            assertEquals(4, tc.counters().refusals());
        }
    }

    @Test
    void vanishedDeviceIsATypedFailure() {
        net.veth("gone0", "gone1");
        int g = net.ifindex("gone0");
        int g1 = net.ifindex("gone1");
        try (TcOffload tc = net.offload(TcPolicy.NONE)) {
            Megaflow first = Flows.on(g).eth(0x0800).actions(Actions.builder().output(g1).build()).build();
            assertTrue(tc.install(first, OffloadPreference.PREFERRED).ok());
            net.sh("ip link del gone0");
            Megaflow second = Flows.on(g).ipv4(6).actions(Actions.builder().output(p1).build()).build();
            TcOutcome o = tc.install(second, OffloadPreference.PREFERRED);
            assertEquals(FlowResult.Reason.NO_DEVICE, o.reason(), o.toString());
            TcOutcome d = tc.delete(first.ufid());
            assertTrue(d.reason() == FlowResult.Reason.NO_DEVICE || d.reason() == FlowResult.Reason.NOT_FOUND, d.toString());
        }
    }
}
