package org.offloadbridge.flow;

import java.util.Locale;

/**
 * Printers for single values and flag sets, as OVS's {@code odp-util.c} writes them: numbers
 * ({@code %#x}, {@code 0x%04x}), MACs, IPv4, IPv6 as glibc {@code inet_ntop}, flag names.
 * Shared by {@link MatchFormat}, {@link ActionsFormat} and the {@link FlowFormat} face.
 */
final class ValueFormat {
    private ValueFormat() {}

    static void appendPort(StringBuilder sb, int port, PortNames names) {
        String n = names == null ? null : names.name(port);
        if (n != null) {
            sb.append(n);
        } else {
            sb.append(port & 0xffffffffL);
        }
    }

    /** C's {@code %#x}: {@code 0} for zero, else {@code 0x…}. */
    static void appendHashX(StringBuilder sb, long v) {
        if (v == 0) {
            sb.append('0');
        } else {
            sb.append("0x").append(Long.toHexString(v));
        }
    }

    static void appendHex04Masked(StringBuilder sb, long v, long mask, long full) {
        sb.append("0x").append(String.format(Locale.ROOT, "%04x", v));
        if (mask != full) {
            sb.append("/0x").append(String.format(Locale.ROOT, "%04x", mask));
        }
    }

    static void appendHex128(StringBuilder sb, long hi, long lo) {
        if (hi == 0 && lo == 0) {
            sb.append('0');
        } else if (hi == 0) {
            sb.append("0x").append(Long.toHexString(lo));
        } else {
            String l = Long.toHexString(lo);
            sb.append("0x").append(Long.toHexString(hi)).append("0".repeat(16 - l.length())).append(l);
        }
    }

    static void appendU8(StringBuilder sb, String name, long v, long mask, boolean verbose, boolean hex) {
        appendMasked(sb, name, v, mask, 0xff, verbose, hex);
    }

    static void appendBe16(StringBuilder sb, String name, long v, long mask, boolean verbose, boolean hex) {
        appendMasked(sb, name, v, mask, 0xffff, verbose, hex);
    }

    /** {@code name=v[/mask],} as odp-util prints a numeric field: the mask only when not exact. */
    private static void appendMasked(StringBuilder sb, String name, long v, long mask, long exact, boolean verbose, boolean hex) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            if (hex) {
                appendHashX(sb, v);
            } else {
                sb.append(v);
            }
            if (mask != exact) {
                sb.append('/');
                appendHashX(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendFrag(StringBuilder sb, long v, long mask) {
        // ODP frag is an enumeration: printed only under a non-empty mask, never with one.
        if (mask != 0) {
            sb.append("frag=").append(fragName(v)).append(',');
        }
    }

    static String fragName(long v) {
        if ((v & FlowKey.FRAG_ANY) == 0) {
            return "no";
        }
        return (v & FlowKey.FRAG_LATER) != 0 ? "later" : "first";
    }

    static void appendEth(StringBuilder sb, String name, long v, long mask, boolean verbose) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            appendMac(sb, v);
            if (mask != 0xffffffffffffL) {
                sb.append('/');
                appendMac(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendIpv4(StringBuilder sb, String name, long v, long mask, boolean verbose) {
        if (verbose || mask != 0) {
            sb.append(name).append('=');
            appendIpv4(sb, v);
            if (mask != 0xffffffffL) {
                sb.append('/');
                appendIpv4(sb, mask);
            }
            sb.append(',');
        }
    }

    static void appendIpv6(StringBuilder sb, String name, long hi, long lo, long mhi, long mlo, boolean verbose) {
        if (verbose || mhi != 0 || mlo != 0) {
            sb.append(name).append('=');
            appendIpv6(sb, hi, lo);
            if (mhi != -1L || mlo != -1L) {
                sb.append('/');
                appendIpv6(sb, mhi, mlo);
            }
            sb.append(',');
        }
    }

    /** {@code xx:xx:xx:xx:xx:xx}, lower case. */
    static void appendMac(StringBuilder sb, long mac) {
        for (int i = 5; i >= 0; i--) {
            int b = (int) (mac >>> (i * 8)) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (i > 0) {
                sb.append(':');
            }
        }
    }

    /** Dotted quad. */
    static void appendIpv4(StringBuilder sb, long addr) {
        sb.append((addr >>> 24) & 0xff).append('.').append((addr >>> 16) & 0xff).append('.')
                .append((addr >>> 8) & 0xff).append('.').append(addr & 0xff);
    }

    /**
     * IPv6 text as glibc {@code inet_ntop} writes it (what OVS prints): the longest run of two
     * or more zero groups becomes {@code ::} (first such run on ties), and {@code ::a.b.c.d} /
     * {@code ::ffff:a.b.c.d} for IPv4-compatible / -mapped addresses.
     */
    static void appendIpv6(StringBuilder sb, long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestStart >= 0 && i >= bestStart && i < bestStart + bestLen) {
                if (i == bestStart) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestStart == 0 && (bestLen == 6 || (bestLen == 5 && g[5] == 0xffff))) {
                appendIpv4(sb, lo & 0xffffffffL);
                break;
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (bestStart >= 0 && bestStart + bestLen == 8) {
            sb.append(':');
        }
    }

    static final String[] TCP_FLAG_NAMES = {"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr", "ns", "[200]", "[400]", "[800]"};
    static final String[] CT_STATE_NAMES = {"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"};
    static final String[] TUN_FLAG_NAMES = {"oam", "df", "csum", "key"};

    /** OVS format_flags: names joined by {@code del}, lowest bit first; {@code 0} when empty. */
    static void appendFlags(StringBuilder sb, long flags, String[] names, char del) {
        if (flags == 0) {
            sb.append('0');
            return;
        }
        long bad = 0;
        boolean first = true;
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) == 0) {
                continue;
            }
            if (bit < names.length) {
                if (!first) {
                    sb.append(del);
                }
                first = false;
                sb.append(names[bit]);
            } else {
                bad |= 1L << bit;
            }
        }
        if (bad != 0) {
            if (!first) {
                sb.append(del);
            }
            sb.append("0x").append(Long.toHexString(bad));
        }
    }

    /** OVS format_flags_masked: {@code +name-name} over the mask bits, or {@code 0/0}. */
    static void appendFlagsMasked(StringBuilder sb, long flags, long mask, long maxMask, String[] names) {
        if (mask == maxMask) {
            appendFlags(sb, flags, names, '|');
            return;
        }
        if (mask == 0) {
            sb.append("0/0");
            return;
        }
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) != 0) {
                sb.append((flags & (1L << bit)) != 0 ? '+' : '-').append(bit < names.length ? names[bit] : "[Unknown]");
            }
        }
    }
}
