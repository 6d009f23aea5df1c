package org.offloadbridge.daemon.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.offloadbridge.flow.OffloadPreference;
import org.offloadbridge.upcall.pipeline.BridgePort;
import org.offloadbridge.upcall.pipeline.PortTable;
import org.offloadbridge.upcall.pipeline.RuleParser;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code offload-bridge check}: validate a configuration and a rules file the way
 * {@code nginx -t} and {@code ovs-ofctl parse-flows} do — no daemon, no kernel, every error
 * printed as {@code file:line:column: message}, exit status 1 on any.
 *
 * <p>The rules file is the one {@code --rules} names, else the config's {@code rules-file}.
 * Rules are parsed line by line so that every bad line is reported, not only the first (the
 * rule parser's own file method stops at the first). Port names in rules resolve against the
 * config's named ports; representors of an {@code eswitch} port exist only in a running daemon,
 * so a rule naming one is reported with that said.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate the configuration and the rules file without a daemon and without touching the kernel; "
                + "print every error as file:line:column and exit 1 if there is any.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:everything is valid", "1:at least one error (each is printed)", "2:usage error"})
public final class CheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "configuration file (default: ${DEFAULT-VALUE})")
    Path config = Config.DEFAULT_PATH;

    @Option(names = {"-r", "--rules"}, paramLabel = "FILE",
            description = "rules file to check instead of the config's rules-file")
    Path rules;

    @Option(names = {"-q", "--quiet"}, description = "print only errors")
    boolean quiet;

    private final ConfigParser parser;

    public CheckCommand() {
        this(new ConfigParser());
    }

    CheckCommand(ConfigParser parser) {
        this.parser = parser;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<ConfigError> errors = new ArrayList<>();
        Config cfg = null;
        boolean configGiven = spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption("--config");
        if (configGiven || Files.exists(config) || rules == null) {
            try {
                cfg = parser.parse(config);
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        Path rulesPath = rules != null ? rules : cfg == null ? null : cfg.rulesFile().orElse(null);
        int ruleCount = -1;
        if (rulesPath != null) {
            List<ConfigError> ruleErrors = new ArrayList<>();
            ruleCount = checkRules(rulesPath, cfg, ruleErrors);
            errors.addAll(ruleErrors);
        }
        for (ConfigError e : errors) {
            err.println(e);
        }
        if (!quiet) {
            if (cfg != null) {
                out.println("offload-bridge: configuration file " + config + " is valid");
            }
            if (rulesPath != null && ruleCount >= 0 && errors.stream().noneMatch(e -> e.file().equals(rulesPath))) {
                out.println("offload-bridge: rules file " + rulesPath + " is valid (" + ruleCount + (ruleCount == 1 ? " rule)" : " rules)"));
            }
            if (!errors.isEmpty()) {
                err.println("offload-bridge: " + errors.size() + (errors.size() == 1 ? " error" : " errors"));
            }
        }
        out.flush();
        err.flush();
        return errors.isEmpty() ? 0 : 1;
    }

    /**
     * Parses every rule line of {@code file}, adding one error per bad line.
     *
     * @return the number of rule lines (good or bad), or -1 when the file cannot be read
     */
    static int checkRules(Path file, Config cfg, List<ConfigError> errors) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.add(new ConfigError(file, 0, 0, "", "cannot read the rules file: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.toString())));
            return -1;
        }
        boolean eswitchPorts = cfg != null && cfg.ports().stream().anyMatch(p -> p instanceof Config.EswitchPorts);
        String hint = cfg == null ? " (no configuration was read, so no port names are known; use numbers or --config)"
                : eswitchPorts ? " (not a named [[port]]; representors of an eswitch port are known only to the running daemon)"
                : " (not a [[port]] name in " + cfg.source() + ")";
        return checkRules(file, text, portTable(cfg), cfg == null ? OffloadPreference.PREFERRED : cfg.offloadDefault(), hint,
                errors);
    }

    /**
     * Parses every rule line of {@code text} (the content of {@code file}) against {@code ports},
     * adding one error per bad line as {@code file:line:column: message}; {@code unknownPortHint}
     * is appended to "unknown port" errors. Returns the number of rule lines (good or bad).
     */
    public static int checkRules(Path file, String text, PortTable ports, OffloadPreference offloadDefault,
                                 String unknownPortHint, List<ConfigError> errors) {
        RuleParser rp = new RuleParser(ports, offloadDefault);
        String[] lines = text.split("\r?\n", -1);
        int count = 0;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.isEmpty() || t.charAt(0) == '#') {
                continue; // the same lines RuleParser.parseFile skips
            }
            count++;
            try {
                rp.parseLine(lines[i], i + 1);
            } catch (RuleSyntaxException e) {
                String reason = e.reason();
                if (reason.startsWith("unknown port")) {
                    reason += unknownPortHint;
                }
                errors.add(new ConfigError(file, e.line(), e.column(), "", reason));
            }
        }
        return count;
    }

    /**
     * The configured named ports as the rule parser sees them. OpenFlow numbers: the configured
     * one, else the lowest free number, in file order (what the port registry does); datapath
     * numbers are only known to a running daemon, any distinct ones do for parsing.
     */
    static PortTable portTable(Config cfg) {
        if (cfg == null) {
            return PortTable.empty();
        }
        Set<Integer> taken = new HashSet<>();
        for (Config.PortSpec p : cfg.ports()) {
            if (p instanceof Config.NamedPort n) {
                n.ofPort().ifPresent(taken::add);
            } else if (p instanceof Config.TunnelPort t) {
                t.ofPort().ifPresent(taken::add);
            }
        }
        List<BridgePort> ports = new ArrayList<>();
        for (Config.PortSpec p : cfg.ports()) {
            if (p instanceof Config.NamedPort n) {
                ports.add(new BridgePort(n.name(), ofPort(n.ofPort(), taken), ports.size() + 1));
            }
        }
        // Then the tunnel ports, as the daemon numbers them: after the named ports, one datapath
        // port per UDP port (their VXLAN device).
        Map<Integer, Integer> deviceDp = new java.util.HashMap<>();
        int plain = ports.size();
        for (Config.PortSpec p : cfg.ports()) {
            if (p instanceof Config.TunnelPort t) {
                int dp = deviceDp.computeIfAbsent(t.dstPort(), k -> plain + deviceDp.size() + 1);
                ports.add(new BridgePort(t.name(), ofPort(t.ofPort(), taken), dp, t.pipelineTunnel()));
            }
        }
        return new PortTable(ports);
    }

    /** The configured OpenFlow number, else the lowest free one (taken from then on), as the port registry numbers. */
    private static int ofPort(java.util.Optional<Integer> configured, Set<Integer> taken) {
        if (configured.isPresent()) {
            return configured.get();
        }
        int of = 1;
        while (taken.contains(of)) {
            of++;
        }
        taken.add(of);
        return of;
    }
}
