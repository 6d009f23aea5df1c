package org.offloadbridge.switchdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.netlink.NetlinkMessage;
import org.offloadbridge.netlink.NetlinkMessageCursor;
import org.offloadbridge.netlink.NetlinkParseException;
import org.offloadbridge.switchdev.internal.DevlinkCodec;
import org.offloadbridge.switchdev.internal.EthtoolCodec;

/**
 * Our parsers on what the kernel (6.1, netdevsim in the VM) really answered iproute2's devlink
 * and ethtool — golden/*-reply.recv — checked against what those tools printed from the very
 * same answers (golden/*-reply.out).
 */
class ReplyParsingTest {
    private static final int DEVLINK = 0x15;
    private static final int ETHTOOL = 0x14;

    private static NetlinkMessage message(ByteBuffer b) {
        final NetlinkMessageCursor c = new NetlinkMessageCursor().reset(b, 0, b.capacity());
        if (!c.next()) {
            throw new AssertionError("no message");
        }
        return c.message();
    }

    @Test
    void devlinkPortDumpMatchesDevlinkPortShow() throws Exception {
        assertTrue(StraceGolden.command("devlink-port-show-switchdev-reply.recv").equals("devlink port show"));
        final DevlinkCodec codec = new DevlinkCodec();
        final List<DevlinkPort> ours = new ArrayList<>();
        for (ByteBuffer b : StraceGolden.replies("devlink-port-show-switchdev-reply.recv", DEVLINK)) {
            // Linux 6.1 answers a port dump with DEVLINK_CMD_NEW, not PORT_NEW (iproute2 does not look): parsePort must not care.
            assertEquals(org.offloadbridge.netlink.uapi.Devlink.DEVLINK_CMD_NEW, codec.command(message(b)));
            ours.add(codec.parsePort(message(b)));
        }
        final List<DevlinkShowText.Recorded> printed = DevlinkShowText.parse(StraceGolden.text("devlink-port-show-switchdev-reply.out"));
        assertEquals(3, ours.size());
        assertEquals(printed.size(), ours.size());
        for (int i = 0; i < ours.size(); i++) {
            final DevlinkPort o = ours.get(i);
            final DevlinkPort p = printed.get(i).port();
            // the text has no ifindex; everything else must agree
            assertEquals(new DevlinkPort(p.handle(), p.index(), p.flavourValue(), p.flavour(), o.netdevIfindex(), p.netdevName(),
                    p.portNumber(), o.splitSubport(), p.controller(), p.external(), p.pf(), p.vf(), p.sf()), o);
            assertTrue(o.netdevIfindex() > 0);
        }
        assertEquals(DevlinkPortFlavour.PHYSICAL, ours.get(0).flavour());
        assertEquals(1, ours.get(2).vf());
    }

    @Test
    void devlinkEswitchReplyMatchesDevlinkDevEswitchShow() throws Exception {
        final List<ByteBuffer> r = StraceGolden.replies("devlink-eswitch-show-switchdev-reply.recv", DEVLINK);
        assertEquals(1, r.size());
        final DevlinkCodec codec = new DevlinkCodec();
        assertEquals(new DevlinkHandle("netdevsim", "netdevsim1"), codec.handle(message(r.getFirst())));
        final EswitchState s = codec.parseEswitch(message(r.getFirst()));
        // devlink prints only what the kernel sent: netdevsim reports the mode alone
        assertEquals("netdevsim/netdevsim1: mode " + s.mode().label(),
                StraceGolden.text("devlink-eswitch-show-switchdev-reply.out").lines().skip(1).findFirst().orElseThrow());
        assertEquals(new EswitchState(EswitchMode.SWITCHDEV, null, null), s);
    }

    private static void checkEthtool(String name) throws Exception {
        final List<ByteBuffer> r = StraceGolden.replies(name + ".recv", ETHTOOL);
        final EthtoolCodec codec = new EthtoolCodec();
        // ethtool -k: FEATURES_GET reply first, then the strset reply
        List<String> names = null;
        for (ByteBuffer b : r) {
            try {
                names = codec.parseFeatureStrings(message(b));
            } catch (NetlinkParseException notStrset) {
                // the FEATURES_GET reply
            }
        }
        assertTrue(names != null && names.size() > 40, String.valueOf(names));
        final int hwTc = names.indexOf(EthtoolCodec.HW_TC_OFFLOAD);
        assertTrue(hwTc >= 0);
        EthtoolCodec.Features f = null;
        for (ByteBuffer b : r) {
            if (message(b).length() < 1000) {
                f = codec.parseFeatures(message(b), names);
            }
        }
        int compared = 0;
        for (String line : StraceGolden.text(name + ".out").split("\n")) {
            final String l = line.strip();
            final int colon = l.indexOf(": ");
            if (colon < 0 || l.contains("[requested")) {
                continue;
            }
            final int bit = names.indexOf(l.substring(0, colon));
            if (bit < 0) {
                continue; // an ethtool group name (tx-checksumming …), not a kernel feature
            }
            assertEquals(l, l.substring(0, colon) + ": " + HwTcOffload.of(f.active(bit), f.changeable(bit)).label());
            compared++;
        }
        assertTrue(compared > 40, "compared " + compared);
    }

    @Test
    void ethtoolFeaturesMatchEthtoolKOnTheUplink() throws Exception {
        checkEthtool("ethtool-k-reply");
        assertTrue(StraceGolden.text("ethtool-k-reply.out").contains("hw-tc-offload: off\n"));
    }

    @Test
    void ethtoolFeaturesMatchEthtoolKOnARepresentorWithHwTcOn() throws Exception {
        checkEthtool("ethtool-k-rep-reply");
        assertTrue(StraceGolden.text("ethtool-k-rep-reply.out").contains("hw-tc-offload: on\n"));
    }

    @Test
    void truncatedOrMalformedRepliesAreNamedWithTheirOffset() throws Exception {
        final ByteBuffer good = StraceGolden.replies("devlink-port-show-switchdev-reply.recv", DEVLINK).get(1);
        // cut the message short in the middle of an attribute, keeping nlmsg_len consistent
        final int cut = good.capacity() - 6;
        final ByteBuffer bad = ByteBuffer.allocateDirect(cut).order(good.order());
        bad.put(0, good, 0, cut);
        bad.putInt(0, cut);
        final NetlinkParseException e = assertThrows(NetlinkParseException.class, () -> new DevlinkCodec().parsePort(message(bad)));
        assertTrue(e.getMessage().contains("at offset"), e.getMessage());

        // a port message without its index
        final ByteBuffer noIndex = StraceGolden.replies("devlink-eswitch-show-switchdev-reply.recv", DEVLINK).getFirst();
        final NetlinkParseException e2 = assertThrows(NetlinkParseException.class, () -> new DevlinkCodec().parsePort(message(noIndex)));
        assertEquals("devlink port message for netdevsim/netdevsim1 without DEVLINK_ATTR_PORT_INDEX at offset 0", e2.getMessage());

        // an ethtool reply that is not the features string set
        final ByteBuffer features = StraceGolden.replies("ethtool-k-reply.recv", ETHTOOL).getFirst();
        final NetlinkParseException e3 = assertThrows(NetlinkParseException.class,
                () -> new EthtoolCodec().parseFeatureStrings(message(features)));
        assertTrue(e3.getMessage().startsWith("ethtool strset reply has no ETH_SS_FEATURES set"), e3.getMessage());
    }
}
