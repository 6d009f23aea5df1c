package org.offloadbridge.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    private Run check(String... args) {
        return check(new CheckCommand(new ConfigParser(4)), args);
    }

    private Run check(CheckCommand cmd, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void validConfigAndRules() throws Exception {
        write("rules.of", "# comment\n\ntable=0,priority=10,in_port=eth1,ip,actions=output:2\npriority=0,actions=drop\n");
        Path conf = write("ob.conf", "rules-file = \"rules.of\"\n[[port]]\nname = \"eth1\"\n[[port]]\nname = \"eth2\"\n");
        Run r = check("--config", conf.toString());
        assertEquals(0, r.status, r.err);
        assertEquals("", r.err);
        assertEquals("offload-bridge: configuration file " + conf + " is valid\n"
                + "offload-bridge: rules file " + dir.resolve("rules.of") + " is valid (2 rules)\n", r.out);
    }

    @Test
    void everyBadRuleLineIsReportedWithLineAndColumn() throws Exception {
        Path rules = write("rules.of", "priority=1,actions=drop\nprority=2,actions=drop\n\n# c\nin_port=eth9,actions=drop\nip,tp_dst=80,actions=drop\n");
        Path conf = write("ob.conf", "[[port]]\nname = \"eth1\"\n");
        Run r = check("-c", conf.toString(), "--rules", rules.toString());
        assertEquals(1, r.status);
        String[] lines = r.err.split("\n");
        assertEquals(4, lines.length, r.err);
        assertTrue(lines[0].startsWith(rules + ":2:1: "), lines[0]);
        assertTrue(lines[1].startsWith(rules + ":5:9: unknown port \"eth9\""), lines[1]);
        assertTrue(lines[1].contains("not a [[port]] name in " + conf), lines[1]);
        assertTrue(lines[2].startsWith(rules + ":6:"), lines[2]);
        assertEquals("offload-bridge: 3 errors", lines[3]);
        assertEquals("offload-bridge: configuration file " + conf + " is valid\n", r.out);
    }

    @Test
    void configAndRulesErrorsTogether() throws Exception {
        Path rules = write("r.of", "actions=frob\n");
        Path conf = write("ob.conf", "max-idle = 1\nrules-file = \"" + rules + "\"\n");
        Run r = check("--config", conf.toString(), "--rules", rules.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith(conf + ":1:1: max-idle: 1 is out of range"), r.err);
        assertTrue(r.err.contains(rules + ":1:"), r.err);
        assertTrue(r.err.endsWith("offload-bridge: 2 errors\n"), r.err);
        assertEquals("", r.out);
    }

    @Test
    void rulesAloneWhenTheDefaultConfigIsAbsent() throws Exception {
        Path rules = write("r.of", "in_port=1,actions=output:2\nin_port=eth1,actions=drop\n");
        CheckCommand cmd = new CheckCommand(new ConfigParser(4));
        cmd.config = dir.resolve("absent-default.conf");
        Run r = check(cmd, "--rules", rules.toString());
        assertEquals(1, r.status);
        assertEquals(rules + ":2:9: unknown port \"eth1\" (no configuration was read, so no port names are known; use numbers or --config)\n"
                + "offload-bridge: 1 error\n", r.err);
        assertEquals("", r.out);
    }

    @Test
    void eswitchPortsHint() throws Exception {
        Path rules = write("r.of", "in_port=pf0vf1,actions=drop\n");
        Path conf = write("ob.conf", "[[port]]\neswitch = \"pci/0000:03:00.0\"\n");
        Run r = check("-c", conf.toString(), "-r", rules.toString());
        assertEquals(1, r.status);
        assertTrue(r.err.contains("representors of an eswitch port are known only to the running daemon"), r.err);
    }

    @Test
    void missingFiles() throws Exception {
        Run r = check("--config", dir.resolve("none.conf").toString());
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith(dir.resolve("none.conf") + ": cannot read: no such file\n"), r.err);
        Path conf = write("ob.conf", "rules-file = \"gone.of\"\n");
        r = check("--config", conf.toString(), "-q");
        assertEquals(1, r.status);
        assertEquals(dir.resolve("gone.of") + ": cannot read the rules file: no such file\n", r.err);
    }

    @Test
    void portNumbering() throws Exception {
        Config c = new ConfigParser(1).parse(dir.resolve("x"), "[[port]]\nname=\"a\"\n[[port]]\nname=\"b\"\nofport=1\n[[port]]\nname=\"c\"\n");
        var t = CheckCommand.portTable(c);
        assertEquals(2, t.byName("a").ofPort());
        assertEquals(1, t.byName("b").ofPort());
        assertEquals(3, t.byName("c").ofPort());
    }

    @Test
    void usageErrorIsTwo() {
        Run r = check("--bogus");
        assertEquals(2, r.status);
        assertTrue(r.err.contains("Unknown option: '--bogus'"), r.err);
    }
}
