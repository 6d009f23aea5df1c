/**
 * Netlink sockets (NETLINK_ROUTE, NETLINK_GENERIC), the message/attribute codec, request/ack with errno and extack, dumps, batching, multicast, generic netlink family lookup and rtnetlink links.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.netlink;
