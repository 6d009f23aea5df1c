package org.offloadbridge.flow;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A 128-bit unique flow identifier, OVS's {@code ufid}. Printed and parsed as
 * {@code ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, the form of OVS's {@code odp_format_ufid}.
 *
 * <p>{@code hi} holds OVS's {@code u32[0]} (upper half) and {@code u32[1]}, {@code lo} holds
 * {@code u32[2]} and {@code u32[3]}; the text is simply {@code hi} then {@code lo} in hex.
 *
 * <p>How ours are made: {@link #of(FlowKey, FlowMask)} hashes the masked key and the mask.
 * OVS hashes the upcall's unmasked key with a per-process random secret, so its ufids change
 * across restarts. Ours are a pure function of the megaflow's match, so after a daemon
 * restart the same megaflow gets the same ufid and the flow found in tc (ufid = action cookie)
 * is recognised instead of duplicated. {@link #random()} exists for callers that want
 * OVS-like fresh ids.
 */
public record Ufid(long hi, long lo) {
    private static final String PREFIX = "ufid:";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    // Written out, not the record's generated ones: those go through method handles, which C1
    // (the only JIT in the emulated test VM) calls slowly, and every map of flows hashes ufids.
    @Override
    public boolean equals(Object o) {
        return o instanceof Ufid u && u.hi == hi && u.lo == lo;
    }

    @Override
    public int hashCode() {
        return (int) (hi ^ (hi >>> 32) ^ lo ^ (lo >>> 32)); // hi and lo are hashes already
    }

    /** A random ufid. */
    public static Ufid random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return new Ufid(r.nextLong(), r.nextLong());
    }

    /**
     * The deterministic ufid of a megaflow match: a 128-bit hash of {@code key AND mask} and
     * {@code mask}, taken on the match's canonical form ({@link FlowMask#canonicalize}), so
     * every way of writing the same match gets the same ufid.
     */
    public static Ufid of(FlowKey key, FlowMask mask) {
        return of(key, mask, new FlowMask());
    }

    /** {@link #of(FlowKey, FlowMask)} canonicalizing in {@code scratch} (overwritten) rather than a new mask. */
    public static Ufid of(FlowKey key, FlowMask mask, FlowMask scratch) {
        scratch.copyFrom(mask);
        scratch.canonicalize(key);
        return ofCanonical(key, scratch);
    }

    /** {@link #of} for a mask already in canonical form for {@code key}. */
    static Ufid ofCanonical(FlowKey key, FlowMask mask) {
        long h1 = 0x243f6a8885a308d3L;
        long h2 = 0x13198a2e03707344L;
        for (int i = 0; i < Field.WORDS; i++) {
            long m = mask.w[i];
            long k = key.w[i] & m;
            h1 = FlowWords.mix(h1 ^ k) * 31 + m;
            h2 = FlowWords.mix(h2 + m) ^ Long.rotateLeft(k, 29);
        }
        return new Ufid(FlowWords.mix(h1 ^ (h2 >>> 7)), FlowWords.mix(h2 ^ h1));
    }

    /** OVS's 32-bit words {@code u32[0..3]} of the ufid. */
    public int u32(int i) {
        return switch (i) {
            case 0 -> (int) (hi >>> 32);
            case 1 -> (int) hi;
            case 2 -> (int) (lo >>> 32);
            case 3 -> (int) lo;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * The 16 bytes OVS stores for a ufid ({@code ovs_u128}: four u32 in host byte order,
     * little-endian on x86/arm64) — what OVS puts in a tc action cookie.
     */
    public byte[] toCookieBytes() {
        byte[] b = new byte[16];
        for (int i = 0; i < 4; i++) {
            int v = u32(i);
            b[i * 4] = (byte) v;
            b[i * 4 + 1] = (byte) (v >>> 8);
            b[i * 4 + 2] = (byte) (v >>> 16);
            b[i * 4 + 3] = (byte) (v >>> 24);
        }
        return b;
    }

    /** Inverse of {@link #toCookieBytes()}. */
    public static Ufid fromCookieBytes(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("ufid cookie must be 16 bytes, got " + b.length);
        }
        long[] u = new long[4];
        for (int i = 0; i < 4; i++) {
            u[i] = (b[i * 4] & 0xffL) | (b[i * 4 + 1] & 0xffL) << 8 | (b[i * 4 + 2] & 0xffL) << 16 | (b[i * 4 + 3] & 0xffL) << 24;
        }
        return new Ufid(u[0] << 32 | u[1], u[2] << 32 | u[3]);
    }

    /** {@code xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} (without the {@code ufid:} prefix). */
    public String uuidString() {
        return appendUuid(new StringBuilder(36)).toString();
    }

    /** {@link #uuidString()} appended to {@code sb}, allocating nothing (a flow dump writes one per line). */
    public StringBuilder appendUuid(StringBuilder sb) {
        hex(sb, hi >>> 32, 8).append('-');
        hex(sb, hi >>> 16, 4).append('-');
        hex(sb, hi, 4).append('-');
        hex(sb, lo >>> 48, 4).append('-');
        return hex(sb, lo, 12);
    }

    /** {@code ufid:} and {@link #uuidString()} appended to {@code sb}, as {@link #toString()} writes it. */
    public StringBuilder appendTo(StringBuilder sb) {
        return appendUuid(sb.append(PREFIX));
    }

    /** {@code ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, as OVS prints it. */
    @Override
    public String toString() { return appendTo(new StringBuilder(41)).toString(); }

    /** The low {@code digits} hex digits of {@code v}, lower case, zero-padded. */
    private static StringBuilder hex(StringBuilder sb, long v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            sb.append(HEX[(int) (v >>> shift) & 0xf]);
        }
        return sb;
    }

    /**
     * Parses {@code ufid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}; the {@code ufid:} prefix is
     * optional.
     *
     * @throws IllegalArgumentException naming the offending position
     */
    public static Ufid parse(CharSequence text) {
        String s = text.toString();
        int start = s.startsWith(PREFIX) ? PREFIX.length() : 0;
        if (s.length() - start != 36) {
            throw new IllegalArgumentException("ufid: expected 36 characters xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx after '"
                    + s.substring(0, start) + "', got " + (s.length() - start) + " in '" + Excerpt.escape(s, 48) + "'");
        }
        long hi = 0;
        long lo = 0;
        int digits = 0;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            int rel = i - start;
            if (rel == 8 || rel == 13 || rel == 18 || rel == 23) {
                if (c != '-') {
                    throw new IllegalArgumentException("ufid: expected '-' at column " + (i + 1) + " of '" + Excerpt.escape(s, 48) + "'");
                }
                continue;
            }
            // ASCII only: Character.digit would read fullwidth and other scripts' digits too
            int d = TextCursor.hexDigit(c);
            if (d < 0) {
                throw new IllegalArgumentException("ufid: expected an ASCII hex digit at column " + (i + 1) + " of '"
                        + Excerpt.escape(s, 48) + "', got '" + Excerpt.escape(String.valueOf(c), 1) + "'");
            }
            if (digits < 16) {
                hi = hi << 4 | d;
            } else {
                lo = lo << 4 | d;
            }
            digits++;
        }
        return new Ufid(hi, lo);
    }
}
