/**
 * The shared vocabulary of datapath flows: flow key and mask, actions, megaflows and ufids,
 * the packet parser, and the OVS-compatible text format.
 *
 * <h2>Shape</h2>
 * {@link org.offloadbridge.flow.FlowKey} and {@link org.offloadbridge.flow.FlowMask} are the
 * same flat array of {@link org.offloadbridge.flow.Field#WORDS} {@code long} words (OVS's
 * {@code struct flow} seen as u64 words). {@link org.offloadbridge.flow.Field} is the one
 * descriptor table: each field's word, shift, width and OVS name. Everything generic goes
 * through it — the text format, the rule pipeline's "which fields did this lookup consult"
 * (un-wildcard = {@code mask.setExact(field)}), and tc-flower's field → flower attribute map.
 * Fields never straddle words and are at most 64 bits, so 128-bit addresses are HI/LO pairs;
 * that keeps every operation a loop of word ands/xors with no special cases.
 *
 * <p>Why one flat array rather than OVS's miniflow (a compressed sparse copy): the key is
 * 248 bytes and a full masked compare is 31 and/xor steps — cheap next to a cache miss —
 * and keeping one representation means no conversion on the hot path. Classifiers that want
 * miniflow's benefit take {@link org.offloadbridge.flow.FlowMask#wordBitmap()} once per
 * subtable and visit only those words ({@link org.offloadbridge.flow.FlowKey#maskedHash}
 * already skips zero mask words).
 *
 * <p>Keys are mutable and reusable (one per thread on hot paths); {@code equals}/{@code
 * hashCode} are over the words, so a reused probe key looks up a map of stored copies without
 * allocating. Stored keys (e.g. in a {@link org.offloadbridge.flow.Megaflow}) are never
 * mutated afterwards. A key also carries {@link org.offloadbridge.flow.FlowKey#attrs()}, the
 * set of OVS key attributes present (which headers the packet had, which attributes a dump
 * line listed) — used by the text format, never by matching.
 *
 * <h2>Actions</h2>
 * {@link org.offloadbridge.flow.Actions} is immutable and stored as a {@code long[]} program
 * (documented in the class) that a datapath walks without allocation; {@link
 * org.offloadbridge.flow.Action} records are the decoded view for control-plane code.
 * The empty list is drop. A set is one OVS key attribute with (field, value, mask) triples,
 * masked or not; a tunnel set is a set of {@link org.offloadbridge.flow.KeyAttr#TUNNEL}.
 * {@code userspace} makes a list non-offloadable.
 *
 * <h2>Packets and text</h2>
 * {@link org.offloadbridge.flow.PacketParser} fills a key from frame bytes in any
 * {@link java.lang.foreign.MemorySegment} (DPDK mbufs, heap arrays) without allocating and
 * returns a {@link org.offloadbridge.flow.ParseStatus} code instead of throwing; its results
 * are checked field by field against Open vSwitch's own {@code flow_extract} (ovs-ofctl
 * parse-pcap) on every truncation and on mutated frames. {@link
 * org.offloadbridge.flow.FlowFormat} and {@link org.offloadbridge.flow.FlowParser} print and
 * read the {@code ovs-appctl dpctl/dump-flows [-m]} text; docs/flow-format.md describes it.
 * Translation starts from {@link org.offloadbridge.flow.FlowMask#setDatapathBaseline}, which
 * matches VLAN tag presence because {@code eth_type} is the innermost ethertype.
 *
 * <h2>Upcalls</h2>
 * A packet that misses every installed flow is an {@link org.offloadbridge.flow.Upcall}; the one
 * bounded {@link org.offloadbridge.flow.UpcallQueue} carries it from a datapath's miss path (the
 * DPDK PMD threads, deduplicating by key; or the daemon's socket slow path) to the handler
 * threads, which see it only as an {@link org.offloadbridge.flow.UpcallSource} — the seam on the
 * way up, as {@link org.offloadbridge.flow.FlowTarget} is the seam on the way down.
 *
 * <h2>Identity</h2>
 * {@link org.offloadbridge.flow.Ufid} defaults to a hash of the megaflow's match (OVS uses a
 * random per-process secret): the same megaflow gets the same ufid after a restart, so flows
 * found in tc (ufid = action cookie) are recognised.
 */
package org.offloadbridge.flow;
