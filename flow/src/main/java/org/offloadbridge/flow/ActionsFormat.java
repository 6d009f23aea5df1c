package org.offloadbridge.flow;

import static org.offloadbridge.flow.MatchFormat.*;
import static org.offloadbridge.flow.ValueFormat.*;

import java.util.Locale;

/** Prints an action list as OVS's {@code format_odp_actions} does; {@link FlowFormat} is the public face. */
final class ActionsFormat {
    private ActionsFormat() {}

    static void appendActions(StringBuilder sb, Actions actions, PortNames names) {
        if (actions.isDrop()) {
            sb.append("drop");
            return;
        }
        boolean first = true;
        for (int pc = 0; pc < actions.programLength(); pc += Actions.length(actions.word(pc))) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            long h = actions.word(pc);
            int arg = Actions.arg(h);
            switch (Actions.type(h)) {
                case Actions.OUTPUT -> appendPort(sb, arg, names);
                case Actions.PUSH_VLAN -> {
                    sb.append("push_vlan(");
                    int tpid = arg >>> 16;
                    if (tpid != EthType.VLAN_8021Q) {
                        sb.append("tpid=0x").append(String.format(Locale.ROOT, "%04x", tpid)).append(',');
                    }
                    appendVlanTci(sb, arg & 0xfff, (arg >>> 13) & 7, (arg >>> 12) & 1, 0xfff, 7, false);
                    sb.append(')');
                }
                case Actions.POP_VLAN -> sb.append("pop_vlan");
                case Actions.SET -> appendSet(sb, actions, pc, names);
                case Actions.USERSPACE -> {
                    sb.append("userspace(pid=").append(arg & 0xffffffffL);
                    String extra = actions.userspaceArgs((int) actions.word(pc + 1));
                    if (!extra.isEmpty()) {
                        sb.append(',').append(extra);
                    }
                    sb.append(')');
                }
                default -> throw new IllegalStateException("corrupt action program at word " + pc);
            }
        }
    }

    private static void appendSet(StringBuilder sb, Actions actions, int pc, PortNames names) {
        long h = actions.word(pc);
        int arg = Actions.arg(h);
        boolean masked = (arg & Actions.SET_MASKED_FLAG) != 0;
        KeyAttr attr = Actions.attrById(arg & 0xffff);
        FlowKey k = new FlowKey();
        FlowMask mk = new FlowMask();
        for (int i = pc + 1; i + 2 < pc + Actions.length(h); i += 3) {
            Field f = Field.of((int) actions.word(i));
            k.set(f, actions.word(i + 1));
            mk.unwildcard(f, actions.word(i + 2));
        }
        sb.append("set(");
        if (attr == KeyAttr.TUNNEL) {
            // OVS prints a tunnel set with verbose formatting and no mask: every listed sub-attribute.
            sb.append("tunnel(");
            int start = sb.length();
            FlowMask listed = mk.copy();
            appendTunnel(sb, k, masked ? mk : null, true, listed);
            if (sb.length() > start && sb.charAt(sb.length() - 1) == ',') {
                sb.setLength(sb.length() - 1);
            }
            sb.append(')');
        } else if (masked) {
            // OVS: SET_MASKED prints as a non-verbose masked key attribute.
            appendAttr(sb, attr, k, mk, names, false);
        } else {
            appendAttr(sb, attr, k, null, names, true);
        }
        sb.append(')');
    }
}
