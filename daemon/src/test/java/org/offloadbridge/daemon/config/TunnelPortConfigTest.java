package org.offloadbridge.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@code [[port]] type = "vxlan"}: OVS's vxlan interface options, checked with file:line:column errors. */
class TunnelPortConfigTest {
    private static final Path FILE = Path.of("/etc/offload-bridge/offload-bridge.conf");
    private final ConfigParser parser = new ConfigParser(8);

    private List<ConfigError> errors(String text) {
        return assertThrows(ConfigException.class, () -> parser.parse(FILE, text)).errors();
    }

    private ConfigError onlyError(String text) {
        List<ConfigError> e = errors(text);
        assertEquals(1, e.size(), e.toString());
        return e.get(0);
    }

    @Test
    void aFullTunnelPortAndItsDefaults() throws Exception {
        Config c = parser.parse(FILE, """
            [[port]]
            name = "eth1"

            [[port]]
            name = "vx1"
            type = "vxlan"
            ofport = 10
            local-ip = "10.9.0.1"
            remote-ip = "10.9.0.2"
            key = 42
            tos = "inherit"
            ttl = 32
            csum = true

            [[port]]
            name = "vxflow"
            type = "vxlan"
            local-ip = "10.9.0.1"
            remote-ip = "flow"
            key = "flow"
            dst-port = 4790
            device = "vxlan0"
            """);
        assertEquals(3, c.ports().size());
        Config.TunnelPort vx1 = (Config.TunnelPort) c.ports().get(1);
        assertEquals(new Config.TunnelPort("vx1", Optional.of(10), InetAddress.getByName("10.9.0.1"), Optional.of(InetAddress.getByName("10.9.0.2")),
            OptionalLong.of(42), 4789, OptionalInt.empty(), OptionalInt.of(32), true, Optional.empty()), vx1);
        assertEquals("obvx4789", vx1.deviceName());
        Config.TunnelPort flow = (Config.TunnelPort) c.ports().get(2);
        assertEquals(Optional.empty(), flow.remoteIp(), "remote-ip = flow");
        assertEquals(OptionalLong.empty(), flow.key(), "key = flow");
        assertEquals(OptionalInt.of(0), flow.tos(), "OVS's default tos");
        assertEquals(OptionalInt.of(64), flow.ttl(), "OVS's default ttl");
        assertEquals("vxlan0", flow.deviceName());
        assertEquals("name=vxflow type=vxlan local-ip=10.9.0.1 remote-ip=flow key=flow dst-port=4790 tos=0 ttl=64 csum=false device=vxlan0",
            flow.describe());
        Config.TunnelPort v6 = (Config.TunnelPort) parser.parse(FILE, """
            [[port]]
            name = "vx6"
            type = "vxlan"
            local-ip = "fd00::1"
            remote-ip = "fd00::2"
            """).ports().get(0);
        assertEquals(OptionalLong.of(0), v6.key(), "OVS's default key: 0");
        assertTrue(v6.csum(), "OVS's default for an IPv6 underlay: UDP checksums on");
        assertTrue(!flow.csum(), "and off for IPv4");
        assertEquals(InetAddress.getByName("fd00::2"), v6.remoteIp().orElseThrow());
    }

    @Test
    void aVniOutOfRangeIsRefusedWhereItIsWritten() {
        ConfigError e = onlyError("""
            [[port]]
            name = "vx1"
            type = "vxlan"
            local-ip = "10.9.0.1"
            remote-ip = "10.9.0.2"
            key = 16777216
            """);
        assertEquals("port[0].key", e.key());
        assertEquals(6, e.line());
        assertEquals(1, e.column());
        assertTrue(e.message().contains("16777216 is out of range: a VXLAN VNI is 24 bits, 0..16777215"), e.message());
        assertTrue(e.toString().startsWith("/etc/offload-bridge/offload-bridge.conf:6:1"), e.toString());
        assertTrue(onlyError("[[port]]\nname = \"vx1\"\ntype = \"vxlan\"\nlocal-ip = \"10.9.0.1\"\nremote-ip = \"10.9.0.2\"\nkey = -1\n")
            .message().contains("out of range"));
        assertTrue(onlyError("[[port]]\nname = \"vx1\"\ntype = \"vxlan\"\nlocal-ip = \"10.9.0.1\"\nremote-ip = \"10.9.0.2\"\nkey = \"42\"\n")
            .message().contains("expected a VNI 0..16777215 or \"flow\""));
    }

    @Test
    void eachBadOptionIsNamed() {
        String head = "[[port]]\nname = \"vx1\"\ntype = \"vxlan\"\n";
        assertEquals("port[0].type", onlyError("[[port]]\nname = \"g1\"\ntype = \"gre\"\nlocal-ip = \"10.9.0.1\"\nremote-ip = \"10.9.0.2\"\n").key());
        ConfigError noLocal = onlyError(head + "remote-ip = \"10.9.0.2\"\n");
        assertTrue(noLocal.message().contains("needs local-ip"), noLocal.message());
        ConfigError noRemote = onlyError(head + "local-ip = \"10.9.0.1\"\n");
        assertTrue(noRemote.message().contains("remote-ip = \"flow\""), noRemote.message());
        ConfigError name = onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"host.example\"\n");
        assertEquals("port[0].remote-ip", name.key());
        assertTrue(name.message().contains("not an IP address literal or \"flow\""), name.message());
        assertTrue(onlyError(head + "local-ip = \"0.0.0.0\"\nremote-ip = \"10.9.0.2\"\n").message().contains("the wildcard address"));
        assertTrue(onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"fd00::2\"\n").message().contains("different IP versions"));
        assertEquals("port[0].dst-port", onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"flow\"\ndst-port = 0\n").key());
        assertEquals("port[0].ttl", onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"flow\"\nttl = 0\n").key());
        assertTrue(onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"flow\"\ntos = \"copy\"\n").message().contains("or \"inherit\""));
        // ECN bits in a fixed tos: refused, as OVS refuses them (the outer ECN is the inner packet's).
        ConfigError ecn = onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"flow\"\ntos = 185\n");
        assertEquals("port[0].tos", ecn.key());
        assertTrue(ecn.message().contains("185 has ECN bits set") && ecn.message().contains("184 for EF"), ecn.message());
        assertTrue(ecn.toString().contains(":6:"), "with its line: " + ecn);
        ConfigError unknown = onlyError(head + "local-ip = \"10.9.0.1\"\nremote-ip = \"flow\"\nremote_ip = \"10.9.0.3\"\n");
        assertTrue(unknown.message().contains("did you mean remote-ip?"), unknown.message());
        ConfigError plain = onlyError("[[port]]\nname = \"eth1\"\nlocal-ip = \"10.9.0.1\"\n");
        assertEquals("port[0].local-ip", plain.key());
        assertTrue(plain.message().contains("add type = \"vxlan\""), plain.message());
    }

    @Test
    void twoPortsThatWouldReceiveTheSamePacketsOrShareANameAreRefused() {
        List<ConfigError> e = errors("""
            [[port]]
            name = "vx1"
            type = "vxlan"
            local-ip = "10.9.0.1"
            remote-ip = "10.9.0.2"
            key = 42

            [[port]]
            name = "vx2"
            type = "vxlan"
            local-ip = "10.9.0.1"
            remote-ip = "10.9.0.2"
            key = 42

            [[port]]
            name = "vx1"
            type = "vxlan"
            local-ip = "10.9.0.1"
            remote-ip = "10.9.0.3"
            """);
        assertEquals(2, e.size(), e.toString());
        assertEquals("port[1]", e.get(0).key());
        assertTrue(e.get(0).message().contains("receives the same packets as port vx1"), e.get(0).message());
        assertEquals("port[2].name", e.get(1).key());
        assertTrue(e.get(1).message().contains("already listed as port[0]"), e.get(1).message());
    }
}
