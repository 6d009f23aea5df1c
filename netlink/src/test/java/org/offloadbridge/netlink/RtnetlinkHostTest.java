package org.offloadbridge.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ACK;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_CREATE;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_EXCL;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REQUEST;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.uapi.PktCls;
import org.offloadbridge.netlink.uapi.PktSched;
import org.offloadbridge.netlink.uapi.Rtnetlink;
import org.offloadbridge.testkit.Shell;

/**
 * rtnetlink against this machine's kernel. Each test gets a fresh network namespace (made
 * and removed with iproute2) and opens its sockets inside it; iproute2 is the oracle for
 * what the kernel holds.
 */
@Tag("host")
class RtnetlinkHostTest {
    private NetNs ns;
    private NetlinkConnection rt;
    private RtnlLinks links;

    @BeforeEach
    void setUp() {
        ns = HostNetns.create("nlt");
        rt = ns.call(() -> NetlinkConnection.open(NetlinkProtocol.ROUTE)).timeoutMillis(10_000);
        links = new RtnlLinks(rt);
    }

    @AfterEach
    void tearDown() {
        if (rt != null) {
            rt.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    /** Names in {@code ip -j link} output. */
    private Set<String> ipLinkNames() {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\"ifname\":\"([^\"]+)\"").matcher(ns.ipIn("-j", "link", "show"));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> names(List<LinkInfo> l) {
        Set<String> s = new TreeSet<>();
        l.forEach(i -> s.add(i.name()));
        return s;
    }

    @Test
    void vethPairAppearsInOurDumpAndInIpThenDeleteRemovesIt() {
        links.createVeth("nv0", "nv1");

        List<LinkInfo> dumped = links.dump();
        assertEquals(Set.of("lo", "nv0", "nv1"), names(dumped));
        assertEquals(Set.of("lo", "nv0", "nv1"), ipLinkNames());

        LinkInfo v0 = links.get("nv0").orElseThrow();
        LinkInfo v1 = links.get("nv1").orElseThrow();
        assertEquals("veth", v0.kind());
        assertEquals(1500, v0.mtu());
        assertEquals(v1.index(), v0.link(), "a veth's IFLA_LINK is its peer");
        assertEquals(v0, links.get(v0.index()).orElseThrow());
        // ip agrees on the MAC address and index.
        String json = ns.ipIn("-j", "link", "show", "dev", "nv0");
        assertTrue(json.contains("\"address\":\"" + v0.address() + "\""), json);
        assertTrue(json.contains("\"ifindex\":" + v0.index() + ","), json);
        assertFalse(v0.isUp());

        links.setUp(v0.index(), true);
        assertTrue(links.get("nv0").orElseThrow().isUp());

        links.delete("nv0");
        assertEquals(Set.of("lo"), names(links.dump()), "deleting one end removes the pair");
        assertEquals(Set.of("lo"), ipLinkNames());
        assertTrue(links.get("nv0").isEmpty());
        assertTrue(links.get(v0.index()).isEmpty());
    }

    @Test
    void peerCanBeCreatedInAnotherNamespace() {
        try (NetNs other = HostNetns.create("nlt-peer")) {
            links.createVeth("out0", "in0", other);
            assertTrue(links.get("out0").isPresent());
            assertTrue(links.get("in0").isEmpty());
            assertTrue(other.ipIn("-j", "link", "show").contains("\"ifname\":\"in0\""));
        }
    }

    @Test
    void peerCanBeCreatedInTheNamespaceOfAProcess() throws Exception {
        try (NetNs other = HostNetns.create("nlt-pid")) {
            // A process living in the other namespace, bounded to 30 s in case the test dies.
            try (Shell.Background sleeper = Shell.start(Shell.inNetns(other.name(), "sleep", "30"))) {
                // `ip netns exec` enters the namespace, then execs sleep: once the process is
                // "sleep", it is inside. Without this wait the peer could land in the host's namespace.
                java.nio.file.Path comm = java.nio.file.Path.of("/proc/" + sleeper.pid() + "/comm");
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!java.nio.file.Files.readString(comm).trim().equals("sleep")) {
                    assertTrue(System.nanoTime() < deadline, "sleeper never reached the namespace");
                    Thread.sleep(10);
                }
                links.createVethPeerInPidNetns("po0", "pi0", (int) sleeper.pid());
                assertTrue(links.get("po0").isPresent());
                assertTrue(links.get("pi0").isEmpty());
                assertTrue(other.ipIn("-j", "link", "show").contains("\"ifname\":\"pi0\""));
            }
        }
    }

    @Test
    void linkEventsArriveForCreateAndDelete() {
        try (NetlinkSubscription sub = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_LINK))) {
            links.createVeth("ev0", "ev1");
            int index0 = links.get("ev0").orElseThrow().index();
            links.delete("ev0");

            List<String> seen = new ArrayList<>();
            boolean[] lost = {false};
            NetlinkEventHandler h = new NetlinkEventHandler() {
                @Override
                public void onEvent(NetlinkMessage m) {
                    LinkInfo l = LinkInfo.parse(m);
                    seen.add((m.type() == Rtnetlink.RTM_NEWLINK ? "new " : "del ") + l.name());
                }

                @Override
                public void onEventsLost() {
                    lost[0] = true;
                }
            };
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!(seen.contains("del ev0") && seen.contains("del ev1")) && System.nanoTime() < deadline) {
                sub.poll(h, 200);
            }
            assertFalse(lost[0]);
            assertTrue(seen.contains("new ev0"), seen.toString());
            assertTrue(seen.contains("new ev1"), seen.toString());
            assertTrue(seen.contains("del ev0"), seen.toString());
            assertTrue(seen.contains("del ev1"), seen.toString());
            assertTrue(index0 > 0);
        }
    }

    @Test
    void duplicateVethIsEexist() {
        links.createVeth("dup0", "dup1");
        NetlinkException e = assertThrows(NetlinkException.class, () -> links.createVeth("dup0", "dup1"));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage().contains("create veth dup0"), e.getMessage());
    }

    private static void encodeClsact(NetlinkMessageWriter w, int ifindex, int extraFlags) {
        w.beginMessage(Rtnetlink.RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL | extraFlags);
        w.putTcMsg(0, ifindex, PktSched.TC_H_CLSACT & 0xffff0000, PktSched.TC_H_CLSACT, 0);
        w.putString(Rtnetlink.TCA_KIND, "clsact");
        w.finish(0);
    }

    @Test
    void duplicateQdiscIsEexistWithTheKernelsText() {
        links.createVeth("q0", "q1");
        int ifindex = links.get("q0").orElseThrow().index();
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        encodeClsact(w, ifindex, 0);
        rt.request("add clsact on q0", w);
        NetlinkException e = assertThrows(NetlinkException.class, () -> rt.request("add clsact on q0", w));
        assertEquals(Errno.EEXIST, e.errno());
        // The kernel's extack text (net/sched/sch_api.c), as `tc` prints it after "Error:".
        assertEquals("Exclusivity flag on, cannot modify", e.extackMessage());
        assertTrue(e.getMessage().contains("EEXIST") && e.getMessage().contains("Exclusivity flag on"), e.getMessage());
    }

    @Test
    void echoDeliversTheKernelsCopyOfWhatWasCreated() {
        links.createVeth("e0", "e1");
        int ifindex = links.get("e0").orElseThrow().index();
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        encodeClsact(w, ifindex, NLM_F_ECHO);
        List<String> echoed = new ArrayList<>();
        rt.request("add clsact with echo", w, (i, m) -> {
            AttributeTable t = m.attributes(TcMsg.LENGTH, new AttributeTable(Rtnetlink.TCA_MAX));
            TcMsg tcm = new TcMsg().wrap(m.buffer(), m.payloadOffset());
            echoed.add(m.type() + " " + t.string(Rtnetlink.TCA_KIND) + " " + tcm.ifindex());
        });
        assertEquals(List.of(Rtnetlink.RTM_NEWQDISC + " clsact " + ifindex), echoed);
    }

    @Test
    void tcEventsArriveForAQdiscAddedThroughUs() {
        links.createVeth("t0", "t1");
        int ifindex = links.get("t0").orElseThrow().index();
        try (NetlinkSubscription sub = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_TC))) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(128);
            encodeClsact(w, ifindex, 0);
            rt.request("add clsact", w);
            List<String> seen = new ArrayList<>();
            NetlinkEventHandler h = new NetlinkEventHandler() {
                @Override
                public void onEvent(NetlinkMessage m) {
                    AttributeTable t = m.attributes(TcMsg.LENGTH, new AttributeTable(Rtnetlink.TCA_MAX));
                    seen.add(m.type() + " " + t.string(Rtnetlink.TCA_KIND) + " " + new TcMsg().wrap(m.buffer(), m.payloadOffset()).ifindex());
                }

                @Override
                public void onEventsLost() {
                    seen.add("lost");
                }
            };
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                sub.poll(h, 200);
            }
            assertEquals(List.of(Rtnetlink.RTM_NEWQDISC + " clsact " + ifindex), seen);
        }
    }

    @Test
    void aSubscriptionThatDropsATypeNeverSeesItButSeesTheRest() {
        links.createVeth("d0", "d1");
        int ifindex = links.get("d0").orElseThrow().index();
        try (NetlinkSubscription all = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_TC));
             NetlinkSubscription dels = ns.call(() -> NetlinkSubscription.open(NetlinkProtocol.ROUTE, Rtnetlink.RTNLGRP_TC)
                 .dropMessageTypes(Rtnetlink.RTM_NEWQDISC))) {
            NetlinkMessageWriter w = new NetlinkMessageWriter(128);
            encodeClsact(w, ifindex, 0);
            rt.request("add clsact", w);
            w.reset();
            w.beginMessage(Rtnetlink.RTM_DELQDISC, NLM_F_REQUEST | NLM_F_ACK);
            w.putTcMsg(0, ifindex, PktSched.TC_H_CLSACT & 0xffff0000, PktSched.TC_H_CLSACT, 0);
            w.putString(Rtnetlink.TCA_KIND, "clsact");
            w.finish(0);
            rt.request("delete clsact", w);
            assertEquals(List.of(Rtnetlink.RTM_NEWQDISC, Rtnetlink.RTM_DELQDISC), typesSeen(all, 2));
            assertEquals(List.of(Rtnetlink.RTM_DELQDISC), typesSeen(dels, 1), "the kernel dropped the new-qdisc event for this socket");
            assertEquals(List.of(), typesSeen(dels, 1), "and nothing else is queued");
        }
    }

    /** The types of the events {@code sub} delivers until {@code want} came or half a second passed with none. */
    private static List<Integer> typesSeen(NetlinkSubscription sub, int want) {
        List<Integer> seen = new ArrayList<>();
        NetlinkEventHandler h = new NetlinkEventHandler() {
            @Override
            public void onEvent(NetlinkMessage m) {
                seen.add(m.type());
            }

            @Override
            public void onEventsLost() {
                seen.add(-1);
            }
        };
        long deadline = System.nanoTime() + 500_000_000L;
        while (seen.size() < want && System.nanoTime() < deadline) {
            sub.poll(h, 100);
        }
        return seen;
    }

    /** This machine's kernel has no cls_flower: the error must carry the kernel's reason. */
    @Test
    void flowerFilterIsRefusedWithClassifierNotFound() {
        links.createVeth("f0", "f1");
        int ifindex = links.get("f0").orElseThrow().index();
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        encodeClsact(w, ifindex, 0);
        rt.request("add clsact", w);

        w.reset();
        w.beginMessage(Rtnetlink.RTM_NEWTFILTER, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
        w.putTcMsg(0, ifindex, 0, PktSched.TC_H_CLSACT & 0xffff0000 | PktSched.TC_H_MIN_INGRESS, TcMsg.filterInfo(5, 0x0800));
        w.putString(Rtnetlink.TCA_KIND, "flower");
        int opts = w.beginNested(Rtnetlink.TCA_OPTIONS);
        w.putBe16(PktCls.TCA_FLOWER_KEY_ETH_TYPE, 0x0800);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_DST, 0x0a000001);
        w.putBe32(PktCls.TCA_FLOWER_KEY_IPV4_DST_MASK, 0xffffffff);
        w.endNested(opts);
        w.finish(0);
        NetlinkException e = assertThrows(NetlinkException.class, () -> rt.request("add flower filter on f0", w));
        assertTrue(e.errno() == Errno.ENOENT || e.errno() == Errno.EOPNOTSUPP, e.getMessage());
        assertEquals("TC classifier not found", e.extackMessage());
        assertTrue(e.getMessage().startsWith("add flower filter on f0: "), e.getMessage());
    }

    /** NLMSGERR_ATTR_OFFS: the kernel points at the attribute it rejected, counted from our nlmsghdr. */
    @Test
    void policyViolationNamesTheOffendingAttributesOffset() {
        links.createVeth("o0", "o1");
        int index = links.get("o0").orElseThrow().index();
        NetlinkMessageWriter w = new NetlinkMessageWriter(128);
        w.beginMessage(Rtnetlink.RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
        w.putIfInfoMsg(0, 0, index, 0, 0);
        w.putString(org.offloadbridge.netlink.uapi.IfLink.IFLA_IFALIAS, "fine");
        int badAt = w.length();
        w.putU16(org.offloadbridge.netlink.uapi.IfLink.IFLA_MTU, 1400); // IFLA_MTU is a u32: too short
        w.finish(0);
        NetlinkException e = assertThrows(NetlinkException.class, () -> rt.request("set mtu of o0", w));
        // The kernel's policy check answers ERANGE on 6.x (EINVAL on some older kernels) for a short attribute.
        assertTrue(e.errno() == Errno.ERANGE || e.errno() == Errno.EINVAL, e.getMessage());
        assertEquals(badAt, e.extackOffset(), e.getMessage());
        assertEquals("Attribute failed policy validation", e.extackMessage());
        assertTrue(e.getMessage().contains("[offending attribute at byte " + badAt), e.getMessage());
    }

    @Test
    void getOfMissingLinkIsEmptyAndDeleteOfMissingLinkIsEnodev() {
        assertTrue(links.get("nope0").isEmpty());
        NetlinkException e = assertThrows(NetlinkException.class, () -> links.delete("nope0"));
        assertEquals(Errno.ENODEV, e.errno());
        assertNotNull(e.operation());
    }
}
