package org.offloadbridge.tests.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;

/** The VM boots the stock Debian kernel and has loaded every module the tests rely on. */
@Tag("kernel-vm")
class KernelVmModulesTest {
    /** The list tests/vm/run loads; a module missing here means a test tier without it. */
    private static final List<String> EXPECTED = List.of(
            "cls_flower", "act_mirred", "act_gact", "act_vlan", "act_pedit", "act_csum", "act_tunnel_key",
            "act_skbedit", "sch_ingress", "veth", "vxlan", "openvswitch", "8021q", "psample", "netdevsim");

    @Test
    void runsDebiansStockKernel() throws IOException {
        String version = Files.readString(Path.of("/proc/version"));
        assertTrue(version.contains("Debian") && version.matches("(?s)Linux version \\d+\\.\\d+\\.\\d+-\\d+-amd64 .*"),
                "expected a Debian amd64 kernel, /proc/version says: " + version);
    }

    @Test
    void everyModuleTheTestsNeedIsLoaded() throws IOException {
        // /proc/modules: "name size refcount deps state address" per line, names with '_'.
        Set<String> loaded = Files.readAllLines(Path.of("/proc/modules")).stream()
                .map(line -> line.substring(0, line.indexOf(' ')))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(EXPECTED);
        missing.removeAll(loaded);
        assertEquals(Set.of(), missing, "modules not loaded; /proc/modules has " + loaded);
    }

    @Test
    void openvswitchModuleIsLoaded() throws IOException {
        Path module = Path.of("/sys/module/openvswitch");
        assertTrue(Files.isDirectory(module), module + " missing: openvswitch not loaded");
        assertEquals("live", Files.readString(module.resolve("initstate")).strip());
    }

    @Test
    void netdevsimIsTheOneBuiltForThisKernel() throws IOException {
        String release = Shell.ok("uname", "-r").strip();
        String vermagic = Shell.ok("modinfo", "-F", "vermagic", "netdevsim").strip();
        assertTrue(vermagic.startsWith(release + " "), "netdevsim vermagic '" + vermagic + "' vs kernel " + release);
        assertTrue(Files.isDirectory(Path.of("/sys/bus/netdevsim")), "/sys/bus/netdevsim missing");
    }
}
