/**
 * Netlink, the way every other module talks to the kernel: a codec with no I/O, sockets,
 * and protocol helpers on top.
 *
 * <ul>
 *   <li><b>Codec</b> (no I/O, no allocation in steady state):
 *       {@link org.offloadbridge.netlink.NetlinkMessageWriter} builds messages (fixed headers
 *       {@link org.offloadbridge.netlink.IfInfoMsg}, {@link org.offloadbridge.netlink.TcMsg},
 *       {@link org.offloadbridge.netlink.GenlMsgHdr}; attributes; nested attributes with their
 *       length patched at the end); {@link org.offloadbridge.netlink.NetlinkMessageCursor},
 *       {@link org.offloadbridge.netlink.AttributeTable} and
 *       {@link org.offloadbridge.netlink.AttributeCursor} read them back with every length
 *       checked, failing with {@link org.offloadbridge.netlink.NetlinkParseException} naming
 *       the offset.</li>
 *   <li><b>Constants</b>: {@code org.offloadbridge.netlink.uapi}, one class per kernel uapi header.</li>
 * </ul>
 * See docs/netlink.md for the layering, threading and error model.
 */
package org.offloadbridge.netlink;
