package org.offloadbridge.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.offloadbridge.daemon.config.CheckCommand;
import org.offloadbridge.daemon.config.ConfigError;
import org.offloadbridge.daemon.control.CommandHandler;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.flow.Excerpt;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.upcall.pipeline.Pipeline;
import org.offloadbridge.upcall.pipeline.Rule;
import org.offloadbridge.upcall.pipeline.RuleFormat;
import org.offloadbridge.upcall.pipeline.RuleSelector;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/**
 * The rule commands, as {@code ovs-ofctl} has them: {@code add-flow RULE}, {@code add-flows FILE},
 * {@code del-flows [--strict] [MATCH]}, {@code replace-flows FILE} and {@code dump-rules} (OVS's
 * {@code dump-flows}; ours is the name of the datapath dump). They change the running pipeline
 * only: nothing is written to the rules file, and a reload (obctl reload, SIGHUP) replaces the
 * rules with the file's, as OVS forgets {@code ovs-ofctl add-flow} when its controller pushes
 * its own. Every change is atomic: a file with one bad line changes nothing.
 *
 * <p>Exit status: a RULE or MATCH argument that does not parse, a missing or extra argument and
 * an unknown option are usage errors (2), the message naming the argument; a FILE with bad lines
 * fails (1) listing every bad line as {@code FILE:line:column: message}.
 *
 * <p>obctl reads FILE itself ({@code -} is standard input) and sends its text with the request, so
 * the daemon needs no access to the operator's files (the unit gives it a private /tmp and no
 * /home). A client that sends no text has the daemon read FILE, which must then be absolute.
 */
public final class RuleCommands {
    static final String RUNTIME_ONLY = "(runtime only: the rules file is unchanged, and obctl reload replaces these rules with its own)";

    private final Pipeline pipeline;
    private final MonotonicClock clock;

    public RuleCommands(Pipeline pipeline, MonotonicClock clock) {
        this.pipeline = pipeline;
        this.clock = clock;
    }

    /** Registers the five commands on {@code s}. */
    public void register(ControlServer s) {
        s.register("add-flow", "RULE", """
            Adds one rule in ovs-ofctl syntax (quote it), replacing a rule of the same table, priority and match;
            its counters and duration start at zero. """ + RUNTIME_ONLY, this::addFlow);
        s.register("add-flows", "FILE", """
            Adds every rule of FILE (one per line, '#' comments; '-' reads standard input) at once: any bad line
            and nothing is added. """ + RUNTIME_ONLY, (CommandHandler.WithInput) this::addFlows);
        s.register("del-flows", "[--strict] [MATCH]", """
            Deletes every rule MATCH covers (ovs-ofctl semantics: a rule at least as specific as MATCH, in any table
            unless table= is given, any priority; cookie=V/M selects by cookie); no MATCH deletes every rule.
            --strict deletes only the rule with exactly MATCH and its priority (default 32768). """ + RUNTIME_ONLY,
            this::delFlows);
        s.register("replace-flows", "[--allow-empty] FILE", """
            Replaces all rules with FILE's at once (ovs-ofctl replace-flows): a rule FILE keeps unchanged keeps its
            counters and duration; any bad line and nothing changes. A FILE with no rules (empty, or only comments)
            would remove every rule: refused while rules are loaded, unless --allow-empty is given. """ + RUNTIME_ONLY,
            (CommandHandler.WithInput) this::replaceFlows);
        s.register("dump-rules", "[--no-stats] [MATCH]", """
            Prints each rule as ovs-ofctl dump-flows does, MATCH narrowing them as del-flows selects:
             cookie=0x0, duration=12.345s, table=0, n_packets=3, n_bytes=294, priority=10,in_port=p1 actions=output:p2
            n_packets/n_bytes sum the packets of every datapath flow whose translation hit the rule (pushed by the
            revalidators each round, so up to max-revalidator behind); duration is since the rule was added.""",
            this::dumpRules);
    }

    Reply addFlow(List<String> args) {
        String bad = firstOption(args, List.of());
        if (bad != null) {
            return Reply.usage("unknown option \"" + Excerpt.escape(bad, 80) + "\"");
        }
        if (args.isEmpty()) {
            return Reply.usage("missing RULE (e.g. obctl add-flow 'priority=10,in_port=p1,actions=output:p2')");
        }
        if (args.size() > 1) {
            return Reply.usage("takes one RULE; quote it: unexpected argument \"" + Excerpt.escape(args.get(1), 80) + "\"");
        }
        try {
            pipeline.addRule(args.get(0));
        } catch (RuleSyntaxException e) {
            return Reply.usage("RULE " + pointAt(args.get(0), e));
        }
        return Reply.ok("1 rule added " + RUNTIME_ONLY + "\n");
    }

    Reply addFlows(List<String> args, String input) {
        Object parsed = readRules(args, input, List.of("-"));
        if (parsed instanceof Reply r) {
            return r;
        }
        @SuppressWarnings("unchecked")
        List<Rule> rules = (List<Rule>) parsed;
        pipeline.addRules(rules);
        return Reply.ok(rules.size() + (rules.size() == 1 ? " rule" : " rules") + " added " + RUNTIME_ONLY + "\n");
    }

    Reply replaceFlows(List<String> args, String input) {
        Object parsed = readRules(args, input, List.of("-", Reloader.ALLOW_EMPTY));
        if (parsed instanceof Reply r) {
            return r;
        }
        @SuppressWarnings("unchecked")
        List<Rule> rules = (List<Rule>) parsed;
        int loaded = pipeline.rules().size();
        if (rules.isEmpty() && loaded > 0 && !args.contains(Reloader.ALLOW_EMPTY)) {
            // an empty or truncated file (or '-' with nothing piped in) would silently remove every rule
            return Reply.failed(Excerpt.escape(fileArg(args), 200) + ": " + Reloader.emptyReplacement(loaded,
                "obctl replace-flows " + Reloader.ALLOW_EMPTY + " FILE") + "; nothing changed\n");
        }
        java.util.Set<Object> before = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Rule b : pipeline.rules()) {
            before.add(b.stats());
        }
        List<Rule> now = pipeline.replaceRules(rules);
        long kept = now.stream().filter(n -> before.contains(n.stats())).count();
        return Reply.ok("rules replaced: " + now.size() + " now, " + kept + " of them unchanged (their counters kept), "
            + (before.size() - kept) + " removed or replaced " + RUNTIME_ONLY + "\n");
    }

    Reply delFlows(List<String> args) {
        Object sel = selection("--strict", args);
        if (sel instanceof Reply r) {
            return r;
        }
        Selection s = (Selection) sel;
        Predicate<Rule> which = s.flag() ? s.selector()::selectsStrict : s.selector()::covers;
        int n = pipeline.deleteRules(which);
        return Reply.ok(n + (n == 1 ? " rule" : " rules") + " deleted " + RUNTIME_ONLY + "\n");
    }

    Reply dumpRules(List<String> args) {
        Object parsed = selection("--no-stats", args);
        if (parsed instanceof Reply r) {
            return r;
        }
        boolean stats = !((Selection) parsed).flag();
        RuleSelector sel = ((Selection) parsed).selector();
        List<Rule> rules = new ArrayList<>(pipeline.rules());
        // As OVS lists them: by table, then as the classifier tries them (priority, then load order).
        rules.sort(Comparator.comparingInt(Rule::table).thenComparing(Comparator.comparingInt(Rule::priority).reversed()));
        var ports = pipeline.ports();
        long now = clock.millis();
        StringBuilder out = new StringBuilder(rules.size() * 100);
        for (Rule r : rules) {
            if (sel.covers(r)) {
                out.append(stats ? RuleFormat.dumpLine(r, ports, now) : RuleFormat.noStats(r, ports)).append('\n');
            }
        }
        return Reply.ok(out.toString());
    }

    /** {@code [FLAG] [MATCH]} read. */
    private record Selection(boolean flag, RuleSelector selector) {
    }

    /** {@code [FLAG] [MATCH]}: whether FLAG was given and the rules MATCH selects (all without one), or the usage reply. */
    private Object selection(String flag, List<String> args) {
        boolean given = false;
        List<String> rest = new ArrayList<>();
        for (String a : args) {
            if (a.equals(flag)) {
                given = true;
            } else if (a.startsWith("-")) {
                return Reply.usage("unknown option \"" + Excerpt.escape(a, 80) + "\" (known: " + flag + ")");
            } else {
                rest.add(a);
            }
        }
        if (rest.size() > 1) {
            return Reply.usage("takes one MATCH; quote it: unexpected argument \"" + Excerpt.escape(rest.get(1), 80) + "\"");
        }
        try {
            return new Selection(given, rest.isEmpty() ? RuleSelector.ALL : pipeline.parser().parseSelector(rest.get(0)));
        } catch (RuleSyntaxException e) {
            return Reply.usage("MATCH " + pointAt(rest.get(0), e));
        }
    }

    /**
     * FILE's rules, parsed, or the reply that says why not: a usage error for the arguments, a
     * failure listing every bad line.
     */
    private Object readRules(List<String> args, String input, List<String> allowed) {
        String bad = firstOption(args, allowed);
        if (bad != null) {
            return Reply.usage("unknown option \"" + Excerpt.escape(bad, 80) + "\"");
        }
        List<String> files = files(args);
        if (files.size() != 1) {
            return Reply.usage(files.isEmpty() ? "missing FILE (a rules file; - for standard input)"
                : "takes one FILE: unexpected argument \"" + Excerpt.escape(files.get(1), 80) + "\"");
        }
        String name = files.get(0);
        String text = input;
        if (text == null) {
            // The daemon reads no file a request names: a client with the socket could otherwise
            // make it read (and echo, in parse errors) any file it may read. obctl reads FILE
            // itself, with the caller's rights, and sends the text.
            return Reply.usage("FILE's text must come with the request (obctl sends it); the daemon does not read \""
                + Excerpt.escape(name, 80) + "\" itself");
        }
        List<ConfigError> errors = new ArrayList<>();
        CheckCommand.checkRules(Path.of(name), text, pipeline.ports(), pipeline.offloadDefault(), "", errors);
        if (!errors.isEmpty()) {
            return Reply.failed(ConfigError.nothingChanged(errors));
        }
        try {
            return pipeline.parser().parseFile(text);
        } catch (RuleSyntaxException e) {
            return Reply.failed(Excerpt.escape(name, 200) + ":" + e.line() + ":" + e.column() + ": " + e.reason() + "; nothing changed\n");
        }
    }

    /** The arguments that are not options: FILE ({@code -} is one). */
    private static List<String> files(List<String> args) {
        List<String> out = new ArrayList<>(1);
        for (String a : args) {
            if (a.equals("-") || !a.startsWith("-")) {
                out.add(a);
            }
        }
        return out;
    }

    /** FILE as given, for messages. */
    private static String fileArg(List<String> args) {
        List<String> f = files(args);
        return f.isEmpty() ? "FILE" : f.get(0);
    }

    /** The first argument that looks like an option and is not one of {@code allowed}, or null. */
    private static String firstOption(List<String> args, List<String> allowed) {
        for (String a : args) {
            if (a.startsWith("-") && !a.equals("-") && !allowed.contains(a)) {
                return a;
            }
        }
        return null;
    }

    /**
     * "column 12: unknown field ..." with the text around the column (at most 40 characters
     * either side, escaped) and a caret under it: a rule may be 100 KiB long or carry control
     * characters, and the reply is printed on the operator's terminal.
     */
    static String pointAt(String text, RuleSyntaxException e) {
        return "column " + e.column() + ": " + e.reason() + "\n" + Excerpt.pointAt(text, e.column(), 40, "  ");
    }
}
