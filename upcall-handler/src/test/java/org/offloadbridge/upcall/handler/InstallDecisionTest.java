package org.offloadbridge.upcall.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.flow.Placement.Attempt.DPDK;
import static org.offloadbridge.flow.Placement.Attempt.TC_ANY;
import static org.offloadbridge.flow.Placement.Attempt.TC_SKIP_HW;
import static org.offloadbridge.flow.Placement.Attempt.TC_SKIP_SW;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowLayer;
import org.offloadbridge.flow.FlowResult;
import org.offloadbridge.flow.FlowResult.Reason;
import org.offloadbridge.flow.FlowStats;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.upcall.handler.InstallDecision.Decision;
import org.offloadbridge.upcall.handler.InstallDecision.Outcome;

/** Every reason the install decision can record, and the attempts behind it. */
class InstallDecisionTest {
    static final OffloadPolicy HW_NONE = new OffloadPolicy(true, TcPolicy.NONE, 1);
    static final Megaflow ONE_TO_TWO = TestPipelines.exact(1, 1, TestPipelines.output(2));

    final FakeFlowTarget tc = FakeFlowTarget.tc();
    final FakeFlowTarget dpdk = FakeFlowTarget.dpdk();
    final Layers both = new Layers(tc, dpdk);
    FakePorts ports = FakePorts.oneSwitch(4);

    Decision decide(Megaflow m, OffloadPreference pref, OffloadPolicy pol) {
        return InstallDecision.decide(m, pref, pol, ports);
    }

    Outcome install(Megaflow m, OffloadPreference pref, OffloadPolicy pol, Layers layers) {
        return InstallDecision.install(decide(m, pref, pol), m, pref, layers);
    }

    @Test
    void firstChoiceRecordsNoReason() {
        Decision d = decide(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(List.of(TC_ANY, DPDK), d.attempts());
        assertEquals(Reason.NONE, d.reason());
        Outcome o = InstallDecision.install(d, ONE_TO_TWO, OffloadPreference.PREFERRED, both);
        assertEquals(FlowLayer.TC_HW, o.layer());
        assertEquals(Reason.NONE, o.reason());
        assertEquals("ok", o.reasonText());
        assertEquals(List.of("put " + ONE_TO_TWO.ufid() + " tc-hw"), tc.log());
        assertEquals(0, dpdk.size());
    }

    @Test
    void hwOffloadOffGoesToDpdkAndRequiredToTheSlowPath() {
        OffloadPolicy off = new OffloadPolicy(false, TcPolicy.NONE, 1);
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, off, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals(Reason.HW_OFFLOAD_OFF, o.reason());
        assertEquals("hw-offload=false", o.reasonText());
        assertEquals(0, tc.size(), "hw-offload=false: nothing in tc");
        Outcome req = install(TestPipelines.exact(1, 2, TestPipelines.output(2)), OffloadPreference.REQUIRED, off, both);
        assertEquals(FlowLayer.NONE, req.layer());
        assertEquals(Reason.HW_OFFLOAD_OFF, req.reason());
    }

    @Test
    void tcPolicyLeavesTcOutWithItsName() {
        OffloadPolicy skipSw = new OffloadPolicy(true, TcPolicy.SKIP_SW, 1);
        Outcome o = install(ONE_TO_TWO, OffloadPreference.NEVER, skipSw, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals(Reason.TC_POLICY, o.reason());
        assertEquals("tc-policy=skip_sw", o.reasonText());
        OffloadPolicy skipHw = new OffloadPolicy(true, TcPolicy.SKIP_HW, 1);
        Outcome req = install(TestPipelines.exact(1, 3, TestPipelines.output(2)), OffloadPreference.REQUIRED, skipHw, both);
        assertEquals(FlowLayer.NONE, req.layer(), "required under skip_hw: the slow path");
        assertEquals("tc-policy=skip_hw", req.reasonText());
    }

    @Test
    void offloadNeverIsSoftwareTcWithItsReason() {
        Decision d = decide(ONE_TO_TWO, OffloadPreference.NEVER, HW_NONE);
        assertEquals(List.of(TC_SKIP_HW, DPDK), d.attempts());
        Outcome o = InstallDecision.install(d, ONE_TO_TWO, OffloadPreference.NEVER, both);
        assertEquals(FlowLayer.TC_SW, o.layer());
        assertEquals(Reason.OFFLOAD_NEVER, o.reason());
        assertEquals("offload=never", o.reasonText());
    }

    @Test
    void userspaceActionsNeverGoToTc() {
        Megaflow m = TestPipelines.exact(1, 1, Actions.builder().output(2).userspace(7, "controller").build());
        Decision d = decide(m, OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(List.of(DPDK), d.attempts(), "the DPDK path raises the userspace action, tc would skip it");
        assertEquals(Reason.USERSPACE_ACTION, d.reason());
        assertEquals(FlowLayer.DPDK, InstallDecision.install(d, m, OffloadPreference.PREFERRED, both).layer());
        assertEquals(0, tc.size());
        Decision req = decide(m, OffloadPreference.REQUIRED, HW_NONE);
        assertTrue(req.slowPath(), "required + userspace: in hardware or nowhere, so nowhere");
        assertEquals(Reason.USERSPACE_ACTION, req.reason());
    }

    @Test
    void aPortThatIsNoTcNetdevIsNoDevice() {
        ports.port(3, false, null);
        Decision d = decide(TestPipelines.exact(1, 1, TestPipelines.output(2, 3)), OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(List.of(DPDK), d.attempts());
        assertEquals(Reason.NO_DEVICE, d.reason());
        assertEquals("output 3 is not a tc netdev", d.detail());
        Decision in = decide(TestPipelines.exact(3, 1, TestPipelines.output(2)), OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(Reason.NO_DEVICE, in.reason());
        assertEquals("in_port 3 is not a tc netdev", in.detail());
    }

    @Test
    void crossSwitchDropsSkipSwAndMakesNoFlagSkipHw() {
        ports.port(3, true, "pci/0000:09:00.0");
        Megaflow m = TestPipelines.exact(1, 1, TestPipelines.output(3));
        Decision any = decide(m, OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(List.of(TC_SKIP_HW, DPDK), any.attempts());
        assertEquals(Reason.CROSS_SWITCH, any.reason());
        assertEquals("in_port 1 on pci/0000:08:00.0, output 3 on pci/0000:09:00.0", any.detail());
        Outcome o = InstallDecision.install(any, m, OffloadPreference.PREFERRED, both);
        assertEquals(FlowLayer.TC_SW, o.layer());
        assertEquals(Reason.CROSS_SWITCH, o.reason());

        Decision skipSw = decide(m, OffloadPreference.PREFERRED, new OffloadPolicy(true, TcPolicy.SKIP_SW, 1));
        assertEquals(List.of(DPDK), skipSw.attempts(), "skip_sw policy: no software tc to fall to");
        assertEquals(Reason.CROSS_SWITCH, skipSw.reason());
        Decision req = decide(m, OffloadPreference.REQUIRED, HW_NONE);
        assertTrue(req.slowPath());
        assertEquals(Reason.CROSS_SWITCH, req.reason());

        ports.port(4, true, null);
        Decision veth = decide(TestPipelines.exact(4, 1, TestPipelines.output(1)), OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(List.of(TC_SKIP_HW, DPDK), veth.attempts(), "a port on no e-switch: software tc");
        assertEquals("in_port 4 is on no e-switch", veth.detail());
    }

    @Test
    void tcsRefusalOutranksCrossSwitch() {
        ports.port(4, true, null);
        tc.refuse(m -> FlowResult.refused(m.ufid(), Reason.UNSUPPORTED_KEY, "ipv6(label)"));
        Megaflow m = TestPipelines.exact(4, 1, TestPipelines.output(1));
        Decision d = decide(m, OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(Reason.CROSS_SWITCH, d.reason(), "the plan's reason: a veth is on no e-switch");
        Outcome o = InstallDecision.install(d, m, OffloadPreference.PREFERRED, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals("unsupported-key:ipv6(label)", o.reasonText(), "in DPDK because tc refused the key, not because of cross-switch");
    }

    @Test
    void aRefusalFallsToTheNextAttemptAndIsKept() {
        tc.refuse(m -> FlowResult.refused(m.ufid(), Reason.UNSUPPORTED_KEY, "ipv6_label"));
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals(Reason.UNSUPPORTED_KEY, o.reason());
        assertEquals("unsupported-key:ipv6_label", o.reasonText());
        assertEquals(0, tc.size());
        assertEquals(1, dpdk.size());
    }

    @Test
    void theKernelsTextIsKept() {
        tc.refuse(m -> FlowResult.failed(m.ufid(), Reason.KERNEL_REFUSED, null, 22, "Invalid filter"));
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals(22, o.errno());
        assertEquals("kernel-refused:22:Invalid filter", o.reasonText());
    }

    @Test
    void requiredRefusedByTheDeviceIsTheSlowPath() {
        tc.hardware(false);
        Outcome o = install(ONE_TO_TWO, OffloadPreference.REQUIRED, HW_NONE, both);
        assertEquals(FlowLayer.NONE, o.layer());
        assertFalse(o.installed());
        assertEquals(Reason.DEVICE_REFUSED, o.reason());
        assertEquals("device-refused:95:Operation not supported by the device", o.reasonText());
        assertEquals(0, dpdk.size(), "required never falls to software");
    }

    @Test
    void preferredOnADeviceWithoutHardwareLandsInSoftwareTc() {
        tc.hardware(false);
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.TC_SW, o.layer());
        assertEquals(Reason.DEVICE_REFUSED, o.reason(), "one e-switch, hardware allowed, not_in_hw: never a silent fallback");
        assertTrue(o.detail().startsWith("not_in_hw"), o.detail());
    }

    @Test
    void withoutDpdkTheDpdkAttemptIsTheSlowPath() {
        tc.refuse(m -> FlowResult.refused(m.ufid(), Reason.UNSUPPORTED_ACTION, "push_vlan"));
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, new Layers(tc, null));
        assertEquals(FlowLayer.NONE, o.layer());
        assertEquals(Reason.UNSUPPORTED_ACTION, o.reason(), "the first reason is the one kept");
        Outcome off = install(ONE_TO_TWO, OffloadPreference.PREFERRED, new OffloadPolicy(false, TcPolicy.NONE, 1),
            new Layers(tc, null));
        assertEquals(FlowLayer.NONE, off.layer());
        assertEquals(Reason.HW_OFFLOAD_OFF, off.reason());
        Outcome noLayers = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, new Layers(null, null));
        assertEquals(Reason.LAYER_UNAVAILABLE, noLayers.reason());
        assertEquals("tc", noLayers.detail());
    }

    @Test
    void aBrokenLayerIsAFailureOfThisFlowNotAnException() {
        tc.breakIt(new IllegalStateException("socket closed"));
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.DPDK, o.layer());
        assertEquals(Reason.LAYER_UNAVAILABLE, o.reason());
        assertTrue(o.detail().contains("socket closed"), o.detail());
    }

    @Test
    void aFlowTheLayerHoldsAlreadyIsTakenAsInstalled() {
        tc.plant(ONE_TO_TWO, FlowLayer.TC_HW, new FlowStats(5, 500, 10, 0));
        Outcome o = install(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.TC_HW, o.layer());
        assertEquals(5, o.stats().packets(), "its counters come along");
        Megaflow other = ONE_TO_TWO.withActions(TestPipelines.output(3));
        Outcome mod = install(other, OffloadPreference.PREFERRED, HW_NONE, both);
        assertEquals(FlowLayer.TC_HW, mod.layer());
        assertEquals(other, tc.megaflowOf(other.ufid()), "held with other actions: modified to ours");
    }

    @Test
    void attemptsAskTcForExactlyTheirFlags() {
        assertEquals(OffloadPreference.REQUIRED, InstallDecision.tcPreference(TC_SKIP_SW));
        assertEquals(OffloadPreference.PREFERRED, InstallDecision.tcPreference(TC_ANY));
        assertEquals(OffloadPreference.NEVER, InstallDecision.tcPreference(TC_SKIP_HW));
        Decision d = decide(ONE_TO_TWO, OffloadPreference.PREFERRED, HW_NONE);
        assertEquals(TC_ANY, d.satisfiedBy(FlowLayer.TC_SW));
        assertEquals(DPDK, d.satisfiedBy(FlowLayer.DPDK));
        assertNull(d.satisfiedBy(FlowLayer.NONE));
        Decision skipSw = decide(ONE_TO_TWO, OffloadPreference.PREFERRED, new OffloadPolicy(true, TcPolicy.SKIP_SW, 1));
        assertNull(skipSw.satisfiedBy(FlowLayer.TC_SW), "skip_sw: a software filter is not allowed");
    }
}
