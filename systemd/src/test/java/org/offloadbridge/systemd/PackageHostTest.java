package org.offloadbridge.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.control.CommandCatalog;
import org.offloadbridge.testkit.Shell;

/**
 * The Debian package as {@code packaging/build-deb} makes it from this build: built once
 * (uncompressed, to save a minute of CPU; the jlink'ed runtime is cached in target/jlink), then
 * read with {@code dpkg-deb -c / -I} and extracted with {@code dpkg-deb -x} — never installed,
 * so this machine is left as it was. From the extracted tree: the bundled runtime is Java 25 and
 * is the one the launchers choose with no other Java allowed to qualify, {@code offload-bridge
 * --help} and {@code check} of the shipped configuration pass, the daemon runs on it (JNA's stub
 * from the package, not unpacked into /tmp) and obctl and its bash completion talk to it, the man
 * pages render without a warning, and the completion scripts complete.
 */
@Tag("host")
class PackageHostTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final String PREFIX = "usr/lib/offload-bridge/";

    @TempDir
    static Path dir;

    static Path deb;
    static Path tree;
    /** dpkg-deb -c: path (without the leading "./") → [mode, owner, link target or ""]. */
    static final Map<String, String[]> ENTRIES = new LinkedHashMap<>();

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(new File("/usr/bin/dpkg-deb").canExecute(), "dpkg-deb is not installed (not a Debian host)");
        Shell.Result r = Shell.run(Duration.ofMinutes(8), ROOT.resolve("packaging/build-deb").toString(), "--no-maven",
            "--out", dir.resolve("out").toString(), "--compress", "none");
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().toList();
        deb = Path.of(lines.get(lines.size() - 1));
        assertTrue(Files.isRegularFile(deb), r.toString());
        tree = dir.resolve("tree");
        Shell.ok(120, "dpkg-deb", "-x", deb.toString(), tree.toString());
        for (String line : Shell.ok(60, "dpkg-deb", "-c", deb.toString()).lines().toList()) {
            // drwxr-xr-x root/root         0 2026-12-06 04:44 ./usr/bin/obctl -> ../lib/...
            String[] f = line.split("\\s+", 6);
            String[] name = f[5].split(" -> ", 2);
            ENTRIES.put(name[0].replaceFirst("^\\./", "").replaceFirst("/$", ""), new String[] {f[0], f[1], name.length > 1 ? name[1] : ""});
        }
    }

    private static String mode(String path) {
        String[] e = ENTRIES.get(path);
        assertTrue(e != null, path + " is not in the package");
        return e[0];
    }

    @Test
    void filesAreWhereTheLayoutSaysWithTheirModes() throws Exception {
        Map<String, String> want = new LinkedHashMap<>();
        want.put(PREFIX + "bin/offload-bridge", "-rwxr-xr-x");
        want.put(PREFIX + "bin/obctl", "-rwxr-xr-x");
        want.put(PREFIX + "bin/lib/java.sh", "-rw-r--r--");
        want.put(PREFIX + "runtime/bin/java", "-rwxr-xr-x");
        want.put(PREFIX + "runtime/lib/jspawnhelper", "-rwxr-xr-x");
        want.put(PREFIX + "runtime/lib/server/libjvm.so", "-rw-r--r--");
        want.put(PREFIX + "lib/native/libjnidispatch.so", "-rw-r--r--");
        want.put("lib/systemd/system/offload-bridge.service", "-rw-r--r--");
        want.put("usr/lib/sysusers.d/offload-bridge.conf", "-rw-r--r--");
        want.put("etc/offload-bridge/offload-bridge.conf", "-rw-r--r--");
        want.put("usr/share/man/man8/offload-bridge.8.gz", "-rw-r--r--");
        want.put("usr/share/man/man8/obctl.8.gz", "-rw-r--r--");
        want.put("usr/share/man/man5/offload-bridge.conf.5.gz", "-rw-r--r--");
        want.put("usr/share/bash-completion/completions/obctl", "-rw-r--r--");
        want.put("usr/share/bash-completion/completions/offload-bridge", "-rw-r--r--");
        want.put("usr/share/doc/offload-bridge/copyright", "-rw-r--r--");
        want.put("usr/share/doc/offload-bridge/changelog.gz", "-rw-r--r--");
        want.put("usr/share/doc/offload-bridge/configuration.md", "-rw-r--r--");
        want.put("usr/share/doc/offload-bridge/obctl.md", "-rw-r--r--");
        want.put("usr/share/lintian/overrides/offload-bridge", "-rw-r--r--");
        want.put("usr/lib/offload-bridge", "drwxr-xr-x");
        want.put("etc/offload-bridge", "drwxr-xr-x");
        want.forEach((path, mode) -> assertEquals(mode, mode(path), path));

        // /usr/bin holds links into the tree; the launchers find their root through readlink -f.
        assertEquals("lrwxrwxrwx", mode("usr/bin/offload-bridge").substring(0, 10));
        assertEquals("../lib/offload-bridge/bin/offload-bridge", ENTRIES.get("usr/bin/offload-bridge")[2]);
        assertEquals("../lib/offload-bridge/bin/obctl", ENTRIES.get("usr/bin/obctl")[2]);

        ENTRIES.forEach((path, e) -> {
            assertEquals("root/root", e[1], path + " belongs to root");
            if (!e[0].startsWith("l")) {
                assertFalse(e[0].charAt(5) == 'w' || e[0].charAt(8) == 'w', path + " is writable by group or others: " + e[0]);
            }
            if (e[0].startsWith("d")) {
                assertEquals("drwxr-xr-x", e[0], path);
            }
        });

        // Every jar of the daemon's runtime class path, and nothing for tests.
        Set<String> jars = new TreeSet<>();
        ENTRIES.keySet().stream().filter(p -> p.startsWith(PREFIX + "lib/") && p.endsWith(".jar"))
            .forEach(p -> jars.add(p.substring((PREFIX + "lib/").length())));
        for (String e : Files.readString(ROOT.resolve("systemd/target/offload-bridge.classpath")).trim().split(":")) {
            // a jar keeps its name; a module of this tree given as its target/classes becomes MODULE-VERSION.jar
            String name = Path.of(e).getFileName().toString();
            String expected = name.endsWith(".jar") ? name : Path.of(e).getParent().getParent().getFileName() + "-";
            assertTrue(jars.stream().anyMatch(j -> j.startsWith(expected)), e + " is not among the jars: " + jars);
        }
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("systemd-")), "the systemd module's own jar: " + jars);
        assertTrue(jars.stream().noneMatch(j -> j.startsWith("testkit") || j.startsWith("junit") || j.contains("archunit")
            || j.endsWith("-tests.jar")), jars.toString());
        // The netlink fault seam is off in the package: no jar provides its injector (docs/reliability.md).
        for (String j : jars) {
            try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(tree.resolve(PREFIX + "lib/" + j).toFile())) {
                assertEquals(null, z.getEntry("META-INF/services/org.offloadbridge.netlink.NetlinkFaultInjector"),
                    j + " provides a netlink fault injector");
                assertEquals(null, z.getEntry("org/offloadbridge/netlink/FaultPlan.class"), j + " holds the tests' FaultPlan");
            }
        }

        // The unit, sysusers file and configuration are the tree's own.
        assertEquals(Files.readString(ROOT.resolve("systemd/offload-bridge.service")), Files.readString(tree.resolve("lib/systemd/system/offload-bridge.service")));
        assertEquals(Files.readString(ROOT.resolve("systemd/offload-bridge.sysusers")), Files.readString(tree.resolve("usr/lib/sysusers.d/offload-bridge.conf")));
        assertEquals(Files.readString(ROOT.resolve("packaging/offload-bridge.conf")), Files.readString(tree.resolve("etc/offload-bridge/offload-bridge.conf")));
    }

    @Test
    void controlFieldsAndMaintainerScripts() throws Exception {
        String arch = Shell.ok("dpkg", "--print-architecture").trim();
        Map<String, String> f = new HashMap<>();
        for (String field : List.of("Package", "Version", "Architecture", "Maintainer", "Depends", "Recommends", "Installed-Size", "Description")) {
            f.put(field, Shell.ok(60, "dpkg-deb", "-f", deb.toString(), field).trim());
        }
        assertEquals("offload-bridge", f.get("Package"));
        assertEquals(arch, f.get("Architecture"));
        assertTrue(f.get("Version").matches("0\\.1\\.0~(git\\d{14}\\.[0-9a-f]+|snapshot)"), f.get("Version"));
        assertEquals("offload-bridge_" + f.get("Version") + "_" + arch + ".deb", deb.getFileName().toString());
        assertTrue(f.get("Depends").matches("libc6 \\(>= 2\\.\\d+\\), systemd \\| systemd-standalone-sysusers \\| systemd-sysusers"), f.get("Depends"));
        assertTrue(Long.parseLong(f.get("Installed-Size")) > 10_000, f.get("Installed-Size"));
        assertFalse(f.get("Maintainer").isEmpty());
        // DPDK is optional: its libraries are recommended, by the package that ships each one the
        // datapath loads (dpdk-path's NativeLibs), plus the drivers it uses (vdev bus, ring
        // mempool, af_packet).
        List<String> recommends = List.of(f.get("Recommends").split(",\\s*"));
        for (String lib : List.of("librte_eal.so.23", "librte_mempool.so.23", "librte_mbuf.so.23", "librte_ethdev.so.23",
            "librte_bus_vdev.so.23", "librte_mempool_ring.so.23", "librte_net_af_packet.so.23")) {
            Shell.Result owner = Shell.run("dpkg", "-S", "*/" + lib);
            if (owner.ok()) { // DPDK is installed here (tools/install-deps): check the name mapping
                String pkg = owner.out().split(":")[0];
                assertTrue(recommends.contains(pkg), lib + " comes from " + pkg + ", not recommended: " + recommends);
            }
        }

        String info = Shell.ok(60, "dpkg-deb", "-I", deb.toString());
        for (String member : List.of("control", "md5sums", "conffiles", "postinst", "prerm", "postrm")) {
            assertTrue(info.contains(" " + member), "control member " + member + ": " + info);
        }
        Path control = dir.resolve("control");
        Shell.ok(60, "dpkg-deb", "-e", deb.toString(), control.toString());
        assertEquals("/etc/offload-bridge/offload-bridge.conf\n", Files.readString(control.resolve("conffiles")));
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertTrue(Files.isExecutable(control.resolve(script)), script);
            Shell.ok("sh", "-n", control.resolve(script).toString());
        }
        String postinst = Files.readString(control.resolve("postinst"));
        assertTrue(postinst.contains("systemd-sysusers") && postinst.contains("daemon-reload"), postinst);
        // Neither enabled nor started on install (only a running daemon is restarted on upgrade).
        assertFalse(postinst.contains("systemctl enable") || postinst.contains("deb-systemd-helper enable")
            || postinst.matches("(?s).*(deb-systemd-invoke|systemctl) (start|restart) .*"), postinst);
        // md5sums covers every file, and matches.
        Shell.ok(60, "sh", "-c", "cd '" + tree + "' && md5sum --quiet -c '" + control.resolve("md5sums") + "'");
    }

    @Test
    void bundledRuntimeIsJava25AndNeedsOnlyLibc() throws Exception {
        Path java = tree.resolve(PREFIX + "runtime/bin/java");
        Shell.Result v = Shell.run(60, java.toString(), "-version");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.err().contains("version \"25"), v.err());
        // The class data sharing archive jlink made still fits the (stripped) JVM: obctl starts faster with it.
        Shell.Result cds = Shell.run(60, java.toString(), "-Xshare:on", "-version");
        assertEquals(0, cds.exit(), cds.toString());
        String modules = Shell.ok(60, java.toString(), "--list-modules");
        for (String m : List.of("java.base", "jdk.unsupported", "jdk.httpserver", "jdk.net")) {
            assertTrue(modules.contains(m + "@"), m + " in " + modules);
        }
        assertFalse(modules.contains("jdk.compiler@") || modules.contains("jdk.jshell@"), "a runtime, not a JDK: " + modules);

        // Every ELF file needs only glibc and the runtime's own libraries: the package depends on libc6.
        List<Path> elves;
        try (Stream<Path> s = Files.walk(tree.resolve(PREFIX))) {
            elves = s.filter(Files::isRegularFile).filter(PackageHostTest::isElf).toList();
        }
        Set<String> own = new TreeSet<>();
        elves.forEach(p -> own.add(p.getFileName().toString()));
        Set<String> glibc = Set.of("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1");
        for (Path elf : elves) {
            for (String line : Shell.ok(60, "objdump", "-p", elf.toString()).lines().filter(l -> l.contains("NEEDED")).toList()) {
                String lib = line.trim().split("\\s+")[1];
                assertTrue(glibc.contains(lib) || own.contains(lib), tree.relativize(elf) + " needs " + lib);
            }
        }
    }

    private static boolean isElf(Path p) {
        try (var in = Files.newInputStream(p)) {
            byte[] m = in.readNBytes(4);
            return m.length == 4 && m[0] == 0x7f && m[1] == 'E' && m[2] == 'L' && m[3] == 'F';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** Runs a command of the extracted tree with an environment where no Java but the bundled one qualifies. */
    private static Shell.Result bundled(String... cmd) {
        List<String> argv = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=" + dir, "JAVA_HOME=/nonexistent",
            "OB_JAVA_OPTS=-XshowSettings:properties"));
        argv.addAll(List.of(cmd));
        return Shell.run(120, argv.toArray(String[]::new));
    }

    private static void assertRanOnBundledRuntime(Shell.Result r) {
        assertTrue(r.err().contains("java.home = " + tree.resolve(PREFIX + "runtime")), "java.home is the bundled runtime: " + r);
    }

    @Test
    void launchersRunOnTheBundledRuntime() throws Exception {
        String ob = tree.resolve("usr/bin/offload-bridge").toString();
        Shell.Result help = bundled(ob, "--help");
        assertEquals(0, help.exit(), help.toString());
        assertTrue(help.out().contains("run") && help.out().contains("check"), help.toString());
        assertRanOnBundledRuntime(help);

        Path conf = tree.resolve("etc/offload-bridge/offload-bridge.conf");
        Shell.Result check = bundled(ob, "check", "-c", conf.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains("is valid"), check.toString());
        assertRanOnBundledRuntime(check);

        // Every commented example in the shipped file is valid too, once uncommented.
        Path all = dir.resolve("examples/offload-bridge.conf");
        Files.createDirectories(all.getParent());
        Files.writeString(all, Files.readString(conf).replaceAll("(?m)^#([a-z\\[])", "$1"));
        Files.writeString(all.resolveSibling("rules.of"), "priority=0,actions=drop\n");
        Shell.Result checkAll = bundled(ob, "check", "-c", all.toString());
        assertEquals(0, checkAll.exit(), checkAll + "\n" + Files.readString(all));

        Shell.Result obctl = bundled(tree.resolve("usr/bin/obctl").toString(), "--version");
        assertEquals(0, obctl.exit(), obctl.toString());
        assertTrue(obctl.out().startsWith("obctl "), obctl.toString());

        // obctl's AOT cache fits the package unpacked somewhere else than where it was recorded
        // (build-deb's staging tree): with AOTMode=on a JVM that cannot use the cache refuses to start.
        assertTrue(Files.size(tree.resolve(PREFIX + "lib/obctl.aot")) > 1 << 20, "lib/obctl.aot is shipped");
        Shell.Result aot = bundled("OBCTL_JAVA_OPTS=-XX:AOTMode=on", tree.resolve("usr/bin/obctl").toString(), "--version");
        assertEquals(0, aot.exit(), "the AOT cache is used: " + aot);
        // A JVM the cache does not fit (another runtime through JAVA_HOME) runs without it, and
        // says nothing of it on stderr, which scripts read.
        String jdk = System.getProperty("java.home");
        Shell.Result other = Shell.run(60, "env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk, tree.resolve("usr/bin/obctl").toString(), "--version");
        assertEquals(0, other.exit(), other.toString());
        assertEquals("", other.err(), other.toString());
        Shell.Result strict = Shell.run(60, "env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=" + jdk, "OBCTL_JAVA_OPTS=-XX:AOTMode=on",
            tree.resolve("usr/bin/obctl").toString(), "--version");
        assertTrue(strict.exit() != 0 && (strict.out() + strict.err()).contains("Unable to use AOT cache"), "the cache does not fit another runtime: " + strict);

        // java.sh on its own: with JAVA_HOME too old or absent, the bundled runtime and nothing else.
        String jre = Shell.ok(60, "env", "-i", "PATH=/usr/bin:/bin", "bash", "-c",
            "root='" + tree.resolve("usr/lib/offload-bridge") + "' prog=t; . \"$root/bin/lib/java.sh\"; echo \"$JRE\"").trim();
        assertEquals(tree.resolve(PREFIX + "runtime").toString(), jre);
    }

    @Test
    void daemonRunsFromThePackageAndObctlAndCompletionReachIt() throws Exception {
        Path sock = dir.resolve("run/obctl.sock");
        Path conf = dir.resolve("run/offload-bridge.conf");
        Files.createDirectories(conf.getParent());
        // The shipped file (no port), with the socket here and no metrics listener.
        Files.writeString(conf, Files.readString(tree.resolve("etc/offload-bridge/offload-bridge.conf"))
            + "\n[control]\nsocket = \"" + sock + "\"\ngroup = \"root\"\n\n[metrics]\nlisten = \"\"\n");
        Shell.Background daemon = Shell.start("env", "-i", "PATH=/usr/bin:/bin", "JAVA_HOME=/nonexistent",
            tree.resolve("usr/bin/offload-bridge").toString(), "run", "-c", conf.toString());
        try {
            for (int i = 0; i < 300 && !Files.exists(sock); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(sock), "control socket up: " + daemon.output());
            String maps = Files.readString(Path.of("/proc/" + daemon.pid() + "/maps"));
            assertTrue(maps.contains(tree.resolve(PREFIX + "runtime/lib/server/libjvm.so").toString()), "runs on the bundled JVM");
            assertTrue(maps.contains(tree.resolve(PREFIX + "lib/native/libjnidispatch.so").toString()),
                "JNA's stub is the package's file, not a copy unpacked into /tmp");

            Shell.Result list = bundled(tree.resolve("usr/bin/obctl").toString(), "-s", sock.toString(), "list-commands");
            assertEquals(0, list.exit(), list.toString());
            assertEquals(CommandCatalog.listing(), list.out());

            // Completion asks this daemon (its answer is cached in _obctl_cache) and completes from it.
            String out = complete("obctl", "obctl -s " + sock + " dump-f", "echo \"cache=${#_obctl_cache}\"");
            assertTrue(out.contains("dump-flows|") && !out.contains("cache=0"), out);
        } finally {
            assertTrue(daemon.stop(30), "stops on SIGTERM");
        }
        String log = daemon.finish(0);
        assertEquals(143, daemon.exit(), log);
        assertTrue(log.contains("ready: 0 ports"), log);
    }

    /**
     * Sources the packaged completion script for {@code program} in a clean bash and completes
     * {@code line} as if TAB were pressed at its end; returns the candidates, each followed by
     * '|', then what {@code after} prints.
     */
    private static String complete(String program, String line, String after) {
        Path script = tree.resolve("usr/share/bash-completion/completions/" + program);
        String fn = program.equals("obctl") ? "_obctl" : "_complete_offload-bridge";
        String bash = """
            compopt() { :; }   # only meaningful inside real completion; the candidates are what matter here
            . "$1" || exit 9
            COMP_LINE=$2; COMP_POINT=${#2}
            read -ra COMP_WORDS <<<"$2"; [[ $2 == *' ' ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMPREPLY=()
            %s "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%%s|' "${COMPREPLY[@]}"; echo
            %s
            """.formatted(fn, after);
        Shell.Result r = Shell.run(60, "env", "-i", "PATH=" + tree.resolve("usr/bin") + ":/usr/bin:/bin", "HOME=" + dir,
            "bash", "--norc", "--noprofile", "-c", bash, "complete-test", script.toString(), line);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err(), "the completion script runs without a word on stderr: " + r);
        return r.out();
    }

    @Test
    void completionScriptsComplete() throws Exception {
        for (String program : List.of("obctl", "offload-bridge")) {
            Shell.ok("bash", "-n", tree.resolve("usr/share/bash-completion/completions/" + program).toString());
        }
        // No daemon at the default socket: the command list built into the script.
        assertEquals("dump-flows|\n", complete("obctl", "obctl dump-f", ""));
        assertEquals(String.join("|", CommandCatalog.names()) + "|\n", complete("obctl", "obctl ", ""));
        assertEquals("type=offloaded|type=non-offloaded|type=tc|type=dpdk|type=slow|type=all|\n",
            complete("obctl", "obctl dump-flows ty", ""));
        // Bash keeps what precedes the last '=' (COMP_WORDBREAKS): the candidates are what follows it.
        assertEquals("tc,dpdk|\n", complete("obctl", "obctl dump-flows type=tc,d", ""));
        assertEquals("-m|--json|\n", complete("obctl", "obctl dump-flows type=tc -", "").replace("--help|", ""));
        assertEquals("hw-offload=true|hw-offload=false|\n", complete("obctl", "obctl set hw", ""));
        assertEquals("skip_sw|skip_hw|\n", complete("obctl", "obctl set tc-policy=s", ""));
        assertEquals("--socket|--timeout|\n", complete("obctl", "obctl --", "").replace("--help|", "").replace("--version|", ""));

        assertEquals("check|\n", complete("offload-bridge", "offload-bridge ch", ""));
        assertEquals("--config|\n", complete("offload-bridge", "offload-bridge check --c", ""));
        String files = complete("offload-bridge", "offload-bridge check --config " + tree.resolve("etc/offload-bridge/offload-b"), "");
        assertEquals(tree.resolve("etc/offload-bridge/offload-bridge.conf") + "|\n", files);
    }

    @Test
    void manPagesRenderWithoutWarnings() throws Exception {
        Map<String, String> pages = Map.of("usr/share/man/man8/offload-bridge.8.gz", "OFFLOAD-BRIDGE(8)",
            "usr/share/man/man8/obctl.8.gz", "OBCTL(8)", "usr/share/man/man5/offload-bridge.conf.5.gz", "OFFLOAD-BRIDGE.CONF(5)");
        for (var e : pages.entrySet()) {
            Path page = tree.resolve(e.getKey());
            Shell.Result groff = Shell.run(60, "sh", "-c", "zcat '" + page + "' | groff -man -Tascii -ww -rLL=80n");
            assertEquals(0, groff.exit(), groff.toString());
            assertEquals("", groff.err(), page + " renders without warnings");
            assertTrue(groff.out().contains(e.getValue()) && !groff.out().contains("@VERSION@") && !groff.out().contains("@DATE@"), groff.out());
            if (new File("/usr/bin/man").canExecute()) { // man-db: what lintian runs
                Shell.Result man = Shell.run(60, "env", "MANWIDTH=80", "man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page.toString());
                assertEquals(0, man.exit(), man.toString());
                assertEquals("", man.err(), page + ": " + man.err());
            }
        }
        // obctl(8) describes every command the daemon registers.
        String obctl = Shell.ok(60, "sh", "-c", "zcat '" + tree.resolve("usr/share/man/man8/obctl.8.gz") + "' | groff -man -Tascii -P-cbou -rLL=200n");
        for (String command : CommandCatalog.names()) {
            assertTrue(obctl.contains("\n       " + command), "obctl(8) documents " + command);
        }
    }
}
