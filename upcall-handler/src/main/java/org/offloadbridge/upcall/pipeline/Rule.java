package org.offloadbridge.upcall.pipeline;

import org.offloadbridge.flow.OffloadPreference;
import java.util.List;

/**
 * One parsed rule ({@code ovs-ofctl add-flow} line).
 *
 * @param table    0..254
 * @param priority 0..65535, default 32768
 * @param cookie   opaque, default 0
 * @param match    what the rule matches
 * @param actions  what it does; empty = drop
 * @param offload  the offload= extension, default {@link OffloadPreference#PREFERRED}
 * @param line     1-based line in the rules file it came from (0 when added alone)
 * @param text     the source text, for diagnostics
 */
public record Rule(int table, int priority, long cookie, Match match, List<OfAction> actions,
                   OffloadPreference offload, int line, String text) {
    public static final int DEFAULT_PRIORITY = 32768;
    public static final int MAX_TABLE = 254;

    public Rule {
        actions = List.copyOf(actions);
    }

    /** The rule in ovs-ofctl syntax as we would print it (canonical, no shorthands). */
    public String toOfctlString() {
        StringBuilder sb = new StringBuilder();
        if (cookie != 0) {
            sb.append("cookie=0x").append(Long.toHexString(cookie)).append(", ");
        }
        sb.append("table=").append(table).append(", priority=").append(priority);
        String m = match.toString();
        if (!m.isEmpty()) {
            sb.append(',').append(m);
        }
        if (offload != OffloadPreference.PREFERRED) {
            sb.append(",offload=").append(offload.text());
        }
        sb.append(" actions=");
        if (actions.isEmpty()) {
            sb.append("drop");
        }
        for (int i = 0; i < actions.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(actions.get(i));
        }
        return sb.toString();
    }
}
