package org.offloadbridge.flow;

/**
 * One datapath flow as a dump shows it: match, actions, ufid and statistics — a line of
 * {@code ovs-appctl dpctl/dump-flows [-m]}. Printed by {@link FlowFormat#formatFlow}, parsed
 * by {@link FlowParser#parseFlow}.
 *
 * @param ufid          null when the line had none (non {@code -m} dumps)
 * @param key           the key as dumped (attrs say which attributes it holds)
 * @param mask          its mask
 * @param usedMillisAgo milliseconds since the last packet ({@code used:0.512s} = 512), -1 for {@code used:never}
 * @param tcpFlags      OR of TCP flags seen ({@code flags:S.}), 0 when not printed
 * @param offloaded     {@code "yes"} / {@code "partial"} or null (printed only when verbose)
 * @param dp            {@code "tc"}, {@code "ovs"}, {@code "dpdk"}… or null (printed only when verbose)
 * @param dpExtraInfo   the text after {@code dp-extra-info:} or null
 */
public record DpFlow(Ufid ufid, FlowKey key, FlowMask mask, long packets, long bytes, long usedMillisAgo, int tcpFlags,
                     String offloaded, String dp, Actions actions, String dpExtraInfo) {

    /** A flow line for a megaflow with its statistics. */
    public static DpFlow of(Megaflow m, long packets, long bytes, long usedMillisAgo, int tcpFlags, String offloaded, String dp) {
        return new DpFlow(m.ufid(), m.key(), m.mask(), packets, bytes, usedMillisAgo, tcpFlags, offloaded, dp, m.actions(), null);
    }

    /** The megaflow of this line; the ufid is {@link Ufid#of} the match when the line had none. */
    public Megaflow toMegaflow() {
        return new Megaflow(key, mask, actions, ufid != null ? ufid : Ufid.of(key, mask));
    }
}
