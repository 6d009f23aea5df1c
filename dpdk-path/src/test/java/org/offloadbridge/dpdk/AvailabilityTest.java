package org.offloadbridge.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Shell;

/**
 * Without DPDK (libraries missing, or EAL refusing its arguments) the datapath reports itself
 * unavailable with the cause, and nothing else breaks. Each case runs in a fresh JVM, because
 * EAL can be initialised only once per process.
 */
class AvailabilityTest {

    /** Entry point of the child JVM: tries EAL with the given extra args, prints the outcome. */
    public static void main(String[] args) {
        System.out.println("libs=" + org.offloadbridge.dpdk.internal.rte.NativeLibs.isAvailable());
        try {
            EalConfig c = new EalConfig().memoryMb(64);
            for (String a : args) {
                c.extraArg(a);
            }
            Eal.initOrGet(c);
            System.out.println("eal=ok");
        } catch (DpdkException e) {
            System.out.println("eal=failed " + e.getMessage());
        }
        System.out.println("available=" + DpdkDatapath.isAvailable());
        System.out.println("cause=" + DpdkDatapath.unavailabilityCause());
    }

    static String child(String libdir, String... ealArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (libdir != null) {
            cmd.add("-Doffloadbridge.dpdk.libdir=" + libdir);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AvailabilityTest.class.getName());
        cmd.addAll(List.of(ealArgs));
        Shell.Result r = Shell.run(60, cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), r.out());
        return r.out();
    }

    @Test
    void missingLibrariesMakeItUnavailableWithTheCause() {
        String out = child("/nonexistent-dpdk");
        assertTrue(out.contains("libs=false"), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("librte_eal.so.23"), "cause names the library: " + out);
        assertTrue(out.contains("eal=failed"), out);
    }

    @Test
    void ealRefusingItsArgumentsMakesItUnavailableWithTheCause() {
        String out = child(null, "--no-such-eal-option");
        assertTrue(out.contains("libs=true"), out);
        assertTrue(out.contains("eal=failed rte_eal_init("), out);
        assertTrue(out.contains("available=false"), out);
        assertTrue(out.contains("cause=org.offloadbridge.dpdk.DpdkException: rte_eal_init"), out);
    }
}
