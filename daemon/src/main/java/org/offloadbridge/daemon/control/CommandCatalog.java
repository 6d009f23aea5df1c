package org.offloadbridge.daemon.control;

import java.util.List;

/**
 * The commands a running daemon answers, known without one: obctl's bash completion offers
 * them (and the fixed words in their usage) when no daemon is up to be asked. The daemon's
 * {@code obctl list-commands} stays the truth; {@code DaemonCommandsCatalogTest} fails as soon
 * as {@code DaemonCommands.register} and this table disagree on a name or a usage, so a new
 * command is added here in the same change.
 *
 * <p>{@link #main} prints the table exactly as {@code list-commands} does; packaging/build-deb
 * bakes that text into {@code /usr/share/bash-completion/completions/obctl}, whose parser then
 * reads the live and the built-in list the same way.
 */
public final class CommandCatalog {
    /** One command: its name and the usage text it is registered with (as {@code ControlServer.register} takes it). */
    public record Entry(String name, String usage) {
    }

    /** In {@code list-commands} order (sorted by name, as the server's TreeMap holds them). */
    public static final List<Entry> COMMANDS = List.of(
        new Entry("add-flow", "RULE"),
        new Entry("add-flows", "FILE"),
        new Entry("check", ""),
        new Entry("coverage/show", ""),
        new Entry("del-flows", "[--strict] [MATCH]"),
        new Entry("dpif/show", ""),
        new Entry("dump-flows", "[type=offloaded|non-offloaded|tc|dpdk|slow|all[,...]] [-m] [--json]"),
        new Entry("dump-rules", "[--no-stats] [MATCH]"),
        new Entry("explain", "UFID|FLOW"),
        new Entry("list-commands", ""),
        new Entry("reload", "[--allow-empty]"),
        new Entry("replace-flows", "[--allow-empty] FILE"),
        new Entry("set", "hw-offload=true|false | tc-policy=none|skip_sw|skip_hw"),
        new Entry("trace", "FLOW"),
        new Entry("upcall/show", ""),
        new Entry("vlog/list", ""),
        new Entry("vlog/set", "[MODULE:]LEVEL"));

    private CommandCatalog() {
    }

    /** The command names, in order. */
    public static List<String> names() {
        return COMMANDS.stream().map(Entry::name).toList();
    }

    /** The table as {@code obctl list-commands} prints it. */
    public static String listing() {
        StringBuilder sb = new StringBuilder("The available commands are:\n");
        for (Entry e : COMMANDS) {
            sb.append("  ").append(e.name()).append(e.usage().isEmpty() ? "" : " " + e.usage()).append('\n');
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        System.out.print(listing());
    }
}
