package org.offloadbridge.daemon;

import java.util.List;
import java.util.Map;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.DatapathConfig;

/**
 * What the daemon needs to start, validated: the datapath policy and limits (OVS's
 * other_config keys, {@link DatapathConfig}), the ports by netdev name, the rules, and the DPDK
 * choice. The config file (daemon.config) fills it; tests build it directly.
 *
 * @param datapath         concluded datapath settings
 * @param ports            netdev names, in OpenFlow port order (the flood order)
 * @param ofPorts          the OpenFlow numbers the config gives named ports; the others get the lowest free ones
 * @param eswitches        devlink handles ({@code pci/0000:08:00.0}) whose uplinks and representors are all
 *                         ports, attached as they appear and detached as they go (after the named ones)
 * @param rules            the rules file's text (ovs-ofctl syntax), may be empty
 * @param dpdk             run the DPDK datapath (when the machine has DPDK); false: packet sockets
 * @param ealArgs          extra EAL arguments (e.g. --no-huge is added when hugepages are off)
 * @param hugepages        give EAL hugepages
 * @param pmdThreads       PMD threads of the DPDK datapath
 * @param stopRemovesFlows a clean stop deletes our tc flows (default false: a restart is hitless)
 * @param offloadDefault   the offload preference of a rule without {@code offload=} (config {@code offload-default})
 * @param tunnels          the tunnel ports ({@code [[port]] type = "vxlan"}), after the named ports in OpenFlow order
 */
public record DaemonSettings(DatapathConfig datapath, List<String> ports, Map<String, Integer> ofPorts, List<String> eswitches,
                             String rules, boolean dpdk, List<String> ealArgs, boolean hugepages, int pmdThreads,
                             boolean stopRemovesFlows, OffloadPreference offloadDefault,
                             List<org.offloadbridge.daemon.config.Config.TunnelPort> tunnels) {
    /** No tunnel ports. */
    public DaemonSettings(DatapathConfig datapath, List<String> ports, Map<String, Integer> ofPorts, List<String> eswitches,
                          String rules, boolean dpdk, List<String> ealArgs, boolean hugepages, int pmdThreads,
                          boolean stopRemovesFlows, OffloadPreference offloadDefault) {
        this(datapath, ports, ofPorts, eswitches, rules, dpdk, ealArgs, hugepages, pmdThreads, stopRemovesFlows, offloadDefault, List.of());
    }

    /** Rules without {@code offload=} are {@code preferred}. */
    public DaemonSettings(DatapathConfig datapath, List<String> ports, Map<String, Integer> ofPorts, List<String> eswitches,
                          String rules, boolean dpdk, List<String> ealArgs, boolean hugepages, int pmdThreads,
                          boolean stopRemovesFlows) {
        this(datapath, ports, ofPorts, eswitches, rules, dpdk, ealArgs, hugepages, pmdThreads, stopRemovesFlows,
            OffloadPreference.PREFERRED);
    }

    /** Ports by name only. */
    public DaemonSettings(DatapathConfig datapath, List<String> ports, String rules, boolean dpdk, List<String> ealArgs,
                          boolean hugepages, int pmdThreads, boolean stopRemovesFlows) {
        this(datapath, ports, Map.of(), List.of(), rules, dpdk, ealArgs, hugepages, pmdThreads, stopRemovesFlows);
    }

    public DaemonSettings {
        datapath = datapath.conclude();
        ports = List.copyOf(ports);
        eswitches = List.copyOf(eswitches);
        ofPorts = Map.copyOf(ofPorts);
        if (new java.util.HashSet<>(ofPorts.values()).size() != ofPorts.size()) {
            throw new IllegalArgumentException("two ports with one OpenFlow number: " + ofPorts);
        }
        for (String h : eswitches) {
            if (!h.matches("[^/\\s]+/[^\\s]+")) {
                throw new IllegalArgumentException("eswitch \"" + h + "\": not a devlink handle (bus/device, e.g. pci/0000:08:00.0)");
            }
        }
        ealArgs = List.copyOf(ealArgs);
        tunnels = List.copyOf(tunnels);
        rules = rules == null ? "" : rules;
        offloadDefault = offloadDefault == null ? OffloadPreference.PREFERRED : offloadDefault;
        if (pmdThreads < 1) {
            throw new IllegalArgumentException("pmd threads must be at least 1, not " + pmdThreads);
        }
        for (String p : ports) {
            if (p.isEmpty() || p.length() > 15 || p.contains("/") || p.contains(" ")) {
                throw new IllegalArgumentException("port \"" + p + "\": not a netdev name (1-15 characters, no '/' or blank)");
            }
        }
    }
}
