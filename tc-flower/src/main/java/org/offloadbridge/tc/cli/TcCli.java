package org.offloadbridge.tc.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.offloadbridge.flow.Actions;
import org.offloadbridge.flow.AsciiNumber;
import org.offloadbridge.flow.Excerpt;
import org.offloadbridge.flow.FlowFormat;
import org.offloadbridge.flow.FlowKey;
import org.offloadbridge.flow.FlowMask;
import org.offloadbridge.flow.FlowParser;
import org.offloadbridge.flow.Megaflow;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.flow.PortNames;
import org.offloadbridge.flow.TcPolicy;
import org.offloadbridge.flow.Ufid;
import org.offloadbridge.netlink.LinkInfo;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.netlink.NetlinkConnection;
import org.offloadbridge.netlink.NetlinkProtocol;
import org.offloadbridge.netlink.RtnlLinks;
import org.offloadbridge.tc.TcFlow;
import org.offloadbridge.tc.TcOffload;
import org.offloadbridge.tc.TcOutcome;
import org.offloadbridge.tc.TcPorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

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
 *   dump-flows DEV [-m]                 our flows on DEV; -m adds ufid, offloaded:yes (in_hw only), dp:tc
 *   del-flows DEV                       delete every flow of ours on DEV (others' filters stay)
 * </pre>
 * MATCH and ACTIONS use the datapath flow syntax ({@code in_port(veth0),eth_type(0x0800),ipv4(proto=6)}
 * and {@code push_vlan(vid=10,pcp=0),veth1}). Exit status: 0 ok, 1 refused or failed (one line on
 * stderr saying what and why), 2 usage.
 */
@Command(name = "tc-flower", description = "Datapath flows as tc flower filters, in the ovs-dpctl flow syntax.",
        mixinStandardHelpOptions = true,
        subcommands = {TcCli.AddFlow.class, TcCli.ModFlow.class, TcCli.DelFlow.class, TcCli.GetFlow.class,
            TcCli.DumpFlows.class, TcCli.DelFlows.class})
public final class TcCli implements Callable<Integer> {
    @Option(names = "--netns", paramLabel = "NS", description = "run in network namespace NS (ip netns name)")
    String netns;

    @Option(names = "--policy", paramLabel = "POLICY", converter = PolicyConverter.class,
            description = "tc-policy: none, skip_sw or skip_hw (default none)")
    TcPolicy policy = TcPolicy.NONE;

    @Option(names = "--pref", paramLabel = "PREF", converter = PreferenceConverter.class,
            description = "offload preference: required, preferred or never (default preferred)")
    OffloadPreference pref = OffloadPreference.PREFERRED;

    CommandLine self;

    /** No command: usage on stderr, exit 2. */
    @Override
    public Integer call() {
        self.getErr().println("tc-flower: no command given; usage:");
        self.usage(self.getErr());
        return 2;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line, printing to {@code out}/{@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        TcCli top = new TcCli();
        CommandLine cl = new CommandLine(top);
        top.self = cl;
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        cl.setOut(o);
        cl.setErr(e);
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("tc-flower: " + usageMessage(ex));
            c.usage(c.getErr());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            // Expected failures are one line (what, where, why); a stack trace would bury it.
            line.getErr().println("tc-flower: " + firstLine(ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        int rc = cl.execute(args);
        o.flush();
        e.flush();
        return rc;
    }

    private static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.MissingParameterException mp && !mp.getMissing().isEmpty()
                && mp.getMissing().get(0) instanceof CommandLine.Model.OptionSpec opt) {
            return opt.longestName() + " needs a value";
        }
        return ex.getMessage();
    }

    /** The first line of a message, escaped and with long tokens shortened (it may quote the command line). */
    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return Excerpt.tidy(nl < 0 ? s : s.substring(0, nl));
    }

    static final class PolicyConverter implements CommandLine.ITypeConverter<TcPolicy> {
        @Override
        public TcPolicy convert(String value) {
            try {
                return TcPolicy.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class PreferenceConverter implements CommandLine.ITypeConverter<OffloadPreference> {
        @Override
        public OffloadPreference convert(String value) {
            try {
                return OffloadPreference.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** What a command runs against: the links of the namespace and one TcOffload on its rtnetlink socket. */
    record Env(TcOffload tc, List<LinkInfo> links, PortNames names, PrintWriter out, PrintWriter err) {
        /** The ifindex of a device given by name or number; refuses one that does not exist. */
        int device(String name) {
            int n = names.number(name);
            if (n >= 0) {
                return n;
            }
            // an ifindex in ASCII digits (Integer.parseInt would take "٣" for 3)
            if (AsciiNumber.isDigits(name) && name.length() <= 9) {
                int idx = Integer.parseInt(name);
                for (LinkInfo l : links) {
                    if (l.index() == idx) {
                        return idx;
                    }
                }
            }
            throw new NoSuchDevice(name);
        }
    }

    /** A device name or index that the namespace does not have: exit 1, "no such device". */
    static final class NoSuchDevice extends RuntimeException {
        NoSuchDevice(String name) {
            super("no such device '" + Excerpt.escape(name, 40) + "'", null, false, false);
        }
    }

    /** One subcommand's body, run inside the namespace with an Env. */
    interface Body {
        int run(Env env);
    }

    /** Opens the namespace (when asked), the rtnetlink socket and the link table, then runs {@code body}. */
    int withEnv(Body body) {
        PrintWriter out = self.getOut();
        PrintWriter err = self.getErr();
        if (netns == null) {
            return inNamespace(body, out, err);
        }
        NetNs ns;
        try {
            ns = NetNs.open(netns);
        } catch (RuntimeException e) {
            err.println("tc-flower: netns '" + Excerpt.escape(netns, 80) + "': " + firstLine(String.valueOf(e.getMessage())));
            return 1;
        }
        try (ns) {
            return ns.call(() -> inNamespace(body, out, err));
        }
    }

    private int inNamespace(Body body, PrintWriter out, PrintWriter err) {
        try (NetlinkConnection route = NetlinkConnection.open(NetlinkProtocol.ROUTE)) {
            List<LinkInfo> links = new RtnlLinks(route).dump();
            Map<Integer, String> byIndex = new HashMap<>();
            for (LinkInfo l : links) {
                byIndex.put(l.index(), l.name());
            }
            try (TcOffload tc = new TcOffload(route, policy, TcPorts.IDENTITY)) {
                return body.run(new Env(tc, links, PortNames.of(byIndex), out, err));
            }
        } catch (NoSuchDevice e) {
            err.println("tc-flower: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("tc-flower: " + firstLine(String.valueOf(e.getMessage())));
            return 2;
        } catch (RuntimeException e) {
            err.println("tc-flower: " + firstLine(String.valueOf(e.getMessage())));
            return 1;
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

    private static int report(TcOutcome o, Ufid u, Env env) {
        if (o.ok()) {
            env.out().println(u + ": " + o);
            return 0;
        }
        env.err().println("tc-flower: " + u + ": " + o);
        return 1;
    }

    /** add-flow and mod-flow: MATCH ACTIONS. */
    abstract static class FlowCommand implements Callable<Integer> {
        @ParentCommand
        TcCli top;
        @Parameters(index = "0", paramLabel = "MATCH", description = "[ufid:U,]in_port(DEV),eth_type(...),...")
        String match;
        @Parameters(index = "1", paramLabel = "ACTIONS", description = "datapath actions, e.g. push_vlan(vid=10,pcp=0),veth1 or drop")
        String actions;

        abstract TcOutcome apply(TcOffload tc, Megaflow f, OffloadPreference pref);

        @Override
        public Integer call() {
            return top.withEnv(env -> {
                Megaflow f = parse(match, actions, env.names());
                int dev = f.key().inPort();
                env.tc().dump(dev); // learn what is there, so mod-flow finds the flow
                TcOutcome o = apply(env.tc(), f, top.pref);
                if (!o.ok()) {
                    // Leave the device as found: a clsact this run added for a filter that never
                    // went in is taken away again (others' qdiscs and filters are never touched).
                    env.tc().releaseQdiscIfUnused(dev);
                }
                return report(o, f.ufid(), env);
            });
        }
    }

    @Command(name = "add-flow", description = "Install a flow as a flower filter on its in_port (NLM_F_EXCL).")
    static final class AddFlow extends FlowCommand {
        @Override
        TcOutcome apply(TcOffload tc, Megaflow f, OffloadPreference pref) {
            return tc.install(f, pref);
        }
    }

    @Command(name = "mod-flow", description = "Replace the flow with that ufid; counters continue.")
    static final class ModFlow extends FlowCommand {
        @Override
        TcOutcome apply(TcOffload tc, Megaflow f, OffloadPreference pref) {
            return tc.replace(f, pref);
        }
    }

    /** del-flow and get-flow: a ufid, looked for on every device (after a restart nothing is cached). */
    abstract static class UfidCommand implements Callable<Integer> {
        @ParentCommand
        TcCli top;
        @Parameters(index = "0", paramLabel = "UFID", description = "ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
        String ufid;

        abstract int apply(Env env, Ufid u);

        @Override
        public Integer call() {
            return top.withEnv(env -> {
                Ufid u = Ufid.parse(ufid);
                for (LinkInfo l : env.links()) {
                    env.tc().dump(l.index());
                }
                return apply(env, u);
            });
        }
    }

    @Command(name = "del-flow", description = "Delete one of our flows.")
    static final class DelFlow extends UfidCommand {
        @Override
        int apply(Env env, Ufid u) {
            return report(env.tc().delete(u), u, env);
        }
    }

    @Command(name = "get-flow", description = "Show one flow with fresh counters.")
    static final class GetFlow extends UfidCommand {
        @Override
        int apply(Env env, Ufid u) {
            Optional<TcFlow> f = env.tc().get(u);
            if (f.isEmpty()) {
                env.err().println("tc-flower: " + u + ": no such flow");
                return 1;
            }
            env.out().println(FlowFormat.formatFlow(f.get().toDpFlow(), env.names(), true));
            return 0;
        }
    }

    @Command(name = "dump-flows", description = "Our flows on DEV (-m: ufid, offloaded:yes when in_hw, dp:tc).")
    static final class DumpFlows implements Callable<Integer> {
        @ParentCommand
        TcCli top;
        @Parameters(index = "0", paramLabel = "DEV")
        String dev;
        @Option(names = "-m", description = "more: ufid, offloaded, dp (as ovs-appctl dpctl/dump-flows -m)")
        boolean more;

        @Override
        public Integer call() {
            return top.withEnv(env -> {
                for (TcFlow f : env.tc().dump(env.device(dev))) {
                    env.out().println(FlowFormat.formatFlow(f.toDpFlow(), env.names(), more));
                }
                return 0;
            });
        }
    }

    @Command(name = "del-flows", description = "Delete all our flows on DEV; other filters stay.")
    static final class DelFlows implements Callable<Integer> {
        @ParentCommand
        TcCli top;
        @Parameters(index = "0", paramLabel = "DEV")
        String dev;

        @Override
        public Integer call() {
            return top.withEnv(env -> {
                env.out().println(env.tc().deleteAllOurs(env.device(dev)) + " flows deleted from " + dev);
                return 0;
            });
        }
    }
}
