package org.offloadbridge.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.offloadbridge.testkit.Cases;

/**
 * {@link FlowWords#usedWords} stays a superset of the non-zero words through every way this
 * package writes keys and masks — the EMC trusts it to skip the other words, so a word written
 * behind its back would make two different keys compare equal.
 */
class FlowWordsUsedTest {

    private static final int[] ETH_TYPES = {0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806, 0x8847};

    @Test
    void everyWritePathKeepsTheBitmapASupersetOfTheNonZeroWords() {
        Cases.check(300, List.of(), r -> r.nextLong(), seed -> String.format("ops seed 0x%016x", seed), seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            FlowKey[] keys = {new FlowKey(), new FlowKey()};
            FlowMask[] masks = {new FlowMask(), new FlowMask()};
            for (int op = 0; op < 200; op++) {
                FlowKey k = keys[r.nextInt(2)];
                FlowMask m = masks[r.nextInt(2)];
                Field f = Field.of(r.nextInt(Field.count()));
                switch (r.nextInt(16)) {
                    case 0 -> k.set(f, r.nextInt(3) == 0 ? 0 : r.nextLong());
                    case 1 -> k.setWord(r.nextInt(Field.WORDS), r.nextBoolean() ? 0 : r.nextLong());
                    case 2 -> k.clear();
                    case 3 -> k.copyFrom(keys[r.nextInt(2)]);
                    case 4 -> k.and(m, keys[r.nextInt(2)]);
                    case 5 -> parse(r, k);
                    case 6 -> m.setExact(f);
                    case 7 -> m.setWildcard(f);
                    case 8 -> m.unwildcard(f, r.nextLong());
                    case 9 -> m.setPrefix(f, r.nextInt(f.width() + 1));
                    case 10 -> m.setAll();
                    case 11 -> m.or(masks[r.nextInt(2)]);
                    case 12 -> m.and(masks[r.nextInt(2)]);
                    case 13 -> m.clear();
                    case 14 -> m.copyFrom(masks[r.nextInt(2)]);
                    default -> m.set(f, r.nextLong());
                }
                for (FlowWords x : new FlowWords[] {keys[0], keys[1], masks[0], masks[1]}) {
                    for (int i = 0; i < Field.WORDS; i++) {
                        if (x.w[i] != 0) {
                            assertTrue((x.usedWords() >>> i & 1) != 0, "op " + op + ": word " + i + " non-zero outside "
                                + Long.toBinaryString(x.usedWords()) + " in " + x);
                        }
                    }
                }
            }
        });
    }

    @Test
    void clearZeroesEveryWordAndTheBitmap() {
        FlowKey k = new FlowKey();
        for (int i = 0; i < Field.WORDS; i++) {
            k.setWord(i, i + 1);
        }
        k.clear();
        assertTrue(k.isZero());
        assertEquals(0, k.usedWords());
        assertEquals(new FlowKey(), k);
    }

    /** A frame of a random ethertype and random bytes after it, parsed into the reused key. */
    private static void parse(SplittableRandom r, FlowKey k) {
        byte[] frame = new byte[14 + r.nextInt(120)];
        r.nextBytes(frame);
        int type = ETH_TYPES[r.nextInt(ETH_TYPES.length)];
        frame[12] = (byte) (type >>> 8);
        frame[13] = (byte) type;
        if (type == 0x0800 && frame.length > 14) {
            frame[14] = 0x45;
        } else if (type == 0x86dd && frame.length > 14) {
            frame[14] = (byte) (0x60 | (frame[14] & 0x0f));
        }
        PacketParser.parse(MemorySegment.ofArray(frame), 0, frame.length, r.nextInt(8), k);
    }
}
