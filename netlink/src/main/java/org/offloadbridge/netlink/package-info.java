/**
 * Netlink, the way every other module talks to the kernel: a codec with no I/O, a socket
 * layer, and protocol helpers on top — the layering of OVS's lib/netlink.c →
 * netlink-socket.c → tc.c.
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
 *   <li><b>Sockets</b>: {@link org.offloadbridge.netlink.NetlinkSocket} (one fd, not
 *       thread-safe); {@link org.offloadbridge.netlink.NetlinkConnection} (the thread-safe
 *       request path: acks, extack, echo, dumps, batches);
 *       {@link org.offloadbridge.netlink.NetlinkSubscription} (multicast events, loss
 *       reported); {@link org.offloadbridge.netlink.NetNs} (open sockets inside a named
 *       network namespace).</li>
 *   <li><b>Protocols</b>: {@link org.offloadbridge.netlink.RtnlLinks} /
 *       {@link org.offloadbridge.netlink.LinkInfo} (rtnetlink links),
 *       {@link org.offloadbridge.netlink.GenericNetlink} /
 *       {@link org.offloadbridge.netlink.GenlFamily} (generic netlink families).</li>
 *   <li><b>Errors</b>: {@link org.offloadbridge.netlink.NetlinkException} (operation, errno,
 *       kernel extack text and offset), {@link org.offloadbridge.netlink.Errno}.</li>
 *   <li><b>Constants</b>: {@code org.offloadbridge.netlink.uapi}, one class per kernel uapi header.</li>
 * </ul>
 * See docs/netlink.md for the layering, threading and error model.
 */
package org.offloadbridge.netlink;
