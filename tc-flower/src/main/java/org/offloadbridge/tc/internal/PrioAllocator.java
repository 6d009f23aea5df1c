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
 * <p><b>Handles are ours too</b>: each prio hands out the next handle above every handle seen
 * there (ours installed, learned from a dump, someone else's), as {@code tc -batch} names its
 * handles — so an install needs no echo to learn its handle. Past {@link #LAST_HANDLE} it starts
 * again at 1; a handle still taken then draws {@code EEXIST}, and the owner retries with a handle
 * the kernel picks.
 *
 * <p>Also remembers, per device, whether the ingress qdisc is known to be there and whether
 * this process created it. Not thread-safe: the owner serialises.
 */
public final class PrioAllocator {
    public static final int FIRST_PRIO = 1;
    public static final int LAST_PRIO = 0xffff;
    /** The highest handle handed out (flower's own choice stays at or below INT_MAX too). */
    public static final int LAST_HANDLE = Integer.MAX_VALUE;

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
        /** prio → the next handle to hand out there. */
        final Map<Integer, Integer> nextHandle = new HashMap<>();
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

    /** One of our filters seen at {@code prio}/{@code handle} with canonical mask {@code mask}. */
    public void learnOurs(int ifindex, int prio, int handle, int protocol, FlowMask mask) {
        Device d = device(ifindex);
        d.ours.add(prio);
        d.byShape.putIfAbsent(new Shape(protocol, mask.copy()), prio);
        handleSeen(d, prio, handle);
    }

    /** Someone else's filter at {@code prio}/{@code handle}: the prio is never ours to use (nor the handle, if it is). */
    public void learnForeign(int ifindex, int prio, int handle) {
        Device d = device(ifindex);
        d.foreign.add(prio);
        handleSeen(d, prio, handle);
    }

    /** Ends a learn: a prio holding a filter of ours is ours, even if a foreign one shares it. */
    public void endLearn(int ifindex) {
        Device d = device(ifindex);
        d.foreign.removeAll(d.ours);
    }

    /** A filter of ours was installed at {@code prio}/{@code handle}. */
    public void taken(int ifindex, int prio, int handle) {
        Device d = device(ifindex);
        d.ours.add(prio);
        handleSeen(d, prio, handle);
    }

    /**
     * The handle for the next filter at {@code prio}: above every handle seen there (1 on a prio
     * new to us), wrapping to 1 past {@link #LAST_HANDLE}. Handed out once: the caller installs
     * at it or loses it.
     */
    public int nextHandle(int ifindex, int prio) {
        Device d = device(ifindex);
        int h = d.nextHandle.getOrDefault(prio, 1);
        d.nextHandle.put(prio, h == LAST_HANDLE ? 1 : h + 1);
        return h;
    }

    private static void handleSeen(Device d, int prio, int handle) {
        // Unsigned: a handle past INT_MAX (someone else's, chosen by hand) leaves ours alone.
        if (handle > 0 && handle < LAST_HANDLE && d.nextHandle.getOrDefault(prio, 1) <= handle) {
            d.nextHandle.put(prio, handle + 1);
        }
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
        // Looked up without a copy (every install asks); a new shape keeps a copy of its own.
        Integer p = d.byShape.get(new Shape(protocol, canonicalMask));
        if (p != null) {
            return p;
        }
        Shape k = new Shape(protocol, canonicalMask.copy());
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
