package org.offloadbridge.switchdev;

import java.util.Objects;

/**
 * A parsed {@code phys_port_name}: what a switch port says it is.
 *
 * <p>The kernel builds the name in {@code __devlink_port_phys_port_name_get()} (net/devlink)
 * from the devlink port's flavour and numbers; mlx5 and netdevsim both go through it:
 *
 * <pre>
 *   PHYSICAL            p&lt;port&gt;            p0, p1        (split: p&lt;port&gt;s&lt;sub&gt;, p0s1)
 *   PCI_PF   [c&lt;ctrl&gt;]pf&lt;pf&gt;              pf0, c1pf0    (BlueField host PF representor)
 *   PCI_VF   [c&lt;ctrl&gt;]pf&lt;pf&gt;vf&lt;vf&gt;        pf0vf3, c1pf0vf2
 *   PCI_SF   [c&lt;ctrl&gt;]pf&lt;pf&gt;sf&lt;sf&gt;        pf1sf12
 * </pre>
 *
 * The {@code c<ctrl>} prefix appears only for an <em>external</em> controller (a host on the
 * other side of a BlueField); without it the controller is the local one (0). Kernels
 * before 5.0 let mlx5 print the bare VF index ({@code "%d", vport - 1}); that legacy form is
 * {@link Kind#LEGACY_VF}. Anything else — another driver's scheme, a typo, a number that
 * overflows the kernel field — is {@link Kind#UNKNOWN} with the raw text kept, never guessed.
 *
 * <p>Numbers follow the kernel's {@code %u}: decimal without sign or leading zeros, within the
 * kernel field width (pf and vf are u16, port, sf and controller u32).
 *
 * @param kind       what the name says the port is
 * @param raw        the text as read from the kernel
 * @param controller the external controller number, or -1 when the name has no {@code c} prefix
 * @param pf         PCI PF number, or -1
 * @param vf         PCI VF number, or -1
 * @param sf         subfunction number, or -1
 * @param port       physical port number, or -1
 * @param subport    split subport number, or -1
 */
public record PhysPortName(Kind kind, String raw, long controller, int pf, int vf, long sf, long port, long subport) {

    /** What a phys_port_name says. */
    public enum Kind {
        /** {@code p0}, {@code p0s1}: a physical port — the uplink. */
        PHYSICAL,
        /** {@code pf0}, {@code c1pf0}: the e-switch port facing a PCI PF (a host PF on BlueField). */
        PCI_PF,
        /** {@code pf0vf3}, {@code c1pf0vf2}: the e-switch port facing a PCI VF. */
        PCI_VF,
        /** {@code pf1sf12}: the e-switch port facing a subfunction. */
        PCI_SF,
        /** A bare VF index ({@code 3}), as mlx5 printed it before Linux 5.0. */
        LEGACY_VF,
        /** Not a form we know; see {@link #raw()}. */
        UNKNOWN
    }

    private static final long U16_MAX = 0xFFFFL;
    private static final long U32_MAX = 0xFFFF_FFFFL;

    public PhysPortName {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(raw, "raw");
    }

    /** True when the name has the {@code c<n>} prefix of an external controller. */
    public boolean external() {
        return controller >= 0;
    }

    /** Parses one phys_port_name. Never throws: what it does not know is {@link Kind#UNKNOWN}. */
    public static PhysPortName parse(String raw) {
        Objects.requireNonNull(raw, "raw");
        final Cursor c = new Cursor(raw);
        if (raw.isEmpty()) {
            return unknown(raw);
        }
        if (isDigit(raw.charAt(0))) {
            final long idx = c.number(U16_MAX);
            return idx >= 0 && c.atEnd() ? new PhysPortName(Kind.LEGACY_VF, raw, -1, -1, (int) idx, -1, -1, -1) : unknown(raw);
        }
        if (raw.startsWith("pf") || raw.startsWith("c")) {
            long controller = -1;
            if (c.accept("c")) {
                controller = c.number(U32_MAX);
                if (controller < 0) {
                    return unknown(raw);
                }
            }
            if (!c.accept("pf")) {
                return unknown(raw);
            }
            final long pf = c.number(U16_MAX);
            if (pf < 0) {
                return unknown(raw);
            }
            if (c.atEnd()) {
                return new PhysPortName(Kind.PCI_PF, raw, controller, (int) pf, -1, -1, -1, -1);
            }
            if (c.accept("vf")) {
                final long vf = c.number(U16_MAX);
                return vf >= 0 && c.atEnd()
                        ? new PhysPortName(Kind.PCI_VF, raw, controller, (int) pf, (int) vf, -1, -1, -1) : unknown(raw);
            }
            if (c.accept("sf")) {
                final long sf = c.number(U32_MAX);
                return sf >= 0 && c.atEnd()
                        ? new PhysPortName(Kind.PCI_SF, raw, controller, (int) pf, -1, sf, -1, -1) : unknown(raw);
            }
            return unknown(raw);
        }
        if (c.accept("p")) {
            final long port = c.number(U32_MAX);
            if (port < 0) {
                return unknown(raw);
            }
            if (c.atEnd()) {
                return new PhysPortName(Kind.PHYSICAL, raw, -1, -1, -1, -1, port, -1);
            }
            if (c.accept("s")) {
                final long sub = c.number(U32_MAX);
                return sub >= 0 && c.atEnd() ? new PhysPortName(Kind.PHYSICAL, raw, -1, -1, -1, -1, port, sub) : unknown(raw);
            }
        }
        return unknown(raw);
    }

    private static PhysPortName unknown(String raw) {
        return new PhysPortName(Kind.UNKNOWN, raw, -1, -1, -1, -1, -1, -1);
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    @Override
    public String toString() {
        return kind == Kind.UNKNOWN ? "unknown(" + raw + ")" : raw;
    }

    /** A position in the text; number() and accept() advance it only on success. */
    private static final class Cursor {
        private final String s;
        private int i;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return i == s.length();
        }

        boolean accept(String token) {
            if (s.startsWith(token, i)) {
                i += token.length();
                return true;
            }
            return false;
        }

        /** A %u number no larger than max, or -1 (no digits, leading zero, overflow). */
        long number(long max) {
            final int start = i;
            long v = 0;
            while (i < s.length() && isDigit(s.charAt(i))) {
                v = v * 10 + (s.charAt(i) - '0');
                if (v > max) {
                    return -1;
                }
                i++;
            }
            final int len = i - start;
            if (len == 0 || (len > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            return v;
        }
    }
}
