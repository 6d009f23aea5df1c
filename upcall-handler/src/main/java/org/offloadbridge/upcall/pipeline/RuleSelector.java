package org.offloadbridge.upcall.pipeline;

/**
 * Which rules an {@code ovs-ofctl del-flows} selects ({@link RuleParser#parseSelector}).
 *
 * <p>Non-strict ({@link #covers}), OVS's default: every rule the match <em>covers</em> — a rule
 * is selected when, on each field the selector constrains, the rule constrains at least those
 * bits to the same values (it is as specific or more), in the given table or any table, with a
 * cookie that agrees under the mask. Priority plays no part. Strict ({@link #selectsStrict},
 * {@code --strict}): the rule's match is exactly the selector's, at its priority (32768 when
 * none is given).
 *
 * @param table      the table, or -1 for every table
 * @param cookie     the cookie value (already masked)
 * @param cookieMask the cookie mask: 0 ignores cookies, -1 (no mask given) compares all bits
 * @param priority   the priority, or -1 when none was given
 * @param match      the match
 */
public record RuleSelector(int table, long cookie, long cookieMask, int priority, Match match) {
    /** Selects every rule: {@code del-flows} with no match. */
    public static final RuleSelector ALL = new RuleSelector(-1, 0, 0, -1, Match.any());

    private boolean tableAndCookie(Rule r) {
        return (table < 0 || r.table() == table) && (r.cookie() & cookieMask) == cookie;
    }

    /** OVS's non-strict selection (a loose match). */
    public boolean covers(Rule r) {
        if (!tableAndCookie(r)) {
            return false;
        }
        Match m = r.match();
        for (MatchField f : match.fields()) {
            long want = match.mask(f);
            long wantHi = match.maskHi(f);
            if ((want & ~m.mask(f)) != 0 || (wantHi & ~m.maskHi(f)) != 0) {
                return false; // the rule is wider than the selector on this field
            }
            if ((m.value(f) & want) != match.value(f) || (m.valueHi(f) & wantHi) != match.valueHi(f)) {
                return false;
            }
        }
        return true;
    }

    /** {@code --strict}: this exact match at this priority. */
    public boolean selectsStrict(Rule r) {
        int p = priority < 0 ? Rule.DEFAULT_PRIORITY : priority;
        return tableAndCookie(r) && r.priority() == p && r.match().equals(match);
    }
}
