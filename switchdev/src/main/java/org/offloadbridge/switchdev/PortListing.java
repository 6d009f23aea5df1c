package org.offloadbridge.switchdev;

import java.util.ArrayList;
import java.util.List;

/**
 * The operator's view of a snapshot: like {@code devlink port show}, joined with the netdev
 * view — one line per netdev with role, e-switch, VF number, devlink port, e-switch mode and
 * hw-tc-offload — as aligned text or as JSON. Pure formatting, no I/O: the CLI and the
 * daemon's obctl print what this returns.
 */
public final class PortListing {
    /** Switch ids can be 32 bytes (netdevsim's are); the text view shows this many hex digits. */
    public static final int SWITCH_ID_DIGITS = 16;

    private PortListing() {
    }

    private static final String[] HEADER = {"NETDEV", "IFINDEX", "ROLE", "ESWITCH", "VF", "DEVLINK-PORT", "MODE", "HW-TC-OFFLOAD"};

    public static String text(SwitchdevModel.Snapshot s) {
        final List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Port p : s.ports().values()) {
            final Eswitch e = s.eswitchOf(p);
            final String key = p.eswitchKey();
            rows.add(new String[] {
                p.name(),
                Integer.toString(p.ifindex()),
                p.role().label(),
                key == null ? "-" : key.length() > SWITCH_ID_DIGITS && p.switchId() != null ? key.substring(0, SWITCH_ID_DIGITS) + "…" : key,
                function(p),
                p.devlinkPort() != null ? p.devlinkPort().id() : "-",
                e != null && e.mode() != null ? e.mode().label() : "-",
                p.hwTcOffload().label()});
        }
        final int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        final StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                b.append(r[i]);
                if (i < r.length - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            b.append('\n');
        }
        final List<Problem> problems = problems(s);
        if (!problems.isEmpty()) {
            b.append("\nproblems:\n");
            problems.forEach(p -> b.append("  ").append(p).append('\n'));
        }
        return b.toString();
    }

    /** VF column: {@code 3}, {@code sf88}, {@code pf0}, {@code c1:3} for another controller's VF, or {@code -}. */
    static String function(Port p) {
        final String c = p.external() && p.controller() >= 0 ? "c" + p.controller() + ":" : "";
        return switch (p.role()) {
            case VF_REPRESENTOR -> c + p.vf();
            case SF_REPRESENTOR -> c + "sf" + p.sf();
            case HOST_PF_REPRESENTOR -> c + "pf" + p.pf();
            default -> "-";
        };
    }

    private static List<Problem> problems(SwitchdevModel.Snapshot s) {
        final List<Problem> all = new ArrayList<>(s.problems());
        s.ports().values().forEach(p -> all.addAll(p.problems()));
        s.eswitches().values().forEach(e -> all.addAll(e.problems()));
        return all;
    }

    public static String json(SwitchdevModel.Snapshot s) {
        final StringBuilder b = new StringBuilder("{\"ports\":[");
        boolean first = true;
        for (Port p : s.ports().values()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            final Eswitch e = s.eswitchOf(p);
            b.append('{');
            field(b, "netdev", p.name()).append(',');
            b.append("\"ifindex\":").append(p.ifindex()).append(',');
            field(b, "role", p.role().label()).append(',');
            field(b, "eswitch", p.eswitchKey()).append(',');
            field(b, "switch_id", p.switchId() == null ? null : p.switchId().toString()).append(',');
            field(b, "phys_port_name", p.physPortName() == null ? null : p.physPortName().raw()).append(',');
            num(b, "controller", p.controller()).append(',');
            num(b, "pf", p.pf()).append(',');
            num(b, "vf", p.vf()).append(',');
            num(b, "sf", p.sf()).append(',');
            b.append("\"external\":").append(p.external()).append(',');
            field(b, "devlink", p.devlink() == null ? null : p.devlink().toString()).append(',');
            field(b, "devlink_port", p.devlinkPort() == null ? null : p.devlinkPort().id()).append(',');
            field(b, "flavour", p.devlinkPort() == null || p.devlinkPort().flavour() == null ? null
                    : p.devlinkPort().flavour().iproute2Name()).append(',');
            field(b, "mode", e != null && e.mode() != null ? e.mode().label() : null).append(',');
            field(b, "hw_tc_offload", switch (p.hwTcOffload()) {
                case ON, FIXED_ON -> "on";
                case OFF, FIXED_OFF -> "off";
                case UNKNOWN -> null;
            }).append(',');
            b.append("\"hw_tc_offload_fixed\":").append(p.hwTcOffload() == HwTcOffload.FIXED_ON
                    || p.hwTcOffload() == HwTcOffload.FIXED_OFF).append(',');
            field(b, "kind", p.linkKind()).append(',');
            problemsArray(b, p.problems());
            b.append('}');
        }
        b.append("],\"eswitches\":[");
        first = true;
        for (Eswitch e : s.eswitches().values()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('{');
            field(b, "key", e.key()).append(',');
            field(b, "devlink", e.devlink() == null ? null : e.devlink().toString()).append(',');
            field(b, "mode", e.mode() == null ? null : e.mode().label()).append(',');
            field(b, "inline_mode", e.state() == null || e.state().inlineMode() == null ? null : e.state().inlineMode().label()).append(',');
            field(b, "encap_mode", e.state() == null || e.state().encapMode() == null ? null : e.state().encapMode().label()).append(',');
            b.append("\"uplinks\":");
            names(b, e.uplinks());
            b.append(",\"vf_representors\":{");
            boolean f2 = true;
            for (var vf : e.vfRepresentors().entrySet()) {
                if (!f2) {
                    b.append(',');
                }
                f2 = false;
                field(b, Integer.toString(vf.getKey()), vf.getValue().name());
            }
            b.append("},\"representors\":");
            names(b, e.representors());
            b.append(',');
            problemsArray(b, e.problems());
            b.append('}');
        }
        b.append("],");
        problemsArray(b, s.problems());
        return b.append("}\n").toString();
    }

    private static void names(StringBuilder b, List<Port> ports) {
        b.append('[');
        for (int i = 0; i < ports.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, ports.get(i).name());
        }
        b.append(']');
    }

    private static void problemsArray(StringBuilder b, List<Problem> problems) {
        b.append("\"problems\":[");
        for (int i = 0; i < problems.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            field(b, "where", problems.get(i).where()).append(',');
            field(b, "what", problems.get(i).what()).append('}');
        }
        b.append(']');
    }

    private static StringBuilder num(StringBuilder b, String k, long v) {
        string(b, k);
        return b.append(':').append(v < 0 ? "null" : Long.toString(v));
    }

    private static StringBuilder field(StringBuilder b, String k, String v) {
        string(b, k);
        b.append(':');
        if (v == null) {
            return b.append("null");
        }
        string(b, v);
        return b;
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
