package org.offloadbridge.dpdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * EAL arguments, validated in one place ({@link #args()}).
 *
 * <p>Defaults suit a host without hugepages and without PCI devices bound to DPDK (tests, veth
 * and tap ports): {@code -l 0 --no-huge -m 256 --no-pci --no-telemetry --file-prefix ob<pid>}.
 * {@code --in-memory} is not usable with {@code --no-huge} in 22.11, so a per-process
 * {@code --file-prefix} keeps runtime files of concurrent processes apart instead.
 */
public final class EalConfig {

    private String lcores = "0";
    private int memoryMb = 256;
    private boolean hugepages = false;
    private boolean pci = false;
    private String filePrefix = "ob" + ProcessHandle.current().pid();
    private String logLevel = "*:warning";
    private final List<String> vdevs = new ArrayList<>();
    private final List<String> extra = new ArrayList<>();

    /** The lcore list EAL binds its main thread to ({@code -l}); EAL init runs on its own thread. */
    public EalConfig lcores(String lcores) {
        this.lcores = Objects.requireNonNull(lcores);
        return this;
    }

    /** Memory EAL reserves, in MiB ({@code -m}). */
    public EalConfig memoryMb(int mb) {
        this.memoryMb = mb;
        return this;
    }

    /** Use hugepages (needs them mounted); off by default. */
    public EalConfig hugepages(boolean on) {
        this.hugepages = on;
        return this;
    }

    /** Scan the PCI bus (real NICs bound to vfio/mlx5); off by default. */
    public EalConfig pci(boolean on) {
        this.pci = on;
        return this;
    }

    public EalConfig filePrefix(String prefix) {
        this.filePrefix = Objects.requireNonNull(prefix);
        return this;
    }

    /** {@code --log-level}, e.g. "*:warning" or "pmd.net.af_packet:debug". */
    public EalConfig logLevel(String level) {
        this.logLevel = Objects.requireNonNull(level);
        return this;
    }

    /** A virtual device created at init ({@code --vdev}), e.g. "net_null0" or "net_tap0,iface=dtap0". */
    public EalConfig vdev(String devargs) {
        vdevs.add(Objects.requireNonNull(devargs));
        return this;
    }

    /** Any other EAL argument, passed as is after ours. */
    public EalConfig extraArg(String arg) {
        extra.add(Objects.requireNonNull(arg));
        return this;
    }

    /** The argv given to rte_eal_init, after validation. */
    public List<String> args() {
        if (memoryMb <= 0) {
            throw new IllegalArgumentException("EAL memory must be > 0 MiB, got " + memoryMb);
        }
        if (lcores.isBlank()) {
            throw new IllegalArgumentException("EAL lcores must not be blank");
        }
        List<String> a = new ArrayList<>();
        a.add("offload-bridge");
        a.add("-l");
        a.add(lcores);
        if (!hugepages) {
            a.add("--no-huge");
        } else {
            a.add("--huge-unlink"); // no hugepage files left behind, whatever way the process ends
        }
        a.add("-m");
        a.add(Integer.toString(memoryMb));
        if (!pci) {
            a.add("--no-pci");
        }
        a.add("--file-prefix=" + filePrefix);
        a.add("--no-telemetry");
        a.add("--log-level=" + logLevel);
        for (String v : vdevs) {
            a.add("--vdev=" + v);
        }
        a.addAll(extra);
        return List.copyOf(a);
    }

    @Override
    public String toString() {
        return String.join(" ", args());
    }
}
