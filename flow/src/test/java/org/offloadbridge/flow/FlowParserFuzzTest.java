package org.offloadbridge.flow;

import org.offloadbridge.testkit.Cases;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Damaged dump lines: the parser either parses or throws {@link FlowParseException} with a column inside the text — nothing else.
 * Seeded random cases: see {@link Cases} for seed and replay.
 */
class FlowParserFuzzTest {
    static final List<String> LINES = new ArrayList<>();
    static final PortNames NAMES;

    static {
        try {
            PortNames names = PortNames.NONE;
            for (String r : new String[] {"/golden/ovs-dump-flows.txt", "/golden/ovs-dump-flows-m.txt", "/golden/tc-offload-documented.txt", "/golden/ovs-dump-flows-tunnel.txt"}) {
                GoldenOvsTextTest.Golden g = GoldenOvsTextTest.load(r);
                LINES.addAll(g.lines());
                if (!g.names().isEmpty()) {
                    names = g.names();
                }
            }
            NAMES = names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Syntax, digits, letters, and bad input from issue #16: digits of other scripts (٨ １), control characters. */
    private static final String ALPHABET = "(),=/:.x0123456789abcdefgz -_|+\u0668\uff11\n\u001b";

    /** One damage to a golden line: {@code count} times {@code op} (delete, insert, replace, cut) at multiples of {@code pos}. */
    record Damage(int line, int pos, int op, int ch, int count) {
        String text() {
            StringBuilder s = new StringBuilder(LINES.get(line % LINES.size()));
            for (int i = 0; i < count; i++) {
                int p = (pos * (i + 1)) % Math.max(1, s.length());
                switch (op) {
                    case 0 -> s.deleteCharAt(p);
                    case 1 -> s.insert(p, ALPHABET.charAt(ch % ALPHABET.length()));
                    case 2 -> s.setCharAt(p, ALPHABET.charAt(ch % ALPHABET.length()));
                    default -> s.setLength(p);
                }
            }
            return s.toString();
        }

        @Override
        public String toString() {
            return "line=" + line + " pos=" + pos + " op=" + op + " ch=" + ch + " count=" + count + " text='" + text() + "'";
        }
    }

    static final int MAX_LINE = 1000;
    static final int MAX_POS = 100000;

    /** Edges first: every golden line cut in half, then every op with the ends of each range (line, position, character, count). */
    static List<Damage> edges() {
        List<Damage> edges = new ArrayList<>();
        for (int line = 0; line < LINES.size(); line++) {
            edges.add(new Damage(line, LINES.get(line).length() / 2, 3, 0, 1));
        }
        for (int op = 0; op <= 3; op++) {
            for (int line : new int[] {0, MAX_LINE}) {
                for (int pos : new int[] {0, 1, MAX_POS}) {
                    for (int ch : new int[] {0, ALPHABET.length() - 1}) {
                        for (int count : new int[] {1, 4}) {
                            edges.add(new Damage(line, pos, op, ch, count));
                        }
                    }
                }
            }
        }
        return edges;
    }

    static Damage random(SplittableRandom r) {
        return new Damage(Cases.intIn(r, 0, MAX_LINE), Cases.intIn(r, 0, MAX_POS), Cases.intIn(r, 0, 3), Cases.intIn(r, 0, ALPHABET.length() - 1), Cases.intIn(r, 1, 4));
    }

    @Test
    void damagedLinesFailCleanly() {
        Cases.check(2000, edges(), FlowParserFuzzTest::random, Damage::toString, d -> {
            String text = d.text();
            try {
                DpFlow f = FlowParser.parseFlow(text, NAMES);
                // whatever parsed must print and parse back to the same flow
                DpFlow again = FlowParser.parseFlow(FlowFormat.formatFlow(f, NAMES, true), NAMES);
                assertEquals(f.mask(), again.mask(), text);
                assertTrue(f.key().maskedEquals(f.mask(), again.key()), text);
            } catch (FlowParseException e) {
                assertTrue(e.column() >= 1 && e.column() <= text.length() + 1, "column " + e.column() + " outside '" + text + "'");
                // the message quotes short escaped excerpts only
                assertTrue(e.getMessage().length() <= 800, e.getMessage().length() + " chars: " + e.getMessage());
                assertTrue(e.getMessage().chars().allMatch(c -> c >= 0x20 && c != 0x7f), "raw control character in " + e.getMessage());
            }
        });
    }
}
