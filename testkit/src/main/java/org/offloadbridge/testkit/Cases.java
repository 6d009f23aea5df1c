package org.offloadbridge.testkit;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Seeded random cases for the fuzz and property tests, in a few lines instead of a
 * property-testing library. Every random-input test in this project goes through it, so one
 * pair of properties replays any of them.
 *
 * <p>One seed per JVM: {@code -Dob.seed=0x…} (or decimal), else a fresh random one. Explicit
 * edge cases run first as cases 0…edges-1; random case i draws from a generator derived from
 * (seed, i) alone ({@link #random(int)}), so {@code -Dob.seed=S -Dob.case=I} replays exactly
 * one failing case, without running the ones before it. {@code -Dob.scale=N} multiplies the
 * random case count for a local soak. A failure is an {@link AssertionError} whose message
 * names seed, case and input and ends with the replay flags:
 *
 * <pre>
 *   seed=0x1f2e3d4c5b6a7988 case=1234: [00 01 ff]
 *     failed: java.lang.AssertionError: ...
 *     replay: -Dob.seed=0x1f2e3d4c5b6a7988 -Dob.case=1234
 *
 *   ./mvnw -B -ntp -q -pl netlink test -Dtest='ParserFuzzTest#randomBytes' -Dob.seed=0x1f2e3d4c5b6a7988 -Dob.case=1234
 * </pre>
 *
 * <p>Use it as {@code Cases.check(2000, edges, r -> input(r), Object::toString, input -> ...)};
 * draw every random choice of a case from the {@code SplittableRandom} it is given (a
 * {@code new Random(...)} or {@code ThreadLocalRandom} inside a property breaks replay unless
 * seeded from that generator). With {@code -Dob.case=I} set, a test with fewer than I+1 cases
 * is skipped (reported as aborted, not passed): the flag is meant for one method at a time.
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
