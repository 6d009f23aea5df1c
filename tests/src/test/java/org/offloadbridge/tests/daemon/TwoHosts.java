package org.offloadbridge.tests.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.offloadbridge.testkit.Shell;
import org.offloadbridge.testkit.Topology;

/**
 * The daemon's test bed: a "switch" namespace with ports p1, p2 (veth) and two hosts behind
 * them, 10.9.0.1 and 10.9.0.2 (fd09::1, ::2 when asked), static neighbours and no traffic but the
 * test's own; plus how a test reads what tc holds ({@code tc -s -j filter show}, through jq) and
 * sends or counts UDP.
 */
record TwoHosts(Topology t, Topology.Host sw, Topology.Host h1, Topology.Host h2) implements AutoCloseable {

    static TwoHosts create(String purpose, boolean ipv6) {
        Topology t = Topology.create(purpose);
        Topology.Host sw = t.host("sw");
        Topology.Host h1 = t.host("h1");
        Topology.Host h2 = t.host("h2");
        t.veth(sw, "p1", h1, "eth0");
        t.veth(sw, "p2", h2, "eth0");
        sw.sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
            + " net.ipv6.conf.p1.disable_ipv6=1 net.ipv6.conf.p2.disable_ipv6=1");
        for (Topology.Host h : new Topology.Host[] {h1, h2}) {
            if (ipv6) {
                h.sh("sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.eth0.router_solicitations=0"
                    + " net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.mldv1_unsolicited_report_interval=0"
                    + " net.ipv6.conf.eth0.mldv2_unsolicited_report_interval=0");
            } else {
                h.noIpv6();
            }
        }
        h1.addr("eth0", "10.9.0.1/24");
        h2.addr("eth0", "10.9.0.2/24");
        h1.neigh("eth0", "10.9.0.2", h2.mac("eth0"));
        h2.neigh("eth0", "10.9.0.1", h1.mac("eth0"));
        if (ipv6) {
            h1.ip("-6", "addr", "add", "fd09::1/64", "dev", "eth0", "nodad");
            h2.ip("-6", "addr", "add", "fd09::2/64", "dev", "eth0", "nodad");
            h1.ip("-6", "neigh", "add", "fd09::2", "lladdr", h2.mac("eth0"), "dev", "eth0");
            h2.ip("-6", "neigh", "add", "fd09::1", "lladdr", h1.mac("eth0"), "dev", "eth0");
        }
        return new TwoHosts(t, sw, h1, h2);
    }

    @Override
    public void close() {
        t.close();
    }

    /** One filter as {@code tc -s -j filter show} says: pref, kind, handle, flags, packets. */
    record Filter(int pref, String kind, String handle, boolean inHw, boolean notInHw, long packets) {
        String id() {
            return pref + "/" + handle;
        }
    }

    private static final String JQ = ".[] | select(.options != null) | \"\\(.pref) \\(.kind) \\(.options.handle // \"-\")"
        + " \\(.options.in_hw // false) \\(.options.not_in_hw // false) \\([.options.actions[]?.stats.packets // 0] | max // 0)\"";

    /** Our filters' cookies (the ufid, 16 bytes) on p1 and p2 as iproute2 shows them, with how many filters carry each. */
    Map<String, Integer> cookies() {
        Map<String, Integer> out = new TreeMap<>();
        for (String dev : new String[] {"p1", "p2"}) {
            // One cookie a filter: every action of ours carries it, so the first action's stands for the filter.
            String cookies = sw.sh("tc -j filter show dev " + dev + " ingress"
                + " | jq -r '.[] | select(.options.actions != null) | .options.actions[0].cookie // empty'");
            for (String c : cookies.split("\n")) {
                if (c.length() == 32) {
                    out.merge(c, 1, Integer::sum);
                }
            }
        }
        return out;
    }

    /** Every filter on {@code dev}'s ingress in namespace {@code ns}. */
    static List<Filter> filters(Topology.Host ns, String dev) {
        String out = ns.sh("tc -s -j filter show dev " + dev + " ingress | jq -r '" + JQ + "'");
        List<Filter> fs = new ArrayList<>();
        for (String line : out.strip().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            fs.add(new Filter(Integer.parseInt(f[0]), f[1], f[2], Boolean.parseBoolean(f[3]), Boolean.parseBoolean(f[4]),
                Long.parseLong(f[5])));
        }
        return fs;
    }

    List<Filter> filters(String dev) {
        return filters(sw, dev);
    }

    /** Our flow filters (flower) on {@code dev}. */
    List<Filter> flower(String dev) {
        return filters(dev).stream().filter(f -> f.kind().equals("flower")).toList();
    }

    long flowerPackets() {
        long n = 0;
        for (String dev : new String[] {"p1", "p2"}) {
            for (Filter f : flower(dev)) {
                n += f.packets();
            }
        }
        return n;
    }

    /** dev:pref/handle of every flower filter, sorted: the identity of what tc holds. */
    List<String> handles() {
        List<String> ids = new ArrayList<>();
        for (String dev : new String[] {"p1", "p2"}) {
            for (Filter f : flower(dev)) {
                ids.add(dev + ":" + f.id());
            }
        }
        ids.sort(null);
        return ids;
    }

    boolean onlyCatchAlls() {
        for (String dev : new String[] {"p1", "p2"}) {
            List<Filter> fs = filters(dev);
            if (fs.isEmpty() || !fs.stream().allMatch(f -> f.pref() == 65535 && f.kind().equals("u32"))) {
                return false;
            }
        }
        return true;
    }

    /** Counts datagrams on port 5001 until 15 s of silence (60 s before the first); prints count and distinct. */
    private static final String RECEIVER = String.join("\n",
        "import socket,sys",
        "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s=socket.socket(fam,socket.SOCK_DGRAM);s.bind((sys.argv[1],int(sys.argv[2])))",
        "s.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1<<22)",
        "print('ready',flush=True)",
        "s.settimeout(int(sys.argv[3]));n=0;seen=set()",
        "try:",
        "  while True:",
        "    d=s.recv(100);n+=1;seen.add(d);s.settimeout(15)",
        "except socket.timeout:",
        "  pass",
        "print('count=%d distinct=%d'%(n,len(seen)),flush=True)");

    /** Sends datagrams seq{from}..seq{to-1} to port 5001, one every {@code gap} seconds, from port 6000. */
    private static final String SENDER = String.join("\n",
        "import socket,sys,time",
        "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET",
        "s=socket.socket(fam,socket.SOCK_DGRAM);s.bind(('::' if fam==socket.AF_INET6 else '0.0.0.0',6000))",
        "gap=float(sys.argv[5])",
        "for i in range(int(sys.argv[3]),int(sys.argv[4])):",
        "  s.sendto(b'seq%d'%i,(sys.argv[1],int(sys.argv[2])));time.sleep(gap)",
        "print('sent',flush=True)");

    static Shell.Background receiver(Topology.Host h, String bind) {
        return receiver(h, bind, 60);
    }

    static Shell.Background receiver(Topology.Host h, String bind, int firstWaitSeconds) {
        return Shell.start(h.exec("python3", "-c", RECEIVER, bind, "5001", Integer.toString(firstWaitSeconds)))
            .awaitLine("ready", Duration.ofSeconds(30));
    }

    static void send(Topology.Host h, String dst, int from, int to) {
        h.ok("python3", "-c", SENDER, dst, "5001", Integer.toString(from), Integer.toString(to), "0.005");
    }

    static Shell.Background sendInBackground(Topology.Host h, String dst, int from, int to, double gapSeconds) {
        return Shell.start(h.exec("python3", "-c", SENDER, dst, "5001", Integer.toString(from), Integer.toString(to),
            Double.toString(gapSeconds)));
    }

    /** The output of {@code ping -c 1} run {@code n} times: each echo answered, none twice. */
    static boolean answeredOnce(String pings, int n) {
        int answered = 0;
        for (int i = pings.indexOf("1 packets transmitted, 1 received"); i >= 0; i = pings.indexOf("1 packets transmitted, 1 received", i + 1)) {
            answered++;
        }
        return answered == n && !pings.contains("DUP!");
    }

    static void assertLoss0(String ping) {
        assertTrue(ping.contains(" 0% packet loss"), ping);
    }

    /** Polls {@code cond} every 20 ms up to {@code millis}; returns the milliseconds it took, or -1. */
    static long await(long millis, BooleanSupplier cond) throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            if (cond.getAsBoolean()) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            if ((System.nanoTime() - t0) / 1_000_000 > millis) {
                return -1;
            }
            Thread.sleep(20);
        }
    }
}
