package org.offloadbridge.testkit;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Seeded random cases for the fuzz and property tests, in a few lines instead of a property-testing library.
 * One seed per JVM: {@code -Dob.seed=0x…} (or decimal), else a fresh random one. Explicit edge
 * cases run first as cases 0…edges-1; random case i draws from a generator derived from (seed, i)
 * alone, so {@code -Dob.seed=S -Dob.case=I} replays exactly one failing case. {@code -Dob.scale=N}
 * multiplies the random case count for a local soak. Every failure names seed, case and input.
 */
public final class Cases {
    public static final long SEED = parseSeed(System.getProperty("ob.seed"));
    public static final int ONLY = Integer.getInteger("ob.case", -1);
    public static final int SCALE = Integer.getInteger("ob.scale", 1);

    private Cases() { }

    public static <T> void check(int randomCases, List<T> edges, Function<SplittableRandom, T> gen,
                          Function<T, String> show, ThrowingConsumer<T> property) {
        int total = edges.size() + randomCases * SCALE;
        Assumptions.assumeTrue(ONLY < total, () -> "ob.case=" + ONLY + " but this test has " + total + " cases");
        for (int i = Math.max(ONLY, 0); i < (ONLY >= 0 ? ONLY + 1 : total); i++) {
            T input = null;
            try {
                input = i < edges.size() ? edges.get(i) : gen.apply(random(i));
                property.accept(input);
            } catch (Throwable t) {
                throw new AssertionError(String.format("seed=0x%016x case=%d: %s%n  failed: %s%n  replay: -Dob.seed=0x%016x -Dob.case=%d",
                        SEED, i, input == null ? "(input not generated)" : show.apply(input), t, SEED, i), t);
            }
        }
    }

    /** Case i's generator: seed and index go through SplittableRandom's mixer, so neighbouring cases' streams do not overlap. */
    public static SplittableRandom random(int i) {
        return new SplittableRandom(new SplittableRandom(SEED + 0x9e3779b97f4a7c15L * i).nextLong());
    }

    public static long parseSeed(String s) {
        if (s == null || s.isBlank()) {
            return new SplittableRandom().nextLong();
        }
        String t = s.strip().toLowerCase(java.util.Locale.ROOT);
        return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
    }

    /** An int in [min, max]; one draw in 8 is an edge (min, min+1, max-1, max). */
    public static int intIn(SplittableRandom r, int min, int max) {
        return r.nextInt(8) == 0 ? Math.clamp(r.nextBoolean() ? min + r.nextInt(2) : max - r.nextInt(2), min, max) : r.nextInt(min, max + 1);
    }

    public static final long[] EDGE_LONGS = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};

    /** A long; one draw in 8 is an edge value (0, 1, -1, MIN, MAX). */
    public static long oneLong(SplittableRandom r) {
        return r.nextInt(8) == 0 ? EDGE_LONGS[r.nextInt(EDGE_LONGS.length)] : r.nextLong();
    }

    private static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};

    /** A byte; one draw in 8 is an edge value (0, 1, -1, MIN, MAX), so edge values are not left to chance. */
    public static byte oneByte(SplittableRandom r) {
        return r.nextInt(8) == 0 ? EDGE_BYTES[r.nextInt(EDGE_BYTES.length)] : (byte) r.nextInt();
    }

    /** 0…max bytes; one array in 4 is short (0…16) since short inputs hit more early-exit paths. */
    public static byte[] bytes(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(4) == 0 ? r.nextInt(Math.min(16, max) + 1) : r.nextInt(max + 1)];
        for (int i = 0; i < b.length; i++) {
            b[i] = oneByte(r);
        }
        return b;
    }
}
