package org.offloadbridge.daemon.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.TcPolicy;

class ConfigParserTest {
    private static final Path FILE = Path.of("/etc/offload-bridge/offload-bridge.conf");
    private final ConfigParser parser = new ConfigParser(8);

    private Config parse(String text) throws ConfigException {
        return parser.parse(FILE, text);
    }

    private List<ConfigError> errors(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).errors();
    }

    private ConfigError onlyError(String text) {
        List<ConfigError> e = errors(text);
        assertEquals(1, e.size(), e.toString());
        return e.get(0);
    }

    @Test
    void emptyFileGivesTheDefaults() throws Exception {
        Config c = parse("");
        assertFalse(c.hwOffload());
        assertEquals(TcPolicy.NONE, c.tcPolicy());
        assertEquals(OffloadPreference.PREFERRED, c.offloadDefault());
        assertEquals(10_000, c.maxIdleMillis());
        assertEquals(500, c.maxRevalidatorMillis());
        assertEquals(200_000, c.flowLimit());
        assertEquals(8, c.handlerThreads());
        assertEquals(3, c.revalidatorThreads());
        assertEquals(Optional.empty(), c.rulesFile());
        assertFalse(c.stopRemovesFlows());
        assertEquals(Config.LogLevel.INFO, c.logLevel());
        assertEquals(List.of(), c.ports());
        assertFalse(c.dpdk().enabled());
        assertEquals(Path.of("/run/offload-bridge/obctl.sock"), c.control().socket());
        assertEquals("offload-bridge", c.control().group());
        InetSocketAddress m = c.metrics().listen().orElseThrow();
        assertTrue(m.getAddress().isLoopbackAddress());
        assertEquals(9477, m.getPort());
        assertEquals(Config.defaults(8), new Config(null, c.hwOffload(), c.tcPolicy(), c.offloadDefault(), c.maxIdleMillis(),
                c.maxRevalidatorMillis(), c.flowLimit(), c.hwCapacity(), c.hwWatermark(), c.handlerThreads(), c.revalidatorThreads(), c.rulesFile(),
                c.stopRemovesFlows(), c.logLevel(), c.ports(), c.dpdk(), c.control(), c.metrics()));
    }

    @Test
    void everyKeySet() throws Exception {
        Config c = parse("""
                hw-offload = true
                tc-policy = "skip_sw"
                offload-default = "never"
                max-idle = 2500
                max-revalidator = 250
                flow-limit = 50000
                hw-capacity = 64000
                hw-watermark = 80
                n-handler-threads = 4
                n-revalidator-threads = 2
                rules-file = "rules.of"
                stop-removes-flows = true
                log-level = "debug"

                [[port]]
                name = "eth1"
                ofport = 7

                [[port]]
                eswitch = "pci/0000:03:00.0"
                hw-capacity = 1000
                hw-watermark = 50

                [dpdk]
                enabled = true
                eal-args = ["--in-memory", "--no-pci"]
                pmd-cores = "2,4-5"

                [control]
                socket = "/run/ob/ctl.sock"
                group = "netops"

                [metrics]
                listen = "[::1]:9100"
                """);
        assertTrue(c.hwOffload());
        assertEquals(TcPolicy.SKIP_SW, c.tcPolicy());
        assertEquals(OffloadPreference.NEVER, c.offloadDefault());
        assertEquals(64_000, c.hwCapacity());
        assertEquals(80, c.hwWatermark());
        assertEquals(2500, c.maxIdleMillis());
        assertEquals(250, c.maxRevalidatorMillis());
        assertEquals(50_000, c.flowLimit());
        assertEquals(4, c.handlerThreads());
        assertEquals(2, c.revalidatorThreads());
        assertEquals(Optional.of(Path.of("/etc/offload-bridge/rules.of")), c.rulesFile(), "relative to the config's directory");
        assertTrue(c.stopRemovesFlows());
        assertEquals(Config.LogLevel.DEBUG, c.logLevel());
        assertEquals(List.of(new Config.NamedPort("eth1", Optional.of(7)),
            new Config.EswitchPorts("pci/0000:03:00.0", Optional.of(1000), Optional.of(50))), c.ports());
        assertEquals(List.of("pci/0000:03:00.0"), List.copyOf(c.eswitchHwLimits().keySet()));
        assertArrayEquals(new int[] {1000, 50}, c.eswitchHwLimits().get("pci/0000:03:00.0"));
        assertEquals(new Config.Dpdk(true, List.of("--in-memory", "--no-pci"), List.of(2, 4, 5)), c.dpdk());
        assertEquals(new Config.Control(Path.of("/run/ob/ctl.sock"), "netops"), c.control());
        assertEquals(new InetSocketAddress("::1", 9100), c.metrics().listen().orElseThrow());
    }

    @Test
    void revalidatorDefaultFollowsTheHandlerCount() throws Exception {
        assertEquals(4, parse("n-handler-threads = 12").revalidatorThreads());
        assertEquals(1, parse("n-handler-threads = 1").revalidatorThreads());
    }

    @Test
    void metricsCanBeTurnedOff() throws Exception {
        assertEquals(Optional.empty(), parse("[metrics]\nlisten = \"\"").metrics().listen());
    }

    @Test
    void unknownKeyNamesItsLineAndTheNearestKey() {
        ConfigError e = onlyError("hw-offload = true\n  hw-ofload = true\n");
        assertEquals(2, e.line());
        assertEquals(3, e.column());
        assertEquals("hw-ofload", e.key());
        assertTrue(e.message().contains("did you mean hw-offload?"), e.message());
        assertEquals("/etc/offload-bridge/offload-bridge.conf:2:3: hw-ofload: unknown key at the top level; did you mean hw-offload?"
                + " (valid: hw-offload, tc-policy, offload-default, max-idle, max-revalidator, flow-limit, hw-capacity, hw-watermark, n-handler-threads,"
                + " n-revalidator-threads, rules-file, stop-removes-flows, log-level, port, dpdk, control, metrics)", e.toString());
    }

    @Test
    void unknownKeyInATableSuggestsFromThatTable() {
        ConfigError e = onlyError("[dpdk]\nenabled = true\npmd-core = \"1\"\n");
        assertEquals(3, e.line());
        assertEquals("dpdk.pmd-core", e.key());
        assertTrue(e.message().contains("in [dpdk]; did you mean pmd-cores?"), e.message());
    }

    @Test
    void unknownKeyFarFromAnyGetsNoSuggestion() {
        ConfigError e = onlyError("frobnicate = 1\n");
        assertFalse(e.message().contains("did you mean"), e.message());
        assertTrue(e.message().contains("valid: hw-offload"), e.message());
    }

    @Test
    void everyErrorIsReportedInFileOrder() {
        List<ConfigError> e = errors("""
                hw-offload = "true"
                tc-policy = "skip-everything"
                max-idle = 5
                flow-limit = "100"
                log-level = "loud"

                [[port]]
                name = "this-name-is-far-too-long"

                [[port]]
                eswitch = "0000:03:00.0"

                [control]
                socket = "relative.sock"
                """);
        assertEquals(List.of(1, 2, 3, 4, 5, 8, 11, 14), e.stream().map(ConfigError::line).toList(), e.toString());
        assertEquals(List.of("hw-offload", "tc-policy", "max-idle", "flow-limit", "log-level", "port[0].name", "port[1].eswitch", "control.socket"),
                e.stream().map(ConfigError::key).toList());
        assertTrue(e.get(0).message().contains("without quotes"), e.get(0).message());
        assertTrue(e.get(1).message().contains("expected none, skip_sw or skip_hw"), e.get(1).message());
        assertTrue(e.get(2).message().contains("allowed 100..3600000"), e.get(2).message());
        assertTrue(e.get(3).message().contains("without quotes"), e.get(3).message());
        assertTrue(e.get(4).message().contains("trace, debug, info, warn or error"), e.get(4).message());
        assertTrue(e.get(5).message().contains("1 to 15 characters"), e.get(5).message());
        assertTrue(e.get(6).message().contains("pci/0000:03:00.0"), e.get(6).message());
        assertTrue(e.get(7).message().contains("absolute path"), e.get(7).message());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "hw-offload = 1                               | hw-offload            | expected true or false, got the number 1",
        "tc-policy = true                             | tc-policy             | expected a string in quotes, got the boolean true",
        "offload-default = \"always\"                 | offload-default       | expected required, preferred or never",
        "max-idle = 3600001                           | max-idle              | 3600001 is out of range; allowed 100..3600000",
        "max-revalidator = 0                          | max-revalidator       | allowed 10..60000",
        "flow-limit = 0                               | flow-limit            | allowed 1..10000000",
        "flow-limit = 1.5                             | flow-limit            | expected an integer 1..10000000 (flows), got the number 1.5",
        "n-handler-threads = 0                        | n-handler-threads     | allowed 1..1024",
        "n-revalidator-threads = 2000                 | n-revalidator-threads | allowed 1..1024",
        "rules-file = 3                               | rules-file            | expected a string in quotes",
        "rules-file = \"\"                          | rules-file            | must not be empty",
        "stop-removes-flows = \"yes\"                 | stop-removes-flows    | expected true or false, got the string \"yes\"",
        "port = \"eth1\"                              | port                  | expected [[port]] tables",
        "dpdk = true                                  | dpdk                  | expected a table [dpdk]",
        "dpdk.eal-args = \"--no-pci\"                 | dpdk.eal-args         | expected a list of strings",
        "dpdk.eal-args = [\"-l\", 2]                  | dpdk.eal-args         | element 2 is the number 2",
        "dpdk.pmd-cores = \"2-a\"                     | dpdk.pmd-cores        | expected a CPU list like \"2,4-6\"",
        "dpdk.pmd-cores = \"5-2\"                     | dpdk.pmd-cores        | runs backwards",
        "dpdk.pmd-cores = \"9999\"                    | dpdk.pmd-cores        | out of range 0..4095",
        "dpdk.enabled = \"on\"                        | dpdk.enabled          | expected true or false",
        "control.group = \"9bad group\"               | control.group         | is not a group name",
        "metrics.listen = \"localhost:9477\"          | metrics.listen        | is not an IP address",
        "metrics.listen = \"127.0.0.1:0\"             | metrics.listen        | port must be 1..65535",
        "metrics.listen = \"127.0.0.1\"               | metrics.listen        | expected address:port",
        "metrics.listen = \"999.1.1.1:80\"            | metrics.listen        | is not an IP address",
    })
    void badValue(String line, String key, String expected) {
        ConfigError e = onlyError("\n" + line + "\n");
        assertEquals(key, e.key());
        assertEquals(2, e.line(), e.toString());
        assertEquals(1, e.column(), e.toString());
        assertTrue(e.message().contains(expected), e.toString());
    }

    @Test
    void controlSocketPathMustFitSunPath() {
        ConfigError e = onlyError("[control]\nsocket = \"/" + "x".repeat(107) + "\"\n");
        assertEquals("control.socket", e.key());
        assertTrue(e.message().contains("at most 107"), e.message());
    }

    @Test
    void portTableErrors() {
        List<ConfigError> e = errors("""
                [[port]]
                name = "eth1"
                ofport = 3
                [[port]]
                name = "eth1"
                [[port]]
                name = "eth2"
                ofport = 3
                [[port]]
                name = "eth3"
                eswitch = "pci/0000:03:00.0"
                [[port]]
                ofport = 4
                [[port]]
                eswitch = "pci/0000:03:00.0"
                ofport = 9
                [[port]]
                nmae = "eth9"
                """);
        assertEquals(List.of("port[1].name", "port[2].ofport", "port[3]", "port[4]", "port[5].ofport", "port[6]", "port[6].nmae"),
                e.stream().map(ConfigError::key).toList(), e.toString());
        assertEquals(List.of(5, 8, 9, 12, 16, 17, 18), e.stream().map(ConfigError::line).toList(), e.toString());
        assertTrue(e.get(0).message().contains("already listed as port[0]"), e.get(0).message());
        assertTrue(e.get(1).message().contains("already port[0]'s"), e.get(1).message());
        assertTrue(e.get(2).message().contains("has both name and eswitch"), e.get(2).message());
        assertTrue(e.get(3).message().contains("needs name"), e.get(3).message());
        assertTrue(e.get(4).message().contains("only a named port takes ofport"), e.get(4).message());
        assertTrue(e.get(6).message().contains("did you mean name?"), e.get(6).message());
    }

    @Test
    void syntaxErrorHasLineAndColumn() {
        ConfigError e = onlyError("hw-offload = true\nmax-idle = = 3\n");
        assertEquals(2, e.line(), e.toString());
        assertTrue(e.column() > 0, e.toString());
        assertTrue(e.message().startsWith("TOML syntax: "), e.message());
    }

    @Test
    void duplicateKeyIsASyntaxError() {
        ConfigError e = onlyError("max-idle = 1000\n[dpdk]\nenabled = true\n[control]\n[dpdk]\n");
        assertEquals(5, e.line(), e.toString());
        assertEquals("dpdk", e.key());
        e = onlyError("max-idle = 1000\n  max-idle = 2000\n");
        assertEquals("/etc/offload-bridge/offload-bridge.conf:2:3: max-idle: TOML syntax: Duplicate key (first written on line 1)", e.toString());
    }

    @Test
    void linesInsideMultilineStringsAreNotMistakenForKeys() {
        ConfigError e = onlyError("rules-file = \"\"\"\nhw-offload = true\n\"\"\"\nhw-offload = 7\n");
        assertEquals(4, e.line(), e.toString());
    }

    @Test
    void unreadableFileSaysSo(@TempDir Path dir) {
        Path missing = dir.resolve("nope.conf");
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parse(missing));
        assertEquals(missing + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void readsFromAFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ob.conf");
        Files.writeString(f, "flow-limit = 12\nrules-file = \"/srv/r.of\"\n");
        Config c = parser.parse(f);
        assertEquals(12, c.flowLimit());
        assertEquals(f, c.source());
        assertEquals(Optional.of(Path.of("/srv/r.of")), c.rulesFile());
    }

    @Test
    void cpuLists() {
        assertEquals(List.of(), ConfigParser.cpuList(""));
        assertEquals(List.of(1, 2, 3, 7), ConfigParser.cpuList("7, 1-3"));
        assertEquals(List.of(0), ConfigParser.cpuList("0,0"));
    }

    /** Issue 16: Integer.parseInt reads ٢ as 2 and ٩٤٧٧ as 9477; a config value is ASCII, as ovs-vsctl's. */
    @Test
    void cpusAndPortsAreAsciiDigits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigParser.cpuList("1,\u0662-4"));
        assertEquals("\"\u0662-4\" is not a CPU number or range (non-ASCII digit U+0662 at position 1: numbers are ASCII 0-9);"
            + " expected a CPU list like \"2,4-6\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigParser.hostPort("127.0.0.1:\u0669\u0664\u0667\u0667"));
        assertTrue(e.getMessage().endsWith("port must be 1..65535 (non-ASCII digit U+0669 at position 1: numbers are ASCII 0-9)"),
            e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigParser.hostPort("127.0.0.1:+9477"));
        assertTrue(e.getMessage().endsWith("port must be 1..65535 ('+' at position 1 is not a digit)"), e.getMessage());
        assertEquals(9477, ConfigParser.hostPort("127.0.0.1:9477").getPort());
    }

    @Test
    void suggestions() {
        assertEquals("max-idle", Suggest.nearest("max_idle", ConfigParser.TOP_KEYS));
        assertEquals("tc-policy", Suggest.nearest("tc-polcy", ConfigParser.TOP_KEYS));
        assertEquals("n-handler-threads", Suggest.nearest("n-handlers-threads", ConfigParser.TOP_KEYS));
        assertEquals("flow-limit", Suggest.nearest("flwo-limit", ConfigParser.TOP_KEYS));
        assertEquals(null, Suggest.nearest("zzz", ConfigParser.TOP_KEYS));
        assertEquals(1, Suggest.distance("ab", "ba"));
        assertEquals(3, Suggest.distance("kitten", "sitting"));
    }

    @Test
    void aNamedPortTakesNoHwCapacity() {
        ConfigError e = onlyError("[[port]]\nname = \"eth1\"\nhw-capacity = 10\n");
        assertEquals("port[0].hw-capacity", e.key());
        assertTrue(e.message().contains("only an e-switch's [[port]] takes hw-capacity"), e.message());
    }
}
