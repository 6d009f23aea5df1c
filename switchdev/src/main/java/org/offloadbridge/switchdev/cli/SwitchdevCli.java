package org.offloadbridge.switchdev.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.offloadbridge.switchdev.DevlinkHandle;
import org.offloadbridge.switchdev.EswitchEncapMode;
import org.offloadbridge.switchdev.EswitchInlineMode;
import org.offloadbridge.switchdev.EswitchMode;
import org.offloadbridge.switchdev.EswitchState;
import org.offloadbridge.switchdev.HotplugAgent;
import org.offloadbridge.switchdev.HwTcOffload;
import org.offloadbridge.switchdev.ModelChange;
import org.offloadbridge.switchdev.PortListing;
import org.offloadbridge.switchdev.Switchdev;
import org.offloadbridge.switchdev.SwitchdevException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code switchdev show [--json]}, {@code switchdev eswitch DEV [mode M] …},
 * {@code switchdev offload NETDEV on|off}, {@code switchdev vfs PF N}, {@code switchdev watch}.
 * Exit status: 0 done, 1 the kernel refused (its text on stderr), 2 bad usage.
 */
@Command(name = "switchdev", mixinStandardHelpOptions = true,
        description = "Which ports are representors of which e-switch, and preparing them for offload.",
        subcommands = {SwitchdevCli.Show.class, SwitchdevCli.EswitchCmd.class, SwitchdevCli.Offload.class,
            SwitchdevCli.Vfs.class, SwitchdevCli.Watch.class})
public final class SwitchdevCli implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return new CommandLine(new Show()).execute();
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line, printing to {@code out}/{@code err}; returns the exit status. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        final CommandLine cl = new CommandLine(new SwitchdevCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            if (e instanceof SwitchdevException || e instanceof IllegalArgumentException
                    || e instanceof java.io.UncheckedIOException || e instanceof UnsupportedOperationException) {
                line.getErr().println("switchdev: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }

    @Command(name = "show", description = "One line per netdev: role, e-switch, VF, devlink port, mode, hw-tc-offload.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "JSON instead of a table")
        boolean json;
        @Option(names = "--no-features", description = "skip reading hw-tc-offload (one ethtool request per netdev)")
        boolean noFeatures;

        @Override
        public Integer call() {
            try (Switchdev sd = Switchdev.open()) {
                final var s = sd.readFeatures(!noFeatures).discover();
                spec.commandLine().getOut().print(json ? PortListing.json(s) : PortListing.text(s));
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }

    @Command(name = "eswitch", description = "Show or set an e-switch: switchdev eswitch pci/0000:08:00.0 [mode switchdev] "
            + "[inline-mode none|link|network|transport] [encap-mode none|basic]")
    static final class EswitchCmd implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", description = "devlink instance, BUS/DEVICE")
        String dev;
        @Parameters(index = "1..*", arity = "0..*", description = "KEY VALUE pairs: mode, inline-mode, encap-mode")
        java.util.List<String> settings = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            final DevlinkHandle h = DevlinkHandle.parse(dev);
            if (settings.size() % 2 != 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "settings come in KEY VALUE pairs, got " + settings);
            }
            EswitchMode mode = null;
            EswitchInlineMode inline = null;
            EswitchEncapMode encap = null;
            for (int i = 0; i < settings.size(); i += 2) {
                final String v = settings.get(i + 1);
                switch (settings.get(i)) {
                    case "mode" -> mode = EswitchMode.ofLabel(v);
                    case "inline-mode" -> inline = EswitchInlineMode.ofLabel(v);
                    case "encap-mode" -> encap = EswitchEncapMode.ofLabel(v);
                    default -> throw new CommandLine.ParameterException(spec.commandLine(),
                            "unknown setting '" + settings.get(i) + "' (want mode, inline-mode or encap-mode)");
                }
            }
            try (Switchdev sd = Switchdev.open()) {
                if (mode != null || inline != null || encap != null) {
                    sd.setEswitch(h, mode, inline, encap);
                }
                final EswitchState s = sd.eswitch(h);
                spec.commandLine().getOut().println(h + ": " + (s == null ? "no e-switch" : describe(s)));
            }
            return 0;
        }

        static String describe(EswitchState s) {
            final StringBuilder b = new StringBuilder("mode ").append(s.mode() == null ? "?" : s.mode().label());
            if (s.inlineMode() != null) {
                b.append(" inline-mode ").append(s.inlineMode().label());
            }
            if (s.encapMode() != null) {
                b.append(" encap-mode ").append(s.encapMode().label());
            }
            return b.toString();
        }
    }

    @Command(name = "offload", description = "Turn hw-tc-offload on or off: switchdev offload NETDEV on|off")
    static final class Offload implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0")
        String netdev;
        @Parameters(index = "1", description = "on or off")
        String state;

        @Override
        public Integer call() {
            if (!state.equals("on") && !state.equals("off")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "want on or off, got '" + state + "'");
            }
            final boolean on = state.equals("on");
            try (Switchdev sd = Switchdev.open()) {
                final HwTcOffload now = sd.setHwTcOffload(netdev, on);
                spec.commandLine().getOut().println(netdev + ": hw-tc-offload: " + now.label());
                if (now.active() != on) {
                    spec.commandLine().getErr().println("switchdev: " + netdev + ": hw-tc-offload cannot be turned "
                            + state + " (the driver marks it fixed)");
                    return 1;
                }
            }
            return 0;
        }
    }

    @Command(name = "vfs", description = "Set the VF count of a PF netdev (keeps switchdev mode): switchdev vfs PF N")
    static final class Vfs implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0")
        String pf;
        @Parameters(index = "1", converter = AsciiCount.class)
        int count;

        @Override
        public Integer call() {
            try (Switchdev sd = Switchdev.open()) {
                sd.setNumVfs(pf, count);
                spec.commandLine().getOut().println(pf + ": " + count + " VFs");
            }
            return 0;
        }
    }

    @Command(name = "watch", description = "Print model changes as link and devlink events arrive (Ctrl-C to stop).")
    static final class Watch implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;
        @Option(names = "--seconds", description = "stop after this many seconds (default: run until killed)", converter = AsciiCount.class)
        int seconds;

        @Override
        public Integer call() {
            final PrintWriter out = spec.commandLine().getOut();
            try (Switchdev sd = Switchdev.open(); HotplugAgent agent = sd.hotplugAgent()) {
                sd.model().addListener((snap, changes) -> {
                    for (ModelChange c : changes) {
                        out.println(describe(c));
                    }
                    out.flush();
                });
                sd.discover();
                final long end = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE;
                // doWork() never blocks; sleep between empty rounds instead of spinning.
                final IdleStrategy idle = new SleepingMillisIdleStrategy(50);
                while (System.nanoTime() < end) {
                    idle.idle(agent.doWork());
                }
            }
            return 0;
        }

        static String describe(ModelChange c) {
            return switch (c) {
                case ModelChange.PortAdded a -> "port added: " + a.port().name() + " " + a.port().role().label();
                case ModelChange.PortRemoved r -> "port removed: " + r.port().name();
                case ModelChange.PortChanged ch -> "port changed: " + ch.before().name()
                        + (ch.before().name().equals(ch.after().name()) ? "" : " -> " + ch.after().name())
                        + " " + ch.after().role().label();
                case ModelChange.EswitchAdded a -> "e-switch added: " + a.eswitch().key();
                case ModelChange.EswitchRemoved r -> "e-switch removed: " + r.eswitch().key();
                case ModelChange.EswitchChanged ch -> "e-switch changed: " + ch.after().key() + " mode "
                        + (ch.after().mode() == null ? "?" : ch.after().mode().label()) + ", "
                        + ch.after().vfRepresentors().size() + " VF representors";
            };
        }
    }

    /**
     * A count in ASCII digits, 0 or more: picocli's int converter reads other scripts' digits
     * ({@code vfs pf0 ٢} as 2) and takes a sign.
     */
    static final class AsciiCount implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            if (value.isEmpty() || value.length() > 9) {
                throw new CommandLine.TypeConversionException("'" + printable(value) + "' is not a count (0 to 999999999)");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < '0' || c > '9') {
                    throw new CommandLine.TypeConversionException("'" + printable(value) + "' is not a count: "
                            + (c > 0x7f && Character.isDigit(c) ? String.format(java.util.Locale.ROOT, "non-ASCII digit U+%04X", (int) c)
                            : "'" + printable(String.valueOf(c)) + "'") + " at position " + (i + 1) + " (ASCII digits 0-9 only)");
                }
            }
            return Integer.parseInt(value);
        }

        private static String printable(String s) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(s.length(), 40); i++) {
                char c = s.charAt(i);
                sb.append(c < 0x20 || c == 0x7f || c > 0x7e ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
            return s.length() > 40 ? sb + "…" : sb.toString();
        }
    }
}
