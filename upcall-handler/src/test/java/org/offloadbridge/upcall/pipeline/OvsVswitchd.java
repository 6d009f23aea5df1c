package org.offloadbridge.upcall.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.offloadbridge.testkit.Shell;

/**
 * A private Open vSwitch for differential tests: its own ovsdb-server and ovs-vswitchd in a
 * temporary directory, with {@code --enable-dummy} so no kernel module is needed, one bridge
 * {@code br0} of {@code datapath_type=netdev} and dummy ports. Packets go in with
 * {@code netdev-dummy/receive}; the megaflows OVS installed come out of {@code dpctl/dump-flows}.
 * Every command is bounded in time; {@link #close()} stops both daemons (the ones this object
 * started, by their pid files) and removes the directory.
 *
 * <p>Needs Debian's {@code openvswitch-switch} (tools/install-deps installs it).
 */
final class OvsVswitchd implements AutoCloseable {
    static final Path VSWITCHD = Path.of("/usr/sbin/ovs-vswitchd");
    static final Path OVSDB_SERVER = Path.of("/usr/sbin/ovsdb-server");
    static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");

    private final Path dir;
    private final Path run;
    private final String db;
    private final Map<String, Integer> dpPorts = new HashMap<>();

    static boolean available() {
        return Files.isExecutable(VSWITCHD) && Files.isExecutable(OVSDB_SERVER) && Files.isReadable(SCHEMA);
    }

    /** Starts the daemons and a bridge with dummy ports {@code names[i]} as OpenFlow port {@code ofPorts[i]}. */
    OvsVswitchd(String[] names, int[] ofPorts) throws IOException {
        dir = Files.createTempDirectory("ob-ovs-");
        run = dir.resolve("run");
        for (String d : new String[] {"run", "db", "log", "etc"}) {
            Files.createDirectories(dir.resolve(d));
        }
        db = "unix:" + run.resolve("db.sock");
        boolean ok = false;
        try {
            exec("ovsdb-tool", "create", dir.resolve("db/conf.db").toString(), SCHEMA.toString());
            exec(OVSDB_SERVER.toString(), dir.resolve("db/conf.db").toString(), "--remote=punix:" + run.resolve("db.sock"),
                    "--pidfile=" + run.resolve("ovsdb-server.pid"), "--unixctl=" + run.resolve("ovsdb-server.ctl"),
                    "--log-file=" + dir.resolve("log/ovsdb-server.log"), "--detach", "--no-chdir");
            vsctl("--no-wait", "init");
            exec(VSWITCHD.toString(), db, "--enable-dummy=override", "--disable-system",
                    "--pidfile=" + run.resolve("ovs-vswitchd.pid"), "--unixctl=" + run.resolve("ovs-vswitchd.ctl"),
                    "--log-file=" + dir.resolve("log/ovs-vswitchd.log"), "--detach", "--no-chdir");
            List<String> args = new ArrayList<>(List.of("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"));
            for (int i = 0; i < names.length; i++) {
                args.addAll(List.of("--", "add-port", "br0", names[i], "--", "set", "interface", names[i], "type=dummy",
                        "ofport_request=" + ofPorts[i]));
            }
            vsctl(args.toArray(new String[0]));
            // "p1 1/1: (dummy)": name, OpenFlow port / datapath port.
            Matcher m = Pattern.compile("^\\s+(\\S+) (\\d+)/(\\d+):", Pattern.MULTILINE).matcher(appctl("dpif/show"));
            while (m.find()) {
                dpPorts.put(m.group(1), Integer.parseInt(m.group(3)));
            }
            for (String n : names) {
                if (!dpPorts.containsKey(n)) {
                    throw new IOException("port " + n + " not in dpif/show:\n" + appctl("dpif/show"));
                }
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    /** OVS's datapath port number of a bridge port (it differs from ours). */
    int dpPort(String name) {
        return dpPorts.get(name);
    }

    /** Replaces every OpenFlow rule of br0 with {@code rules} (ovs-ofctl add-flows syntax); null if OVS accepts them, else its error. */
    String replaceFlows(String rules) throws IOException {
        Path f = dir.resolve("rules.txt");
        Files.writeString(f, rules);
        Shell.Result d = run(List.of("ovs-ofctl", "del-flows", mgmt()));
        if (!d.ok()) {
            return d.output();
        }
        Shell.Result r = run(List.of("ovs-ofctl", "add-flows", mgmt(), f.toString()));
        return r.ok() ? null : r.output();
    }

    /** Adds one OpenFlow rule to br0 (ovs-ofctl add-flow); null if OVS accepts it, else its error. */
    String addFlow(String rule) {
        Shell.Result r = run(List.of("ovs-ofctl", "add-flow", mgmt(), rule));
        return r.ok() ? null : r.output();
    }

    /**
     * Forgets learned MACs, datapath flows and ukeys, receives one packet (an ODP flow text
     * without in_port) on {@code port}, and returns the matches of the megaflows OVS then holds
     * (the caller picks the one covering its packet: a straggler from an earlier packet can
     * show up after a purge).
     */
    List<String> megaflowsAfter(String port, String packet) throws IOException, InterruptedException {
        appctl("fdb/flush", "br0");
        // Not dpctl/del-flows: that leaves the handler's ukey behind, and OVS then refuses to
        // install the same megaflow again for the next packet. purge drops flows and ukeys.
        appctl("revalidator/purge");
        appctl("netdev-dummy/receive", port, packet);
        for (int attempt = 0; attempt < 50; attempt++) {
            List<String> flows = new ArrayList<>();
            for (String line : appctl("dpctl/dump-flows").split("\n")) {
                if (line.startsWith("recirc_id(") || line.startsWith("ufid:")) {
                    flows.add(line.substring(0, line.indexOf(", packets:")));
                }
            }
            if (!flows.isEmpty()) {
                return flows;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("OVS installed no megaflow for " + packet + " on " + port);
    }

    String appctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-appctl", "-t", run.resolve("ovs-vswitchd.ctl").toString()));
        cmd.addAll(List.of(args));
        return check(run(cmd), cmd);
    }

    private String mgmt() {
        return "unix:" + run.resolve("br0.mgmt");
    }

    private void vsctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--db=" + db, "--timeout=15"));
        cmd.addAll(List.of(args));
        check(run(cmd), cmd);
    }

    private void exec(String... cmd) throws IOException {
        check(run(List.of(cmd)), List.of(cmd));
    }

    /** Runs {@code cmd} with this instance's directories in OVS's environment variables. */
    private Shell.Result run(List<String> cmd) {
        List<String> argv = new ArrayList<>(List.of("env", "OVS_RUNDIR=" + run, "OVS_DBDIR=" + dir.resolve("db"),
                "OVS_LOGDIR=" + dir.resolve("log"), "OVS_SYSCONFDIR=" + dir.resolve("etc")));
        argv.addAll(cmd);
        return Shell.run(30, argv.toArray(String[]::new));
    }

    private String check(Shell.Result r, List<String> cmd) throws IOException {
        if (!r.ok()) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + r.exit() + "):\n" + r.output() + logTail());
        }
        return r.output();
    }

    private String logTail() {
        try {
            List<String> l = Files.readAllLines(dir.resolve("log/ovs-vswitchd.log"));
            return "\n--- ovs-vswitchd.log ---\n" + String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        for (String d : new String[] {"ovs-vswitchd", "ovsdb-server"}) {
            Path pid = run.resolve(d + ".pid");
            if (!Files.exists(pid)) {
                continue;
            }
            long p = Long.parseLong(Files.readString(pid).strip());
            run(List.of("ovs-appctl", "-t", run.resolve(d + ".ctl").toString(), "exit"));
            ProcessHandle.of(p).ifPresent(h -> {
                try {
                    h.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
