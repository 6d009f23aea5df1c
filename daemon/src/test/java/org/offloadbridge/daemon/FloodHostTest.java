package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.control.ControlClient;
import org.offloadbridge.daemon.control.ControlProtocol;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.control.PeerPolicy;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.upcall.DatapathConfig;

/**
 * The upcall flood, on this machine's kernel with the DPDK path (tc refuses here: no cls_flower):
 * from h1's namespace, frames with a new source MAC each — a new megaflow each under NORMAL —
 * offered at 100,000 per second for 3 seconds, then one new flow's frames as fast as a packet
 * socket sends them. Meanwhile: the established flows (a ping's) stay installed and carry the
 * ping, the control socket answers within 2 s, the flow table stays at the flow limit, drops are
 * counted; after: heap (after a GC) and DPDK mbufs in use are back near where they were.
 * Figures are printed (docs/reliability.md quotes them).
 */
@Tag("host")
@Timeout(300)
class FloodHostTest {
    private static final int FLOW_LIMIT = 5_000;
    /** Frames of the flood: a new source MAC each, paced at RATE per second. */
    private static final int FLOOD_FRAMES = 300_000;
    private static final int RATE = 100_000;

    /** python3 -c: sends N frames (distinct source MACs, or one) to dst MAC, paced at RATE/s in 10 ms ticks; prints the achieved rate. */
    private static final String SENDER = String.join("\n",
        "import socket,sys,time,struct",
        "n=int(sys.argv[1]);rate=int(sys.argv[2]);dst=bytes.fromhex(sys.argv[3].replace(':',''));single=sys.argv[4]=='single'",
        "ip=bytes.fromhex('4500002e000040004011'+'0000'+'0a090001'+'0a090002')",
        "udp=struct.pack('!HHHH',4000,9,26,0)+bytes(18)",
        "def frame(i):",
        "  src=b'\\x02\\xfe'+struct.pack('!I',i)",
        "  return dst+src+b'\\x08\\x00'+ip+udp",
        "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW);s.bind(('eth0',0))",
        "s.setsockopt(socket.SOL_SOCKET,socket.SO_SNDBUF,1<<22)",
        "frames=[frame(0x10000000)] if single else [frame(i) for i in range(n)]",
        "per=max(1,rate//100);t0=time.time();sent=0",
        "while sent<n:",
        "  end=min(n,sent+per)",
        "  for i in range(sent,end):",
        "    try: s.send(frames[0] if single else frames[i])",
        "    except OSError: pass",
        "  sent=end",
        "  ahead=t0+sent/rate-time.time()",
        "  if ahead>0: time.sleep(ahead)",
        "el=time.time()-t0",
        "print('sent=%d seconds=%.2f rate=%d'%(sent,el,sent/el),flush=True)");

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aFloodOfNewFlowsIsBoundedCountedAndHarmlessToEstablishedFlows(@TempDir Path dir) throws Exception {
        DatapathConfig dc = new DatapathConfig().hwOffload(false).flowLimit(FLOW_LIMIT).maxIdleMillis(2_000)
            .handlerThreads(1).revalidatorThreads(1);
        DaemonSettings s = new DaemonSettings(dc, List.of("p1", "p2"), "priority=0,actions=normal\n", true, List.of(), false, 1, false);
        try (DaemonHostTest.Net t = DaemonHostTest.Net.create("flood"); NetNs sw = NetNs.open(t.sw().name());
             Daemon d = sw.call(() -> Daemon.start(s, MonotonicClock.SYSTEM));
             ControlServer control = new ControlServer(new ControlServer.Context(dir.resolve("obctl.sock"), null,
                 new PeerPolicy("root", "root", java.util.Set.of()), MonotonicClock.SYSTEM, 5_000, 60_000, 4))) {
            assertEquals("dpdk", d.mode());
            DaemonCommands.register(control, d);
            control.open();
            org.agrona.concurrent.AgentRunner.startOnThread(new org.agrona.concurrent.AgentRunner(
                new org.agrona.concurrent.SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, control));
            String warm = t.h1().sh("ping -c 3 -i 0.2 -W 2 10.9.0.2");
            assertTrue(warm.contains(" 0% packet loss"), warm);
            // The established flows: the ping's, both ways (ICMP under NORMAL: one megaflow per direction).
            java.util.Map<org.offloadbridge.flow.Ufid, Long> established = new java.util.HashMap<>();
            for (int i = 0; i < d.ukeys().shards(); i++) {
                d.ukeys().forEach(i, u -> established.put(u.ufid(), u.created()));
            }
            long heap0 = heapAfterGc();
            int mbufs0 = d.dpdk().pool().inUseCount();
            String h2mac = t.h2().mac("eth0");

            // Watchers: the flow table's high-water mark, the slowest control-socket answer.
            AtomicInteger maxFlows = new AtomicInteger();
            AtomicLong slowestReply = new AtomicLong();
            AtomicInteger maxMbufs = new AtomicInteger();
            Thread watcher = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxFlows.accumulateAndGet(d.ukeys().size(), Math::max);
                    maxMbufs.accumulateAndGet(d.dpdk().pool().inUseCount(), Math::max);
                    long t0 = System.nanoTime();
                    try {
                        ControlProtocol.Reply r = ControlClient.call(dir.resolve("obctl.sock"), "upcall/show", List.of(), 10_000);
                        if (r.status() != ControlProtocol.OK) {
                            slowestReply.set(Long.MAX_VALUE);
                        }
                    } catch (ControlClient.UnreachableException e) {
                        slowestReply.set(Long.MAX_VALUE);
                    }
                    slowestReply.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long upcalls0 = d.upcallCounters().upcalls();
            try (Shell.Background ping = Shell.start(t.h1().exec("ping", "-c", "60", "-i", "0.1", "-W", "2", "10.9.0.2"))) {
                Thread.sleep(300);
                String flood = t.h1().ok("python3", "-c", SENDER, Integer.toString(FLOOD_FRAMES), Integer.toString(RATE), h2mac, "many");
                String single = t.h1().ok("python3", "-c", SENDER, "100000", "10000000", h2mac, "single");
                String pingOut = ping.finish(60);
                watcher.interrupt();
                watcher.join();
                var u = d.upcallCounters();
                var drops = d.upcallDrops();
                System.out.println("FloodHostTest: flood " + flood.strip() + "; single flow " + single.strip()
                    + "; upcalls " + (u.upcalls() - upcalls0) + ", flow-limit hits " + u.flowLimitHits() + ", duplicate upcalls "
                    + u.duplicateUpcalls() + ", drops " + drops + "; flows at most " + maxFlows.get() + " (limit " + FLOW_LIMIT
                    + ", current " + d.flowLimit().current() + "); slowest upcall/show " + slowestReply.get() + " ms; mbufs in use at most "
                    + maxMbufs.get() + " of " + (d.dpdk().pool().inUseCount() + d.dpdk().pool().availableCount())
                    + "; ping across it: " + pingOut.lines().filter(l -> l.contains("packet loss")).findFirst().orElse(pingOut)
                    + "; revalidator " + d.revalidators().counters());
                // The established flows stayed installed all through: the same ukeys, never expired or
                // evicted to make room (their packets never had to queue behind the flood's upcalls).
                for (var e : established.entrySet()) {
                    var kept = d.ukeys().get(e.getKey());
                    assertTrue(kept != null && kept.created() == e.getValue(), "established flow " + e.getKey() + " kept: " + kept);
                }
                // On this 2-core machine the sender, the PMD, a handler and a revalidator share two
                // cores: pings are lost when the PMD is descheduled and p1's af_packet ring overflows
                // (0 to 17 % measured), not because a flow went away (above). Most must get through.
                java.util.regex.Matcher loss = java.util.regex.Pattern.compile("(\\d+) received").matcher(pingOut);
                assertTrue(loss.find() && Integer.parseInt(loss.group(1)) >= 40, "the established flows kept forwarding: " + pingOut);
                assertTrue(maxFlows.get() <= FLOW_LIMIT + 64, "the flow limit holds the table: at most " + maxFlows.get());
                assertTrue(u.flowLimitHits() + drops.queueFull() + drops.socketFull() > 0,
                    "what did not fit is counted: " + u + " " + drops);
                assertTrue(slowestReply.get() < 2_000, "the control socket answered within 2 s: " + slowestReply.get() + " ms");
            }
            // Flows idle out (max-idle 2 s); memory goes back near where it was.
            assertTrue(DaemonHostTest.await(30_000, () -> d.ukeys().size() < 50), "the flood's flows expire: " + d.ukeys().size());
            long heap1 = heapAfterGc();
            int mbufs1 = d.dpdk().pool().inUseCount();
            System.out.println("FloodHostTest: heap after GC " + (heap0 >> 20) + " MiB → " + (heap1 >> 20) + " MiB; mbufs in use "
                + mbufs0 + " → " + mbufs1 + " (at most " + maxMbufs.get() + " during)");
            assertTrue(heap1 - heap0 < 64L << 20, "heap back near the start: " + (heap0 >> 20) + " → " + (heap1 >> 20) + " MiB");
            assertTrue(mbufs1 <= mbufs0 + 64, "no mbuf leaked: " + mbufs0 + " → " + mbufs1);
            String after = t.h1().sh("ping -c 5 -i 0.1 -W 2 10.9.0.2");
            assertTrue(after.contains(" 0% packet loss"), after);
        }
    }
}
