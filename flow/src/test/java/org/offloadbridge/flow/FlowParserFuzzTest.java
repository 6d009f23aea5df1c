package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Damaged dump lines: the parser either parses or throws {@link FlowParseException} with a column inside the text — nothing else. */
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

    private static final String ALPHABET = "(),=/:.x0123456789abcdefgz -_|+";

    @Property(tries = 2000)
    void damagedLinesFailCleanly(@ForAll @IntRange(min = 0, max = 1000) int line, @ForAll @IntRange(min = 0, max = 100000) int pos,
                                 @ForAll @IntRange(min = 0, max = 3) int op, @ForAll @IntRange(min = 0, max = 30) int ch,
                                 @ForAll @IntRange(min = 1, max = 4) int count) {
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
        String text = s.toString();
        try {
            DpFlow f = FlowParser.parseFlow(text, NAMES);
            // whatever parsed must print and parse back to the same flow
            DpFlow again = FlowParser.parseFlow(FlowFormat.formatFlow(f, NAMES, true), NAMES);
            assertEquals(f.mask(), again.mask(), text);
            assertTrue(f.key().maskedEquals(f.mask(), again.key()), text);
        } catch (FlowParseException e) {
            assertTrue(e.column() >= 1 && e.column() <= text.length() + 1, "column " + e.column() + " outside '" + text + "'");
        }
    }
}
