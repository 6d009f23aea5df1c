package org.offloadbridge.tests.vmtier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.testkit.Shell;

/**
 * The VM tier's skip rule, without booting the VM: the fixture classes run through the same
 * JUnit console launcher tests/vm/junit uses (same options that matter: kernel-vm tag, legacy
 * XML reports), and tests/vm/check-reports — the part of tests/vm/junit that judges a run —
 * must fail the run for a skipped test unless tests/vm/allowed-skips lists it.
 */
class VmTierSkipRuleTest {
    static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    static final Path CHECK = MODULE.resolve("vm/check-reports");

    @TempDir
    static Path tmp;
    static Path abortingReports;
    static Path containerReports;

    @BeforeAll
    static void runTheFixturesThroughTheConsoleLauncher() throws IOException {
        abortingReports = launch(AbortingVmFixture.class, "aborting");
        containerReports = launch(AbortingVmContainerFixture.class, "container");
    }

    static Path launch(Class<?> fixture, String name) throws IOException {
        final Path reports = tmp.resolve(name);
        final List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-cp");
        final List<String> cp = new ArrayList<>();
        try (Stream<Path> jars = Files.list(MODULE.resolve("target/vm/launcher"))) {
            jars.sorted().forEach(j -> cp.add(j.toString()));
        }
        assertTrue(!cp.isEmpty(), "no console launcher in target/vm/launcher (generate-test-resources)");
        cp.add(System.getProperty("java.class.path"));
        argv.add(String.join(":", cp));
        argv.addAll(List.of("org.junit.platform.console.ConsoleLauncher", "execute",
                "--select-class=" + fixture.getName(), "--include-classname=.*", "--include-tag=kernel-vm",
                "--reports-dir=" + reports, "--disable-banner", "--disable-ansi-colors", "--details=none"));
        final Shell.Result r = Shell.run(180, argv.toArray(String[]::new));
        // The launcher itself passes a run whose only trouble is a skip: that is the hole the report check closes.
        assertEquals(0, r.exit(), r::toString);
        return reports;
    }

    static List<String> xml(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            final List<String> out = s.filter(p -> p.toString().endsWith(".xml")).map(Path::toString).sorted().toList();
            assertTrue(!out.isEmpty(), "no XML report in " + dir);
            return out;
        }
    }

    static Shell.Result check(Path allowed, List<String> reports) {
        final List<String> argv = new ArrayList<>(List.of(CHECK.toString(), "--allowed", allowed.toString()));
        argv.addAll(reports);
        return Shell.run(argv.toArray(String[]::new));
    }

    static Path allowedFile(String name, String... lines) throws IOException {
        return Files.write(tmp.resolve(name), List.of(lines));
    }

    @Test
    void aSkippedTestFailsTheTierNamingTheTestAndItsReason() throws IOException {
        final Shell.Result r = check(allowedFile("none"), xml(abortingReports));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("SKIPPED, not allowed: " + AbortingVmFixture.class.getName()
                + "#abortsOnAMissingPrerequisite: "), r.toString());
        assertTrue(r.err().contains("netdevsim not loaded"), r.toString());
        assertTrue(r.err().contains("2 tests, 0 failures, 0 errors, 1 skipped (0 allowed)"), r.toString());
        assertTrue(r.err().contains("FAILED: 1 skipped tests not in"), r.toString());
    }

    @Test
    void aSkipOnTheAllowedListPasses() throws IOException {
        final Path allowed = allowedFile("one", "# why: the fixture stands for a test that cannot run in the VM",
                "", AbortingVmFixture.class.getName() + "#abortsOnAMissingPrerequisite  fixture of VmTierSkipRuleTest");
        final Shell.Result r = check(allowed, xml(abortingReports));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.err().contains("skipped (allowed: fixture of VmTierSkipRuleTest)"), r.toString());
    }

    @Test
    void aClassAbortedInBeforeAllFailsTheTierToo() throws IOException {
        final Shell.Result r = check(allowedFile("none2"), xml(containerReports));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains(AbortingVmContainerFixture.class.getName()), r.toString());
        assertTrue(r.err().contains("openvswitch module missing"), r.toString());
    }

    @Test
    void failuresAndEmptyRunsFailAndTheCommittedListParses() throws IOException {
        final Path failed = Files.writeString(tmp.resolve("failed.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="1" skipped="0" failures="1" errors="0">
                  <testcase name="x()" classname="org.example.A" time="0.1"><failure message="boom" type="java.lang.AssertionError"/></testcase>
                </testsuite>
                """);
        final Path empty = Files.writeString(tmp.resolve("empty.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="0" skipped="0" failures="0" errors="0"/>
                """);
        final Path committed = MODULE.resolve("vm/allowed-skips");
        Shell.Result r = check(committed, List.of(failed.toString()));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("FAILED: 1 failures, 0 errors"), r.toString());
        r = check(committed, List.of(empty.toString()));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().contains("FAILED: no test ran"), r.toString());
    }

    @Test
    void aMalformedAllowedLineIsAnErrorWithFileAndLine() throws IOException {
        final Path bad = allowedFile("bad", "# comment", AbortingVmFixture.class.getName() + "#abortsOnAMissingPrerequisite");
        final Shell.Result r = check(bad, xml(abortingReports));
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains(bad + ":2: want 'fully.qualified.Class#method reason'"), r.toString());
    }
}
