package org.offloadbridge.tc.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.offloadbridge.flow.FlowMask;

/**
 * tc priorities per device: one per (protocol, mask shape), never one that someone else's
 * filters use. Within a prio all filters share a protocol, and hardware drivers often want one
 * mask per prio, so flows of one shape share a prio (flower holds many keys per mask).
 *
 * <p><b>Shapes are canonical masks</b>: the mask as it comes back from the kernel — the
 * request's mask after the encode/decode round trip, which adds what flower implies
 * (recirc_id(0), tag presence: the datapath baseline). A shape learned from a dump after a
 * restart is therefore the same key as the shape of a new request written with or without
 * those bits, and one shape never splits across prios (it did, when requests were keyed by
 * their own mask and dumps by the decoded one). Callers pass canonical masks only.
 *
 * <p>Also remembers, per device, whether the ingress qdisc is known to be there and whether
 * this process created it. Not thread-safe: the owner serialises.
 */
public final class PrioAllocator {
    public static final int FIRST_PRIO = 1;
    public static final int LAST_PRIO = 0xffff;

    private record Shape(int protocol, FlowMask mask) {
        // Written out: see Ufid (record methods are slow under C1).
        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && s.protocol == protocol && s.mask.equals(mask);
        }

        @Override
        public int hashCode() {
            return protocol * 31 + mask.hashCode();
        }
    }

    private static final class Device {
        final Map<Shape, Integer> byShape = new HashMap<>();
        final Set<Integer> foreign = new HashSet<>();
        final Set<Integer> ours = new HashSet<>();
        boolean qdiscReady;
        boolean qdiscCreated;
    }

    private final Map<Integer, Device> devices = new HashMap<>();

    /** The device has been learned (its filters dumped once). */
    public boolean known(int ifindex) {
        return devices.containsKey(ifindex);
    }

    public boolean qdiscReady(int ifindex) {
        Device d = devices.get(ifindex);
        return d != null && d.qdiscReady;
    }

    /** The ingress qdisc is there; {@code created}: this process added it. */
    public void qdiscReady(int ifindex, boolean created) {
        Device d = device(ifindex);
        d.qdiscReady = true;
        d.qdiscCreated |= created;
    }

    /** This process added the device's clsact qdisc (and has not removed it). */
    public boolean qdiscCreated(int ifindex) {
        Device d = devices.get(ifindex);
        return d != null && d.qdiscCreated;
    }

    /** Starts re-learning a device from a dump: forgets which prios others use. */
    public void beginLearn(int ifindex) {
        device(ifindex).foreign.clear();
    }

    /** One of our filters seen at {@code prio} with canonical mask {@code mask}. */
    public void learnOurs(int ifindex, int prio, int protocol, FlowMask mask) {
        Device d = device(ifindex);
        d.ours.add(prio);
        d.byShape.putIfAbsent(new Shape(protocol, mask.copy()), prio);
    }

    /** Someone else's filter at {@code prio}: never ours to use. */
    public void learnForeign(int ifindex, int prio) {
        device(ifindex).foreign.add(prio);
    }

    /** Ends a learn: a prio holding a filter of ours is ours, even if a foreign one shares it. */
    public void endLearn(int ifindex) {
        Device d = device(ifindex);
        d.foreign.removeAll(d.ours);
    }

    /** A filter of ours was installed at {@code prio}. */
    public void taken(int ifindex, int prio) {
        device(ifindex).ours.add(prio);
    }

    /** True when no filter (ours or others') is known on the device. */
    public boolean empty(int ifindex) {
        Device d = devices.get(ifindex);
        return d == null || d.ours.isEmpty() && d.foreign.isEmpty();
    }

    /**
     * The prio for (protocol, canonical mask) on a device: the shape's own when it has one, else
     * the lowest free one (not ours for another shape, not foreign); -1 when all are taken.
     */
    public int prioFor(int ifindex, int protocol, FlowMask canonicalMask) {
        Device d = device(ifindex);
        Shape k = new Shape(protocol, canonicalMask.copy());
        Integer p = d.byShape.get(k);
        if (p != null) {
            return p;
        }
        Set<Integer> taken = new HashSet<>(d.foreign);
        taken.addAll(d.byShape.values());
        for (int prio = FIRST_PRIO; prio <= LAST_PRIO; prio++) {
            if (!taken.contains(prio)) {
                d.byShape.put(k, prio);
                return prio;
            }
        }
        return -1;
    }

    /** Forgets a device (re-created, or its qdisc removed). */
    public void forget(int ifindex) {
        devices.remove(ifindex);
    }

    /** The devices learned so far. */
    public Set<Integer> devices() {
        return Set.copyOf(devices.keySet());
    }

    private Device device(int ifindex) {
        return devices.computeIfAbsent(ifindex, x -> new Device());
    }
}
