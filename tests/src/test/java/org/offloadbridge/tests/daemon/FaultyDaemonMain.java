package org.offloadbridge.tests.daemon;

import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_DUMP;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_ECHO;
import static org.offloadbridge.netlink.uapi.NetlinkConstants.NLM_F_REPLACE;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_DELTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_GETTFILTER;
import static org.offloadbridge.netlink.uapi.Rtnetlink.RTM_NEWTFILTER;

import java.util.List;
import java.util.Map;
import org.offloadbridge.netlink.Errno;
import org.offloadbridge.netlink.FaultPlan;
import org.offloadbridge.netlink.NetlinkFaultInjector.Fault;
import org.offloadbridge.systemd.OffloadBridgeMain;

/**
 * The daemon's own main ({@code offload-bridge run --config FILE}, what systemd starts) in a
 * process whose netlink sockets meet random faults: a tc filter request (add, replace, delete,
 * get, dump) meets one of {@link #faultsFor its faults} with {@code -Dob.faults.p} (default 0.1), and an
 * event datagram is lost with {@code -Dob.faults.events} (default 0.01), drawn from {@code
 * -Dob.faults.seed}. So a soak can kill it with SIGKILL, which an in-process daemon cannot have.
 *
 * <p>What it injected is printed as one line {@code faults injected: {...}} each time the count
 * changes and on exit (the last line is what that process got; after a kill, nearly).
 */
final class FaultyDaemonMain {
    /** Any tc filter request can be interrupted, find the table busy, lose its ack or its reply. */
    private static final List<Fault> ANY = List.of(Fault.refuse(Errno.EINTR), Fault.refuse(Errno.EBUSY), Fault.of(Fault.Kind.ACK_LOST),
        Fault.of(Fault.Kind.REPLY_LOST));

    /**
     * The faults a tc filter request may meet: {@link #ANY}; a new flow's filter (echoed, not a
     * replace) also "no space" and "not supported", as a full or unable NIC says; a dump also
     * an interrupted walk. (A catch-all's u32 add never hears ENOSPC from a real kernel.)
     */
    static List<Fault> faultsFor(FaultPlan.Request r) {
        if (r.type() == RTM_NEWTFILTER && (r.flags() & NLM_F_ECHO) != 0 && (r.flags() & NLM_F_REPLACE) == 0) {
            return NEW_FLOW;
        }
        if (r.type() == RTM_GETTFILTER && (r.flags() & NLM_F_DUMP) == NLM_F_DUMP) {
            return DUMP;
        }
        return r.type() == RTM_NEWTFILTER || r.type() == RTM_DELTFILTER || r.type() == RTM_GETTFILTER ? ANY : List.of();
    }

    private static final List<Fault> NEW_FLOW = plus(Fault.refuse(Errno.ENOSPC), Fault.refuse(Errno.EOPNOTSUPP));
    private static final List<Fault> DUMP = plus(Fault.of(Fault.Kind.DUMP_INTR));

    private static List<Fault> plus(Fault... more) {
        List<Fault> l = new java.util.ArrayList<>(ANY);
        l.addAll(List.of(more));
        return List.copyOf(l);
    }

    static final String INJECTED = "faults injected: ";

    private FaultyDaemonMain() {
    }

    public static void main(String[] args) {
        long seed = Long.getLong("ob.faults.seed", 0);
        double p = Double.parseDouble(System.getProperty("ob.faults.p", "0.1"));
        double events = Double.parseDouble(System.getProperty("ob.faults.events", "0.01"));
        FaultPlan.activate();
        FaultPlan.random(seed, p, FaultyDaemonMain::faultsFor);
        FaultPlan.randomEventLoss(events);
        Thread reporter = new Thread(() -> {
            Map<String, Long> last = Map.of();
            while (true) {
                Map<String, Long> now = FaultPlan.injected();
                if (!now.equals(last)) {
                    System.out.println(INJECTED + now);
                    last = now;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fault-reporter");
        reporter.setDaemon(true);
        reporter.start();
        // A start refused by a fault exits at once: its count is printed on the way out.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(INJECTED + FaultPlan.injected())));
        OffloadBridgeMain.main(args);
    }
}
