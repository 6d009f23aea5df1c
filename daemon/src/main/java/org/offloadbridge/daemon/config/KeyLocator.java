package org.offloadbridge.daemon.config;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where each key of a TOML file was written, so a value's error can name its line.
 *
 * <p>Why this exists: Jackson's TOML module reads the whole document into a tree before handing
 * it out, so the tree carries no positions. This is not a second TOML parser — the document has
 * already been parsed by Jackson when this runs — only an index of {@code [table]},
 * {@code [[array]]} headers and {@code key =} line starts, with paths written as the validator
 * names keys ({@code max-idle}, {@code dpdk.eal-args}, {@code port[1].name}). Lines inside
 * multi-line strings are skipped; a key inside an inline table is found at its parent's line.
 */
final class KeyLocator {
    /** 1-based line and column. */
    record Position(int line, int column) {
        static final Position UNKNOWN = new Position(0, 0);
    }

    private static final Pattern ARRAY_HEADER = Pattern.compile("^\\s*\\[\\[\\s*([^\\]]+?)\\s*\\]\\]");
    private static final Pattern TABLE_HEADER = Pattern.compile("^\\s*\\[\\s*([^\\]]+?)\\s*\\]");
    private static final Pattern KEY = Pattern.compile("^(\\s*)((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\\s*\\.\\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\\s*=");

    private final Map<String, Position> positions = new HashMap<>();
    private String duplicate;
    private Position duplicateAt;

    KeyLocator(String text) {
        String[] lines = text.split("\r?\n", -1);
        String table = "";
        Map<String, Integer> arrayCounts = new HashMap<>();
        String openMultiline = null;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (openMultiline != null) {
                if (count(l, openMultiline) % 2 == 1) {
                    openMultiline = null;
                }
                continue;
            }
            Matcher m;
            if ((m = ARRAY_HEADER.matcher(l)).find()) {
                String name = unquotePath(m.group(1));
                int idx = arrayCounts.merge(name, 1, Integer::sum) - 1;
                table = name + "[" + idx + "]";
                see(table, new Position(i + 1, m.start(1) + 1));
            } else if ((m = TABLE_HEADER.matcher(l)).find()) {
                table = unquotePath(m.group(1));
                see(table, new Position(i + 1, m.start(1) + 1));
            } else if ((m = KEY.matcher(l)).find()) {
                String key = unquotePath(m.group(2));
                see(table.isEmpty() ? key : table + "." + key, new Position(i + 1, m.group(1).length() + 1));
                String rest = l.substring(m.end());
                for (String q : new String[] {"\"\"\"", "'''"}) {
                    if (count(rest, q) % 2 == 1) {
                        openMultiline = q;
                    }
                }
            }
        }
    }

    private void see(String path, Position p) {
        if (positions.putIfAbsent(path, p) != null && duplicate == null) {
            duplicate = path;
            duplicateAt = p;
        }
    }

    /**
     * The first key or table written twice, or null. Jackson reports a duplicate key at the
     * position after it, often the next line; this points at the second writing itself.
     */
    String duplicate() {
        return duplicate;
    }

    Position duplicatePosition() {
        return duplicateAt;
    }

    /** Where {@code path} (or, failing that, its nearest enclosing table or key) was written. */
    Position find(String path) {
        String p = path;
        while (true) {
            Position pos = positions.get(p);
            if (pos != null) {
                return pos;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return Position.UNKNOWN;
            }
            p = p.substring(0, cut);
        }
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static String unquotePath(String dotted) {
        StringBuilder sb = new StringBuilder();
        for (String part : dotted.split("\\s*\\.\\s*")) {
            String s = part.strip();
            if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'')) {
                s = s.substring(1, s.length() - 1);
            }
            if (!sb.isEmpty()) {
                sb.append('.');
            }
            sb.append(s);
        }
        return sb.toString();
    }
}
