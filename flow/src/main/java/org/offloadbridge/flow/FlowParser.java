package org.offloadbridge.flow;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the datapath-flow text {@link FlowFormat} prints — and that OVS's
 * {@code dpctl/dump-flows [-m] [--names]} prints — back into keys, masks, actions and whole
 * {@link DpFlow} lines. Attributes may come in any order; a field given without a mask is
 * exact, a field left out is wildcarded. Errors are {@link FlowParseException}s with the
 * column, what was expected there and a short escaped excerpt of the input.
 *
 * <p>This class is the public face and reads the line around the match and the actions
 * (ufid, statistics); {@link MatchParser} reads the match, {@link ActionsParser} the actions,
 * {@link TextCursor} the tokens and values (ASCII digits only, as OVS).
 *
 * <p>Refused besides bad syntax: text longer than {@link #MAX_TEXT_LENGTH}, more than
 * {@link #MAX_ACTIONS} actions, a repeated attribute, field or item, and layers that
 * contradict each other ({@code ipv4(proto=17),tcp(dst=80)}; see {@link LayerCheck}).
 *
 * <p>Control-plane code (CLI, tests, reconciliation): allocates freely.
 */
public final class FlowParser {
    /**
     * Longest text accepted, in chars: twice the longest line a kernel datapath flow can print
     * ({@link #MAX_ACTIONS} outputs to 15-character port names is 64 KiB, plus the match), so
     * every real dump line fits and megabytes of junk are refused before any work.
     */
    public static final int MAX_TEXT_LENGTH = 128 * 1024;

    /**
     * Most actions in one list. The kernel's openvswitch datapath holds at most
     * {@code MAX_ACTIONS_BUFSIZE} = 32 KiB of netlink actions per flow and an output action
     * takes 8 bytes there, so no datapath flow has more than 4096 outputs (a flood over a big
     * bridge is the long list in practice). Layers hold less: tc takes 16 actions per filter
     * and refuses more itself.
     */
    public static final int MAX_ACTIONS = 4096;

    private final TextCursor t;
    private final PortNames names;

    private FlowParser(String s, PortNames names) {
        this.t = new TextCursor(s);
        this.names = names == null ? PortNames.NONE : names;
    }

    private static FlowParser of(String text, PortNames names) {
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new FlowParseException(MAX_TEXT_LENGTH + 1, "text of " + text.length() + " characters is longer than the limit of "
                    + MAX_TEXT_LENGTH, text);
        }
        return new FlowParser(text.strip(), names);
    }

    /** Parses one dump line: {@code [ufid:…, ]match, packets:…, bytes:…, used:…[, …], actions:…[, dp-extra-info:…]}. */
    public static DpFlow parseFlow(String line, PortNames names) {
        return of(line, names).flow();
    }

    /** Parses a match ({@code recirc_id(0),in_port(2),eth(…),…}) into {@code key} and {@code mask} (both cleared first). */
    public static void parseMatch(String text, PortNames names, FlowKey key, FlowMask mask) {
        FlowParser p = of(text, names);
        key.clear();
        mask.clear();
        p.match().parse(key, mask, p.t.s.length());
        p.t.expectEnd(p.t.s.length());
    }

    /** Parses an action list ({@code drop}, {@code push_vlan(vid=10,pcp=0),3}, …). */
    public static Actions parseActions(String text, PortNames names) {
        FlowParser p = of(text, names);
        Actions a = p.actions().parse(p.t.s.length());
        p.t.expectEnd(p.t.s.length());
        return a;
    }

    private MatchParser match() { return new MatchParser(t, names); }

    private ActionsParser actions() { return new ActionsParser(t, names); }

    // ---------------------------------------------------------------- line

    private DpFlow flow() {
        String s = t.s;
        Ufid ufid = null;
        if (s.startsWith("ufid:")) {
            int end = s.indexOf(',');
            if (end < 0) {
                throw t.error(1, "expected ', ' after the ufid");
            }
            ufid = ufid(end);
            t.pos = end;
            t.expect(", ");
        }
        int matchEnd = t.topLevel(", ", t.pos);
        if (matchEnd < 0) {
            throw t.error(t.pos + 1, "expected ', packets:' after the match");
        }
        FlowKey key = new FlowKey();
        FlowMask mask = new FlowMask();
        match().parse(key, mask, matchEnd);
        t.expectEnd(matchEnd);
        t.expect(", ");
        long packets = -1;
        long bytes = -1;
        long used = Long.MIN_VALUE;
        int tcpFlags = 0;
        String offloaded = null;
        String dp = null;
        Actions actions = null;
        String extra = null;
        Map<String, Integer> seen = new HashMap<>();
        while (t.pos < s.length()) {
            int itemStart = t.pos;
            int colon = s.indexOf(':', t.pos);
            if (colon < 0) {
                throw t.error(t.pos + 1, "expected 'name:value' (packets, bytes, used, flags, offloaded, dp, actions)");
            }
            String name = s.substring(t.pos, colon);
            Integer first = seen.putIfAbsent(name, itemStart + 1);
            if (first != null) {
                throw t.error(itemStart + 1, "duplicate " + t.quote(itemStart, colon + 1) + ", first given at column " + first);
            }
            t.pos = colon + 1;
            if (name.equals("actions")) {
                int end = t.topLevel(", dp-extra-info:", t.pos);
                actions = actions().parse(end < 0 ? s.length() : end);
                t.expectEnd(end < 0 ? s.length() : end);
                if (end >= 0) {
                    t.pos = end + ", dp-extra-info:".length();
                    extra = s.substring(t.pos);
                    t.pos = s.length();
                }
                break;
            }
            int end = t.topLevel(", ", t.pos);
            if (end < 0) {
                end = s.length();
            }
            String value = s.substring(t.pos, end);
            switch (name) {
                case "packets" -> packets = t.parseDecimal(t.pos, end);
                case "bytes" -> bytes = t.parseDecimal(t.pos, end);
                case "used" -> used = parseUsed(t.pos, end);
                case "flags" -> tcpFlags = parseTcpFlagLetters(t.pos, end);
                case "offloaded" -> offloaded = value;
                case "dp" -> dp = value;
                default -> throw t.error(itemStart + 1, "unknown item " + t.quote(itemStart, colon + 1)
                        + " (expected packets, bytes, used, flags, offloaded, dp or actions)");
            }
            t.pos = end;
            if (t.pos < s.length()) {
                t.expect(", ");
            }
        }
        if (packets < 0 || bytes < 0 || used == Long.MIN_VALUE) {
            throw t.error(s.length() + 1, "missing " + (packets < 0 ? "packets:" : bytes < 0 ? "bytes:" : "used:"));
        }
        if (actions == null) {
            throw t.error(s.length() + 1, "missing actions:");
        }
        return new DpFlow(ufid, key, mask, packets, bytes, used, tcpFlags, offloaded, dp, actions, extra);
    }

    /** {@code ufid:} and 36 ASCII hex digits and dashes in [0, end); checked here so errors stay short and ASCII. */
    private Ufid ufid(int end) {
        String s = t.s;
        int digits = "ufid:".length();
        if (end - digits != 36) {
            throw t.error(digits + 1, "bad ufid (expected 36 characters xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, got " + (end - digits) + ")");
        }
        for (int i = digits; i < end; i++) {
            char c = s.charAt(i);
            if (c != '-' && TextCursor.hexDigit(c) < 0) {
                throw t.error(i + 1, "bad ufid (expected a hex digit or '-', got " + t.quote(i, i + 1) + ")");
            }
        }
        try {
            return Ufid.parse(s.substring(0, end));
        } catch (IllegalArgumentException e) {
            throw t.error(1, "bad ufid (" + e.getMessage() + ")");
        }
    }

    private long parseUsed(int from, int to) {
        String s = t.s;
        if (s.startsWith("never", from) && to - from == 5) {
            return -1;
        }
        if (to == from || s.charAt(to - 1) != 's') {
            throw t.error(from + 1, "expected 'never' or seconds like 0.512s for used:");
        }
        int n = to - 1;
        int dot = t.indexOf('.', from, n);
        try {
            if (dot < 0) {
                return Math.multiplyExact(t.parseDecimal(from, n), 1000);
            }
            long secs = t.parseDecimal(from, dot);
            long frac = dot + 1 == n ? 0 : t.parseDecimal(dot + 1, n);
            // milliseconds: the first three digits after the dot
            int digits = n - dot - 1;
            for (int i = digits; i < 3; i++) {
                frac *= 10;
            }
            for (int i = digits; i > 3; i--) {
                frac /= 10;
            }
            return Math.addExact(Math.multiplyExact(secs, 1000), frac);
        } catch (ArithmeticException e) {
            throw t.error(from + 1, "expected seconds like 0.512s for used:, got " + t.quote(from, to));
        }
    }

    private int parseTcpFlagLetters(int from, int to) {
        String s = t.s;
        if (s.startsWith("none", from) && to - from == 4) {
            return 0;
        }
        int f = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            switch (c) {
                case 'S' -> f |= 0x002;
                case 'F' -> f |= 0x001;
                case 'P' -> f |= 0x008;
                case 'R' -> f |= 0x004;
                case 'U' -> f |= 0x020;
                case '.' -> f |= 0x010;
                case 'E' -> f |= 0x040;
                case 'C' -> f |= 0x080;
                case 'N' -> f |= 0x100;
                case '[' -> {
                    int close = t.indexOf(']', i, to);
                    if (close < 0) {
                        throw t.error(i + 1, "expected ']' in flags:");
                    }
                    long v = t.parseHex(i + 1, close, 3);
                    if ((v & ~0xfffL) != 0) {
                        throw t.error(i + 2, "TCP flags [" + Long.toHexString(v) + "] do not fit 12 bits");
                    }
                    f |= (int) v;
                    i = close;
                }
                default -> throw t.error(i + 1, "unknown TCP flag letter " + t.quote(i, i + 1) + " in flags: (expected S F P R U . E C N)");
            }
        }
        return f;
    }
}
