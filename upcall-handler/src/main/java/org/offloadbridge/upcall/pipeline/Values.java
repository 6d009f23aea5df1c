package org.offloadbridge.upcall.pipeline;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Text ⇄ value for match fields, in the forms ovs-ofctl accepts: decimal or 0x-hex
 * integers with an optional /mask, MAC addresses with /mask, IPv4 with /prefix or
 * /dotted-mask, IPv6 with /prefix or /mask, and the keyword forms of nw_frag and tcp_flags.
 */
final class Values {
    private Values() {
    }

    /** A bad value; {@code offset} is where in the value text the problem is. */
    static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;
        final int offset;

        BadValue(int offset, String message) {
            super(message, null, false, false);
            this.offset = offset;
        }
    }

    /** {vHi, v, mHi, m}. */
    static long[] parse(MatchField f, String text) throws BadValue {
        if (text.isEmpty()) {
            throw new BadValue(0, "missing value for " + f.ofName());
        }
        requireAscii(text, 0);
        switch (f) {
            case NW_FRAG:
                return parseFrag(text);
            case TCP_FLAGS:
                if (text.charAt(0) == '+' || text.charAt(0) == '-') {
                    return parseTcpFlagsMasked(text);
                }
                if (!Character.isDigit(text.charAt(0))) {
                    return parseTcpFlagsExact(text);
                }
                break;
            case TUN_FLAGS:
                if (!Character.isDigit(text.charAt(0))) {
                    return parseTunFlags(text);
                }
                break;
            case TUN_TOS, TUN_TTL:
                if (text.indexOf('/') >= 0) {
                    throw new BadValue(text.indexOf('/'), f.ofName() + " is not maskable (as in ovs-ofctl): give one value");
                }
                break;
            default:
                break;
        }
        int slash = text.indexOf('/');
        String vs = slash < 0 ? text : text.substring(0, slash);
        long[] out = new long[4];
        long[] v = parseScalar(f, vs, 0);
        out[0] = v[0];
        out[1] = v[1];
        if (slash < 0) {
            out[2] = f.fullMaskHi();
            out[3] = f.fullMaskLo();
            return out;
        }
        String ms = text.substring(slash + 1);
        if (ms.isEmpty()) {
            throw new BadValue(slash + 1, "missing mask after \"/\" in " + f.ofName() + " value");
        }
        boolean addr = isAddress(f);
        if (addr && ms.chars().allMatch(Character::isDigit) && f != MatchField.DL_SRC && f != MatchField.DL_DST
                && f != MatchField.ARP_SHA && f != MatchField.ARP_THA) {
            int plen;
            try {
                plen = Integer.parseInt(ms);
            } catch (NumberFormatException e) {
                throw new BadValue(slash + 1, "bad prefix length \"" + ms + "\"");
            }
            if (plen > f.bits()) {
                throw new BadValue(slash + 1, "prefix length " + plen + " is longer than the " + f.bits() + "-bit " + f.ofName());
            }
            long[] m = prefixMask(f, plen);
            out[2] = m[0];
            out[3] = m[1];
            return out;
        }
        long[] m = parseScalar(f, ms, slash + 1);
        out[2] = m[0];
        out[3] = m[1];
        return out;
    }

    static boolean isAddress(MatchField f) {
        return switch (f) {
            case NW_SRC, NW_DST, ARP_SPA, ARP_TPA, TUN_SRC, TUN_DST, IPV6_SRC, IPV6_DST, DL_SRC, DL_DST, ARP_SHA, ARP_THA -> true;
            default -> false;
        };
    }

    /** {hi, lo} mask of the first {@code plen} bits of the field. */
    static long[] prefixMask(MatchField f, int plen) {
        if (f.bits() == 128) {
            long hi = plen == 0 ? 0 : plen >= 64 ? -1L : -1L << (64 - plen);
            long lo = plen <= 64 ? 0 : plen == 128 ? -1L : -1L << (128 - plen);
            return new long[] {hi, lo};
        }
        long lo = plen == 0 ? 0 : (f.fullMaskLo() << (f.bits() - plen)) & f.fullMaskLo();
        return new long[] {0, lo};
    }

    private static long[] parseScalar(MatchField f, String s, int off) throws BadValue {
        switch (f) {
            case DL_SRC, DL_DST, ARP_SHA, ARP_THA:
                return new long[] {0, parseMac(s, off)};
            case NW_SRC, NW_DST, ARP_SPA, ARP_TPA, TUN_SRC, TUN_DST:
                return new long[] {0, parseIpv4(s, off)};
            case IPV6_SRC, IPV6_DST:
                return parseIpv6(s, off);
            default:
                long v = parseInt(s, off);
                if (Long.compareUnsigned(v, f.fullMaskLo()) > 0) {
                    throw new BadValue(off, "value " + s + " is too large for the " + f.bits() + "-bit field " + f.ofName());
                }
                return new long[] {0, v};
        }
    }

    /**
     * Refuses a value with a character outside ASCII. Java's number and address parsers read
     * other scripts' digits ({@code ٨٠}, fullwidth {@code １００}) as numbers, so a pasted rule
     * would match something other than what it shows; ovs-ofctl (strtol in the C locale)
     * refuses them, and so do we — for every value, not only the ones that are numbers.
     */
    static void requireAscii(String s, int off) throws BadValue {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e || c < 0x20) {
                throw new BadValue(off + i, String.format("character U+%04X in a value: values are ASCII "
                    + "(digits 0-9, hex a-f, '.', ':', '/')", (int) c));
            }
        }
    }

    static long parseInt(String s, int off) throws BadValue {
        requireAscii(s, off);
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) {
                if (s.length() == 2 || s.length() > 18) {
                    throw new NumberFormatException();
                }
                return Long.parseUnsignedLong(s.substring(2), 16);
            }
            if (s.isEmpty() || !Character.isDigit(s.charAt(0))) {
                throw new NumberFormatException();
            }
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw new BadValue(off, "bad value \"" + s + "\": expected a decimal or 0x-hex number");
        }
    }

    static long parseMac(String s, int off) throws BadValue {
        String[] parts = s.split(":", -1);
        if (parts.length != 6) {
            throw new BadValue(off, "bad MAC address \"" + s + "\": expected xx:xx:xx:xx:xx:xx");
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 2) {
                throw new BadValue(off, "bad MAC address \"" + s + "\": expected xx:xx:xx:xx:xx:xx");
            }
            try {
                v = (v << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new BadValue(off, "bad MAC address \"" + s + "\": expected xx:xx:xx:xx:xx:xx");
            }
        }
        return v;
    }

    static long parseIpv4(String s, int off) throws BadValue {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new BadValue(off, "bad IPv4 address \"" + s + "\": expected a.b.c.d");
        }
        long v = 0;
        for (String p : parts) {
            int b;
            try {
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    throw new NumberFormatException();
                }
                b = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new BadValue(off, "bad IPv4 address \"" + s + "\": expected a.b.c.d");
            }
            if (b > 255) {
                throw new BadValue(off, "bad IPv4 address \"" + s + "\": " + b + " is not 0..255");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    static long[] parseIpv6(String s, int off) throws BadValue {
        if (s.indexOf(':') < 0) {
            throw new BadValue(off, "bad IPv6 address \"" + s + "\"");
        }
        byte[] b;
        try {
            // ofLiteral never resolves names: a literal or an exception.
            b = Inet6Address.ofLiteral(s).getAddress();
        } catch (IllegalArgumentException e) {
            throw new BadValue(off, "bad IPv6 address \"" + s + "\"");
        }
        if (b.length != 16) {
            throw new BadValue(off, "bad IPv6 address \"" + s + "\"");
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[i + 8] & 0xff);
        }
        return new long[] {hi, lo};
    }

    private static long[] parseFrag(String s) throws BadValue {
        // OVS nw_frag: bit0 = fragment, bit1 = later fragment.
        return switch (s) {
            case "no" -> new long[] {0, 0, 0, 3};
            case "yes" -> new long[] {0, 1, 0, 1};
            case "first" -> new long[] {0, 1, 0, 3};
            case "later" -> new long[] {0, 3, 0, 3};
            case "not_later" -> new long[] {0, 0, 0, 2};
            default -> throw new BadValue(0, "bad nw_frag \"" + s + "\": expected no, yes, first, later or not_later");
        };
    }

    /**
     * OVS's names of the 12 TCP flag bits (packet_tcp_flag_to_string): the nine flags, then the
     * three reserved bits by their hex value. Both the parser and {@link RuleFormat} use them.
     */
    static final String[] TCP_FLAG_NAMES = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]",
        "[400]", "[800]"};

    private static final String KNOWN_TCP_FLAGS = String.join(" ", TCP_FLAG_NAMES);

    /** {@code +syn-ack}: the named bits are matched, set (+) or clear (-); the others are wildcards. */
    private static long[] parseTcpFlagsMasked(String s) throws BadValue {
        long v = 0;
        long m = 0;
        int i = 0;
        while (i < s.length()) {
            char sign = s.charAt(i);
            if (sign != '+' && sign != '-') {
                throw new BadValue(i, "bad tcp_flags \"" + s + "\": expected +flag or -flag");
            }
            int j = i + 1;
            while (j < s.length() && s.charAt(j) != '+' && s.charAt(j) != '-') {
                j++;
            }
            int bit = tcpFlagBit(s, i + 1, j);
            if ((m & (1L << bit)) != 0) {
                throw new BadValue(i + 1, "TCP flag \"" + s.substring(i + 1, j) + "\" given twice");
            }
            m |= 1L << bit;
            if (sign == '+') {
                v |= 1L << bit;
            }
            i = j;
        }
        return new long[] {0, v, 0, m};
    }

    /**
     * {@code syn|ack}: exactly these bits set and every other clear, as ovs-ofctl reads (and
     * prints) an exact tcp_flags match; a flag named twice is the same flag, as there.
     */
    private static long[] parseTcpFlagsExact(String s) throws BadValue {
        long v = 0;
        int i = 0;
        while (true) {
            int j = s.indexOf('|', i);
            int end = j < 0 ? s.length() : j;
            v |= 1L << tcpFlagBit(s, i, end);
            if (j < 0) {
                return new long[] {0, v, 0, 0xfff};
            }
            i = j + 1;
        }
    }

    /**
     * {@code +oam}, {@code -oam} or {@code oam}: the one tunnel flag OVS lets a rule see (the
     * numeric forms, 0 / 1 / 0x1/0x1, go the generic way: the field is one bit wide).
     */
    private static long[] parseTunFlags(String s) throws BadValue {
        boolean signed = s.charAt(0) == '+' || s.charAt(0) == '-';
        String name = signed ? s.substring(1) : s;
        if (!name.equals("oam")) {
            throw new BadValue(signed ? 1 : 0, "unknown tunnel flag \"" + name + "\" in tun_flags (known: oam; key, csum and df are not matchable)");
        }
        return new long[] {0, signed && s.charAt(0) == '-' ? 0 : 1, 0, 1};
    }

    private static int tcpFlagBit(String s, int from, int to) throws BadValue {
        String name = s.substring(from, to);
        for (int k = 0; k < TCP_FLAG_NAMES.length; k++) {
            if (TCP_FLAG_NAMES[k].equals(name)) {
                return k;
            }
        }
        throw new BadValue(from, name.isEmpty() ? "missing TCP flag name in tcp_flags \"" + s + "\" (known: " + KNOWN_TCP_FLAGS + ")"
            : "unknown TCP flag \"" + name + "\" (known: " + KNOWN_TCP_FLAGS + ")");
    }

    static String format(MatchField f, long hi, long lo) {
        switch (f) {
            case DL_SRC, DL_DST, ARP_SHA, ARP_THA:
                return formatMac(lo);
            case NW_SRC, NW_DST, ARP_SPA, ARP_TPA, TUN_SRC, TUN_DST:
                return formatIpv4(lo);
            case IPV6_SRC, IPV6_DST:
                return formatIpv6(hi, lo);
            case DL_TYPE, VLAN_TCI, TUN_ID, TCP_FLAGS, IPV6_LABEL:
                return "0x" + Long.toHexString(lo);
            default:
                return Long.toUnsignedString(lo);
        }
    }

    static String formatMac(long v) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 5; i >= 0; i--) {
            int b = (int) (v >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    static String formatIpv4(long v) {
        return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    static String formatIpv6(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[i + 8] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
