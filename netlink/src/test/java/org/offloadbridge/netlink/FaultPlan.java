package org.offloadbridge.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;

/**
 * The tests' {@link NetlinkFaultInjector}: which request gets which fault, scripted or seeded at
 * random, and a count of what was injected. Registered as a provider only in the test resources
 * of the modules that inject faults (tc-flower, tests); nothing the project ships has it.
 *
 * <p>Static state: {@link java.util.ServiceLoader} makes the instance the netlink layer uses, the
 * test drives it through these static methods. Sockets opened while {@link #activate} is in force
 * go through it; faults apply only while armed. One test at a time (the VM tier runs classes
 * one after another).
 */
public final class FaultPlan implements NetlinkFaultInjector {

    /** One request on its way to the kernel. */
    public record Request(NetlinkProtocol protocol, int type, int flags, int index) {
    }

    private record Rule(Predicate<Request> when, Fault fault, Runnable before, int[] remaining) {
    }

    private static volatile boolean active;
    private static final List<Rule> RULES = new ArrayList<>();
    private static int eventsToLose;
    private static Random random;
    private static double probability;
    private static Function<Request, List<Fault>> randomFaults = r -> List.of();
    private static double eventLossProbability;
    private static boolean randomPaused;
    private static final Map<String, Long> INJECTED = new TreeMap<>();

    /** Sockets opened from now on go through the plan (faults only once armed). */
    public static void activate() {
        active = true;
    }

    /** Disarms every fault and stops wrapping new sockets; counts are kept until {@link #reset}. */
    public static synchronized void deactivate() {
        active = false;
        RULES.clear();
        eventsToLose = 0;
        random = null;
        eventLossProbability = 0;
        randomPaused = false;
    }

    /** {@link #deactivate} and forgets the counts. */
    public static synchronized void reset() {
        deactivate();
        INJECTED.clear();
    }

    /** The next {@code times} requests matching {@code when} get {@code fault} (rules are tried in the order armed). */
    public static synchronized void arm(Predicate<Request> when, Fault fault, int times) {
        RULES.add(new Rule(when, fault, null, new int[] {times}));
    }

    /** The next request matching {@code when} runs {@code before} (acting on the world), then goes to the kernel as is. */
    public static synchronized void armAction(Predicate<Request> when, Runnable before) {
        RULES.add(new Rule(when, Fault.NONE, before, new int[] {1}));
    }

    /** The next {@code n} event datagrams are lost (reported as ENOBUFS). */
    public static synchronized void loseEvents(int n) {
        eventsToLose = n;
    }

    /** Each request matching {@code when} gets one of {@code faults} with {@code p}, drawn from {@code seed}. */
    public static synchronized void random(long seed, double p, List<Fault> faults, Predicate<Request> when) {
        List<Fault> fs = List.copyOf(faults);
        random(seed, p, r -> when.test(r) ? fs : List.of());
    }

    /**
     * Each request for which {@code faultsFor} names faults gets one of them with {@code p},
     * drawn from {@code seed}: faults that request could meet from a real kernel (ENOSPC for a
     * new flower filter, not for a dump).
     */
    public static synchronized void random(long seed, double p, Function<Request, List<Fault>> faultsFor) {
        random = new Random(seed);
        probability = p;
        randomFaults = faultsFor;
    }

    /**
     * With {@link #random} in force, each event datagram is also lost with {@code p} (drawn from
     * the same sequence): an event socket that overruns now and then.
     */
    public static synchronized void randomEventLoss(double p) {
        eventLossProbability = p;
    }

    /** Stops the random faults, keeps the scripted ones. */
    public static synchronized void stopRandom() {
        random = null;
    }

    /** Holds the random faults back (while a test reads the kernel itself), or lets them go on; their sequence continues. */
    public static synchronized void pauseRandom(boolean paused) {
        randomPaused = paused;
    }

    /** Whether every scripted fault was used up. */
    public static synchronized boolean spent() {
        return RULES.isEmpty();
    }

    /** What was injected so far, by kind: {@code REFUSE:EBUSY}, {@code ACK_LOST}, {@code EVENTS_LOST}, ... */
    public static synchronized Map<String, Long> injected() {
        return new TreeMap<>(INJECTED);
    }

    private static void count(String kind) {
        INJECTED.merge(kind, 1L, Long::sum);
    }

    private static String name(Fault f) {
        return f.kind() == Fault.Kind.REFUSE ? "REFUSE:" + Errno.of(f.errno()).name() : f.kind().name();
    }

    @Override
    public boolean active() {
        return active;
    }

    @Override
    public Fault onRequest(NetlinkProtocol protocol, int type, int flags, int index) {
        Request r = new Request(protocol, type, flags, index);
        Runnable before = null;
        Fault f = Fault.NONE;
        synchronized (FaultPlan.class) {
            for (int i = 0; i < RULES.size(); i++) {
                Rule rule = RULES.get(i);
                if (rule.when().test(r)) {
                    if (--rule.remaining()[0] <= 0) {
                        RULES.remove(i);
                    }
                    before = rule.before();
                    f = rule.fault();
                    count(before != null ? "ACTION" : name(f));
                    break;
                }
            }
            List<Fault> candidates = before == null && f == Fault.NONE && random != null && !randomPaused ? randomFaults.apply(r) : List.of();
            if (!candidates.isEmpty() && random.nextDouble() < probability) {
                f = candidates.get(random.nextInt(candidates.size()));
                count(name(f));
            }
        }
        if (before != null) {
            before.run(); // outside the lock: it may talk to the kernel itself
        }
        return f;
    }

    @Override
    public boolean loseEvent(NetlinkProtocol protocol, int type) {
        synchronized (FaultPlan.class) {
            if (eventsToLose > 0) {
                eventsToLose--;
                count("EVENTS_LOST");
                return true;
            }
            if (random != null && !randomPaused && eventLossProbability > 0 && random.nextDouble() < eventLossProbability) {
                count("EVENTS_LOST");
                return true;
            }
            return false;
        }
    }
}
