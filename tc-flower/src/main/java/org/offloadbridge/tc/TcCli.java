package org.offloadbridge.tc;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.RtnlLinks;

/**
 * {@code tc-flower}: datapath flows straight into tc, in the spirit of {@code ovs-dpctl}.
 * Port numbers are ifindexes; device names work anywhere a port does.
 *
 * <pre>
 * tc-flower [--netns NS] [--policy none|skip_sw|skip_hw] [--pref required|preferred|never] COMMAND
 *   add-flow [ufid:U,]MATCH ACTIONS     install (NLM_F_EXCL); prints where it landed
 *   mod-flow [ufid:U,]MATCH ACTIONS     replace the flow with that ufid (counters continue)
 *   del-flow ufid:U                     delete one of ours
 *   get-flow ufid:U                     one flow with fresh counters
 *   dump-flows DEV [-m]                 our flows on DEV; -m adds ufid, offloaded:yes|no, dp:tc
 *   del-flows DEV                       delete every flow of ours on DEV (others' filters stay)
 * </pre>
 * MATCH and ACTIONS use the datapath flow syntax ({@code in_port(veth0),eth_type(0x0800),ipv4(proto=6)}
 * and {@code push_vlan(vid=10,pcp=0),veth1}). Exit status: 0 ok, 1 refused or failed, 2 usage.
 */
public final class TcCli {
    private TcCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String netns = null;
        TcPolicy policy = TcPolicy.NONE;
        OffloadPreference pref = OffloadPreference.PREFERRED;
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--netns" -> netns = need(args, ++i, "--netns");
                    case "--policy" -> policy = TcPolicy.parse(need(args, ++i, "--policy"));
                    case "--pref" -> pref = OffloadPreference.parse(need(args, ++i, "--pref"));
                    case "-h", "--help" -> {
                        usage(out);
                        return 0;
                    }
                    default -> rest.add(args[i]);
                }
            }
            if (rest.isEmpty()) {
                usage(err);
                return 2;
            }
        } catch (IllegalArgumentException e) {
            err.println("tc-flower: " + e.getMessage());
            return 2;
        }
        TcPolicy pol = policy;
        OffloadPreference pr = pref;
        if (netns == null) {
            return command(rest, pol, pr, out, err);
        }
        try (NetNs ns = NetNs.open(netns)) {
            return ns.call(() -> command(rest, pol, pr, out, err));
        }
    }

    private static String need(String[] args, int i, String opt) {
        if (i >= args.length) {
            throw new IllegalArgumentException(opt + " needs a value");
        }
        return args[i];
    }

    private static void usage(PrintStream s) {
        s.println("usage: tc-flower [--netns NS] [--policy none|skip_sw|skip_hw] [--pref required|preferred|never] COMMAND");
        s.println("  add-flow [ufid:U,]MATCH ACTIONS   install a flow as a flower filter on its in_port");
        s.println("  mod-flow [ufid:U,]MATCH ACTIONS   replace the flow with that ufid; counters continue");
        s.println("  del-flow ufid:U                   delete one of our flows");
        s.println("  get-flow ufid:U                   show one flow with fresh counters");
        s.println("  dump-flows DEV [-m]               our flows on DEV (-m: ufid, offloaded:yes|no, dp:tc)");
        s.println("  del-flows DEV                     delete all our flows on DEV; other filters stay");
    }

    private static int command(List<String> a, TcPolicy policy, OffloadPreference pref, PrintStream out, PrintStream err) {
        try (NetlinkConnection route = NetlinkConnection.open(NetlinkProtocol.ROUTE)) {
            List<LinkInfo> links = new RtnlLinks(route).dump();
            Map<Integer, String> byIndex = new HashMap<>();
            for (LinkInfo l : links) {
                byIndex.put(l.index(), l.name());
            }
            PortNames names = PortNames.of(byIndex);
            try (TcOffload tc = new TcOffload(route, policy, TcPorts.IDENTITY)) {
                String cmd = a.get(0);
                switch (cmd) {
                    case "add-flow", "mod-flow" -> {
                        if (a.size() != 3) {
                            err.println("tc-flower: " + cmd + " takes MATCH and ACTIONS");
                            return 2;
                        }
                        Megaflow f = parse(a.get(1), a.get(2), names);
                        int dev = f.key().inPort();
                        tc.dump(dev); // learn what is there, so mod-flow finds the flow
                        TcOutcome o = cmd.equals("add-flow") ? tc.install(f, pref) : tc.replace(f, pref);
                        return report(o, f.ufid(), out, err);
                    }
                    case "del-flow", "get-flow" -> {
                        if (a.size() != 2) {
                            err.println("tc-flower: " + cmd + " takes a ufid");
                            return 2;
                        }
                        Ufid u = Ufid.parse(a.get(1));
                        for (LinkInfo l : links) {
                            tc.dump(l.index()); // after a restart: find the ufid's filter
                        }
                        if (cmd.equals("del-flow")) {
                            return report(tc.delete(u), u, out, err);
                        }
                        Optional<TcFlow> f = tc.get(u);
                        if (f.isEmpty()) {
                            err.println("tc-flower: " + u + ": no such flow");
                            return 1;
                        }
                        out.println(FlowFormat.formatFlow(f.get().toDpFlow(), names, true));
                        return 0;
                    }
                    case "dump-flows", "del-flows" -> {
                        if (a.size() < 2) {
                            err.println("tc-flower: " + cmd + " takes a device");
                            return 2;
                        }
                        int dev = device(a.get(1), names);
                        if (cmd.equals("del-flows")) {
                            out.println(tc.deleteAllOurs(dev) + " flows deleted from " + a.get(1));
                            return 0;
                        }
                        boolean verbose = a.size() > 2 && a.get(2).equals("-m");
                        for (TcFlow f : tc.dump(dev)) {
                            out.println(FlowFormat.formatFlow(f.toDpFlow(), names, verbose));
                        }
                        return 0;
                    }
                    default -> {
                        err.println("tc-flower: unknown command '" + cmd + "'");
                        usage(err);
                        return 2;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("tc-flower: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("tc-flower: " + e.getMessage());
            return 1;
        }
    }

    private static int device(String name, PortNames names) {
        int n = names.number(name);
        if (n >= 0) {
            return n;
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("no device '" + name + "'");
        }
    }

    static Megaflow parse(String match, String actions, PortNames names) {
        String m = match.strip();
        Ufid ufid = null;
        if (m.startsWith("ufid:")) {
            int comma = m.indexOf(',');
            ufid = Ufid.parse(comma < 0 ? m : m.substring(0, comma));
            m = comma < 0 ? "" : m.substring(comma + 1);
        }
        FlowKey key = new FlowKey();
        FlowMask mask = new FlowMask();
        FlowParser.parseMatch(m, names, key, mask);
        Actions acts = FlowParser.parseActions(actions, names);
        return ufid == null ? Megaflow.of(key, mask, acts) : new Megaflow(key, mask, acts, ufid);
    }

    private static int report(TcOutcome o, Ufid u, PrintStream out, PrintStream err) {
        if (o.ok()) {
            out.println(u + ": " + o);
            return 0;
        }
        err.println("tc-flower: " + u + ": " + o);
        return 1;
    }
}
