package org.offloadbridge.switchdev.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.offloadbridge.netlink.NetlinkException;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.DevlinkPort;
import org.offloadbridge.switchdev.EswitchState;
import org.offloadbridge.switchdev.HwTcOffload;
import org.offloadbridge.switchdev.Port;
import org.offloadbridge.switchdev.Problem;
import org.offloadbridge.switchdev.SwitchdevException;
import org.offloadbridge.switchdev.SwitchdevModel;

/**
 * One full discovery pass: rtnetlink links, joined with sysfs and devlink ports, then the
 * e-switch mode of every devlink instance seen, then (optionally) hw-tc-offload per port.
 *
 * <p>The three sources are read one after another, not atomically, so the system can change
 * in between: a devlink instance can go away after the port dump (its ESWITCH_GET then fails
 * with ENODEV), a netdev can be renamed or deleted after the link dump (its sysfs directory
 * is then missing, or holds another netdev's ifindex). The rule is: the link dump defines
 * which ports exist and their names; everything that does not line up with it becomes a
 * {@link Problem} in the snapshot instead of an exception, and the hotplug agent's next pass
 * (triggered by the very event that caused the mismatch) settles it.
 */
public final class Discovery {
    private Discovery() {
    }

    public static SwitchdevModel.Snapshot discover(KernelView kv, boolean withFeatures) {
        final List<Problem> problems = new ArrayList<>();
        final List<LinkIdentity> links = kv.links();
        final Map<Integer, LinkIdentity> linkByIndex = new HashMap<>();
        links.forEach(l -> linkByIndex.put(l.ifindex(), l));

        List<DevlinkPort> dports = List.of();
        boolean devlinkAvailable = true;
        try {
            dports = kv.devlinkPorts();
        } catch (UnsupportedOperationException e) {
            devlinkAvailable = false;
            problems.add(new Problem("devlink", e.getMessage()));
        } catch (NetlinkException | SwitchdevException e) {
            problems.add(new Problem("devlink port dump", e.getMessage()));
        }
        final Map<Integer, DevlinkPort> dpByIfindex = new HashMap<>();
        final Set<DevlinkHandle> handles = new TreeSet<>();
        for (DevlinkPort dp : dports) {
            handles.add(dp.handle());
            if (dp.netdevIfindex() <= 0) {
                continue;
            }
            if (!linkByIndex.containsKey(dp.netdevIfindex())) {
                problems.add(new Problem("devlink port " + dp.id(), "names netdev ifindex " + dp.netdevIfindex()
                        + " (" + dp.netdevName() + ") which the link dump did not have (gone since?)"));
                continue;
            }
            dpByIfindex.put(dp.netdevIfindex(), dp);
        }

        final List<Port> ports = new ArrayList<>();
        for (LinkIdentity link : links) {
            final List<Problem> earlier = new ArrayList<>();
            SysfsNetdev sys = null;
            try {
                sys = kv.sysfs().read(link.name());
                if (sys.ifindex() >= 0 && sys.ifindex() != link.ifindex()) {
                    earlier.add(new Problem("netdev " + link.name(), "sysfs now shows ifindex " + sys.ifindex()
                            + " under this name, the link dump had " + link.ifindex() + " (renamed since); sysfs facts ignored"));
                    sys = null;
                }
            } catch (SysfsReader.NoSuchNetdevException e) {
                earlier.add(new Problem("netdev " + link.name(), "sysfs: " + e.getMessage()));
            } catch (IllegalArgumentException e) {
                earlier.add(new Problem("netdev " + link.name(), e.getMessage()));
            }
            final HwTcOffload tc = withFeatures && !"lo".equals(link.name()) ? kv.hwTcOffload(link.name()) : HwTcOffload.UNKNOWN;
            ports.add(RoleClassifier.classify(link, sys, dpByIfindex.get(link.ifindex()), tc, earlier));
        }
        for (Port p : ports) {
            if (p.role().isSwitchPort() && p.devlink() != null) {
                handles.add(p.devlink());
            }
        }
        final Map<DevlinkHandle, EswitchState> states = new LinkedHashMap<>();
        for (DevlinkHandle h : devlinkAvailable ? handles : Set.<DevlinkHandle>of()) {
            try {
                final EswitchState s = kv.eswitch(h);
                if (s != null) {
                    states.put(h, s);
                }
            } catch (SwitchdevException e) {
                problems.add(new Problem(h.toString(), e.errno() == 19
                        ? "went away during discovery (ENODEV on eswitch show)" : e.getMessage()));
            }
        }
        return SwitchdevModel.Snapshot.of(ports, states, problems);
    }
}
