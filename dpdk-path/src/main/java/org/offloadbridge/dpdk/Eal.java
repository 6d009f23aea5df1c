package org.offloadbridge.dpdk;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.offloadbridge.dpdk.internal.rte.NativeLibs;
import org.offloadbridge.dpdk.internal.rte.RteEal;
import org.offloadbridge.dpdk.internal.rte.RteEthdev;

/**
 * The DPDK Environment Abstraction Layer, initialised once per JVM.
 *
 * <p>Two facts shape this class. EAL can be initialised only once per process (a second
 * rte_eal_init fails even after rte_eal_cleanup), so there is one {@code Eal} per JVM and
 * everything — ports, pools, tests — shares it. And rte_eal_init pins its calling thread to the
 * main lcore's CPU (threads that thread starts inherit the mask), so it runs on a dedicated,
 * short-lived thread and the JVM's own threads keep all CPUs.
 */
public final class Eal {

    private static final AtomicReference<Eal> INSTANCE = new AtomicReference<>();
    private static volatile Throwable failure;

    private final List<String> args;
    private final AtomicInteger names = new AtomicInteger();

    private Eal(List<String> args) {
        this.args = args;
    }

    /**
     * Initialises EAL with this configuration, or returns the EAL already running in this JVM
     * (whatever it was configured with: there can only be one).
     *
     * @throws DpdkException when the libraries are missing or EAL refuses the arguments; the
     *                       failure is remembered and {@link Dpdk#unavailabilityCause()} returns it
     */
    public static synchronized Eal initOrGet(EalConfig config) {
        Eal current = INSTANCE.get();
        if (current != null) {
            return current;
        }
        if (failure != null) {
            throw new DpdkException("rte_eal_init", "EAL", "refused earlier in this JVM: " + failure.getMessage());
        }
        if (!NativeLibs.isAvailable()) {
            failure = NativeLibs.unavailabilityCause();
            throw new DpdkException("rte_eal_init", "EAL", failure.getMessage());
        }
        List<String> args = config.args();
        int[] result = new int[2];
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                result[0] = RteEal.rte_eal_init(args);
                result[1] = result[0] < 0 ? RteEal.rte_errno() : 0;
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "dpdk-eal-init");
        t.setDaemon(true);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DpdkException("rte_eal_init", "EAL", "interrupted while waiting for EAL init");
        }
        if (thrown[0] != null) {
            failure = thrown[0];
            throw new DpdkException("rte_eal_init", String.join(" ", args), thrown[0].toString());
        }
        if (result[0] < 0) {
            DpdkException e = new DpdkException("rte_eal_init", String.join(" ", args), result[1]);
            failure = e;
            throw e;
        }
        Eal eal = new Eal(args);
        INSTANCE.set(eal);
        return eal;
    }

    /** The EAL running in this JVM, or null. */
    public static Eal current() {
        return INSTANCE.get();
    }

    static Throwable failure() {
        return failure;
    }

    public List<String> args() {
        return args;
    }

    /**
     * Creates (probes) a device from a DPDK device string and returns its first ethdev port:
     * "net_null0", "net_ring0", "net_tap0,iface=tap0", "net_af_packet0,iface=veth0",
     * "0000:03:00.0,representor=[0]" (real PMDs on hosts that have them). A device already
     * created (by --vdev at init or an earlier attach) is found, not probed twice.
     */
    public EthdevPort attach(String devargs) {
        int rc = RteEal.rte_dev_probe(devargs);
        if (rc < 0 && -rc != RteEal.EEXIST) {
            throw new DpdkException("rte_dev_probe", devargs, -rc);
        }
        int[] ports = RteEthdev.portsMatching(devargs);
        if (ports.length == 0) {
            String name = devargs.contains(",") ? devargs.substring(0, devargs.indexOf(',')) : devargs;
            int id = RteEthdev.rte_eth_dev_get_port_by_name(name);
            if (id < 0) {
                throw new DpdkException("rte_eth_dev_get_port_by_name", devargs, -id);
            }
            ports = new int[] {id};
        }
        return new EthdevPort(ports[0], RteEthdev.rte_eth_dev_get_name_by_port(ports[0]), devargs);
    }

    /** The already existing ethdev port with this name (e.g. a --vdev given at init). */
    public EthdevPort port(String name) {
        int id = RteEthdev.rte_eth_dev_get_port_by_name(name);
        if (id < 0) {
            throw new DpdkException("rte_eth_dev_get_port_by_name", name, -id);
        }
        return new EthdevPort(id, name, name);
    }

    /** A name no other object in this EAL has (mempool and ring names are global). */
    public String uniqueName(String prefix) {
        return prefix + "_" + names.incrementAndGet();
    }

    /**
     * Registers the calling thread with EAL (an lcore id, hence a per-thread mempool cache: an
     * unregistered polling thread loses ~40% throughput). Call it first thing on a PMD thread.
     */
    public void registerThread() {
        int rc = RteEal.rte_thread_register();
        if (rc < 0) {
            throw new DpdkException("rte_thread_register", Thread.currentThread().getName(), RteEal.rte_errno());
        }
    }

    public void unregisterThread() {
        RteEal.rte_thread_unregister();
    }
}
