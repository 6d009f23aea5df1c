package org.offloadbridge.switchdev;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which ports are representors of which e-switch: the answer the offload policy asks
 * ({@link #sameSwitch(int, int)}) and the operator reads.
 *
 * <p>The model is a sequence of immutable {@link Snapshot}s. One thread (discovery, or the
 * hotplug agent) builds the next snapshot from what the kernel says and calls
 * {@link #update(Snapshot)}; readers on any thread see either the old or the new snapshot,
 * never a half-applied one. That is what "the model stays consistent" means when a read
 * fails half-way: the failed read produces problems in the next snapshot, not a torn one.
 */
public final class SwitchdevModel {

    /**
     * Everything known at one moment.
     *
     * @param ports      by ifindex
     * @param eswitches  by {@link Eswitch#key()}
     * @param problems   what discovery could not read, model-wide (per-port ones are on the port)
     * @param generation increases by one per update
     */
    public record Snapshot(Map<Integer, Port> ports, Map<String, Eswitch> eswitches, List<Problem> problems,
                           long generation) {
        public Snapshot {
            ports = java.util.Collections.unmodifiableMap(new TreeMap<>(ports));
            eswitches = java.util.Collections.unmodifiableMap(new TreeMap<>(eswitches));
            problems = List.copyOf(problems);
        }

        public static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), List.of(), 0);

        /**
         * Groups classified ports into e-switches.
         *
         * @param ports  every netdev, classified
         * @param states e-switch mode per devlink instance (instances that failed to answer are absent)
         * @param problems model-wide problems to keep
         */
        public static Snapshot of(Collection<Port> ports, Map<DevlinkHandle, EswitchState> states,
                                  List<Problem> problems) {
            final Map<Integer, Port> byIndex = new TreeMap<>();
            final List<Problem> all = new ArrayList<>(problems);
            for (Port p : ports) {
                final Port clash = byIndex.putIfAbsent(p.ifindex(), p);
                if (clash != null) {
                    all.add(new Problem("ifindex " + p.ifindex(), "reported twice, as " + clash.name() + " and " + p.name()
                            + "; keeping " + clash.name()));
                }
            }
            final Map<String, List<Port>> groups = new LinkedHashMap<>();
            for (Port p : byIndex.values()) {
                final String key = p.eswitchKey();
                if (key != null) {
                    groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
                }
            }
            // A devlink instance in legacy mode may have no port with a switch id yet; it is
            // still an e-switch an operator wants to see (and switch to switchdev).
            for (DevlinkHandle h : states.keySet()) {
                final boolean covered = groups.values().stream().flatMap(List::stream).anyMatch(p -> h.equals(p.devlink()));
                if (!covered) {
                    groups.put("devlink:" + h, new ArrayList<>());
                }
            }
            final Map<String, Eswitch> eswitches = new TreeMap<>();
            for (Map.Entry<String, List<Port>> g : groups.entrySet()) {
                eswitches.put(g.getKey(), buildEswitch(g.getKey(), g.getValue(), states));
            }
            return new Snapshot(byIndex, eswitches, all, 0);
        }

        private static Eswitch buildEswitch(String key, List<Port> members, Map<DevlinkHandle, EswitchState> states) {
            final List<Port> uplinks = new ArrayList<>();
            final List<Port> reps = new ArrayList<>();
            final List<Port> others = new ArrayList<>();
            final List<Problem> problems = new ArrayList<>();
            final java.util.TreeSet<DevlinkHandle> devlinks = new java.util.TreeSet<>();
            SwitchId id = null;
            for (Port p : members) {
                if (p.switchId() != null) {
                    id = p.switchId();
                }
                if (p.devlink() != null) {
                    devlinks.add(p.devlink());
                }
                switch (p.role()) {
                    case UPLINK -> uplinks.add(p);
                    case VF_REPRESENTOR, SF_REPRESENTOR, HOST_PF_REPRESENTOR -> reps.add(p);
                    default -> others.add(p);
                }
            }
            if (key.startsWith("devlink:")) {
                devlinks.add(DevlinkHandle.parse(key.substring("devlink:".length())));
            }
            // The uplink's devlink instance first: it is the one that owns the e-switch mode.
            final List<DevlinkHandle> ordered = new ArrayList<>();
            uplinks.stream().map(Port::devlink).filter(Objects::nonNull).sorted().forEach(h -> {
                if (!ordered.contains(h)) {
                    ordered.add(h);
                }
            });
            devlinks.forEach(h -> {
                if (!ordered.contains(h)) {
                    ordered.add(h);
                }
            });
            final int uplinkPf = uplinks.stream().mapToInt(Port::pf).filter(x -> x >= 0).min().orElse(
                    reps.stream().filter(p -> p.role() == PortRole.VF_REPRESENTOR && !p.external())
                            .mapToInt(Port::pf).filter(x -> x >= 0).min().orElse(-1));
            final Map<Integer, Port> vfReps = new TreeMap<>();
            for (Port p : reps) {
                if (p.role() != PortRole.VF_REPRESENTOR || p.external() || (uplinkPf >= 0 && p.pf() >= 0 && p.pf() != uplinkPf)) {
                    continue;
                }
                final Port prev = vfReps.putIfAbsent(p.vf(), p);
                if (prev != null) {
                    problems.add(new Problem("e-switch " + key, "VF " + p.vf() + " has two representors: "
                            + prev.name() + " and " + p.name()));
                }
            }
            final EswitchState state = ordered.isEmpty() ? null : states.get(ordered.getFirst());
            if (!ordered.isEmpty() && state == null) {
                problems.add(new Problem(ordered.getFirst().toString(), "e-switch mode unknown (devlink did not answer)"));
            }
            return new Eswitch(key, id, ordered, state, uplinks, vfReps, reps, others, problems);
        }

        /** The port with that name now, or null. */
        public Port port(String name) {
            for (Port p : ports.values()) {
                if (p.name().equals(name)) {
                    return p;
                }
            }
            return null;
        }

        public Eswitch eswitchOf(Port p) {
            final String key = p.eswitchKey();
            return key == null ? null : eswitches.get(key);
        }

        Snapshot withGeneration(long g) {
            return new Snapshot(ports, eswitches, problems, g);
        }
    }

    private volatile Snapshot current = Snapshot.EMPTY;
    private final List<SwitchdevListener> listeners = new CopyOnWriteArrayList<>();

    public Snapshot snapshot() {
        return current;
    }

    public void addListener(SwitchdevListener l) {
        listeners.add(Objects.requireNonNull(l));
    }

    public void removeListener(SwitchdevListener l) {
        listeners.remove(l);
    }

    /**
     * True when a flow between these two ports can stay inside one NIC: both are e-switch
     * ports (uplink or representor) and report the same switch id. False for unknown ports,
     * plain netdevs, and ports whose switch id is unknown.
     */
    public boolean sameSwitch(int ifindexA, int ifindexB) {
        final Snapshot s = current;
        return sameSwitch(s.ports().get(ifindexA), s.ports().get(ifindexB));
    }

    /** {@link #sameSwitch(int, int)} by netdev name. */
    public boolean sameSwitch(String nameA, String nameB) {
        final Snapshot s = current;
        return sameSwitch(s.port(nameA), s.port(nameB));
    }

    private static boolean sameSwitch(Port a, Port b) {
        return a != null && b != null && a.role().isSwitchPort() && b.role().isSwitchPort()
                && a.switchId() != null && a.switchId().equals(b.switchId());
    }

    /**
     * Installs the next snapshot and tells listeners what changed. Call from one thread.
     *
     * @return the changes (empty when nothing differs; listeners are then not called)
     */
    public List<ModelChange> update(Snapshot next) {
        final Snapshot prev = current;
        final List<ModelChange> changes = diff(prev, next);
        final Snapshot installed = next.withGeneration(prev.generation() + 1);
        current = installed;
        if (!changes.isEmpty()) {
            for (SwitchdevListener l : listeners) {
                l.onChanges(installed, changes);
            }
        }
        return changes;
    }

    static List<ModelChange> diff(Snapshot a, Snapshot b) {
        final List<ModelChange> out = new ArrayList<>();
        for (Port p : a.ports().values()) {
            final Port q = b.ports().get(p.ifindex());
            if (q == null) {
                out.add(new ModelChange.PortRemoved(p));
            } else if (!q.equals(p)) {
                out.add(new ModelChange.PortChanged(p, q));
            }
        }
        b.ports().values().stream().filter(q -> !a.ports().containsKey(q.ifindex()))
                .sorted(Comparator.comparingInt(Port::ifindex)).forEach(q -> out.add(new ModelChange.PortAdded(q)));
        for (Eswitch e : a.eswitches().values()) {
            final Eswitch f = b.eswitches().get(e.key());
            if (f == null) {
                out.add(new ModelChange.EswitchRemoved(e));
            } else if (!f.equals(e)) {
                out.add(new ModelChange.EswitchChanged(e, f));
            }
        }
        for (Eswitch f : b.eswitches().values()) {
            if (!a.eswitches().containsKey(f.key())) {
                out.add(new ModelChange.EswitchAdded(f));
            }
        }
        return out;
    }
}
