package org.offloadbridge.netlink;

/**
 * Fault injection at the socket, for tests only: what the kernel does under memory pressure, a
 * busy table or a vanished device, on demand, while every other message still goes to the real
 * kernel.
 *
 * <h2>Off in production builds</h2>
 * The hook is looked up once with {@link java.util.ServiceLoader} when the first netlink socket
 * opens; nothing the project ships provides one (the {@code tests} module's test classes do, and
 * packaging's test checks the package holds no provider). Without a provider, sockets are used
 * directly — no wrapper, no branch on the path. With one, each socket opened while
 * {@link #active()} answers true goes through it.
 *
 * <h2>What each fault looks like to the caller</h2>
 * Exactly what the kernel would produce: {@link Fault.Kind#REFUSE} an {@code NLMSG_ERROR} with
 * the errno (the request never reaches the kernel); {@link Fault.Kind#ACK_LOST} the request is
 * done by the kernel but its echo and ack are dropped and the receive reports {@code ENOBUFS}, as
 * an overrun receive buffer does (applied to messages k.. of one sendmsg: a partial batch);
 * {@link Fault.Kind#REPLY_LOST} done, nothing comes back (the caller times out);
 * {@link Fault.Kind#DUMP_INTR} a dump's first datagram carries {@code NLM_F_DUMP_INTR};
 * {@link Fault.Kind#OPTION_IGNORED} a tc request reaches the kernel without one of its
 * {@code TCA_OPTIONS} attributes, as a kernel that does not know that attribute ignores it (the
 * filter then matches more than asked — what an install's echo is compared for). On an
 * event subscription, {@link #loseEvent} drops a datagram and reports {@code ENOBUFS}.
 */
public interface NetlinkFaultInjector {

    /** Whether a socket opened now goes through this injector (asked once per socket, at open). */
    boolean active();

    /**
     * One message about to be sent on a request socket (a {@link NetlinkConnection}): what to do
     * to it. Called on the sending thread with the connection's lock held, so it may act on the
     * world first (delete the device the request names: "gone between decision and install").
     *
     * @param index the message's index within this sendmsg (a batch sends many)
     */
    Fault onRequest(NetlinkProtocol protocol, int type, int flags, int index);

    /**
     * A datagram arrived on an event subscription; its first message is of {@code type}.
     *
     * @return true to drop it and report {@code ENOBUFS} instead, as when events overran the socket
     */
    boolean loseEvent(NetlinkProtocol protocol, int type);

    /** What happens to one request. */
    record Fault(Kind kind, int errno, int attribute) {
        public static final Fault NONE = new Fault(Kind.NONE, 0);

        public enum Kind {
            NONE,
            /** Not sent: answered by an {@code NLMSG_ERROR} carrying {@link #errno()} (EBUSY, ENOSPC, EINTR, ...). */
            REFUSE,
            /** Done by the kernel; its replies and ack are dropped and the receive fails with ENOBUFS. */
            ACK_LOST,
            /** Done by the kernel; its replies and ack never arrive (the request times out). */
            REPLY_LOST,
            /** A dump: its first reply datagram carries NLM_F_DUMP_INTR (the table changed mid-walk). */
            DUMP_INTR,
            /**
             * A tc request (struct tcmsg after the header) goes to the kernel without its
             * {@code TCA_OPTIONS} attribute of type {@link #attribute()}, as an older kernel
             * ignores one it does not know; the rest goes as sent.
             */
            OPTION_IGNORED
        }

        public Fault {
            if (kind == null || (kind == Kind.REFUSE) != (errno > 0) || (kind == Kind.OPTION_IGNORED) != (attribute > 0)) {
                throw new IllegalArgumentException("REFUSE takes a positive errno and OPTION_IGNORED an attribute type, and only they: "
                        + kind + " " + errno + " " + attribute);
            }
        }

        public Fault(Kind kind, int errno) {
            this(kind, errno, 0);
        }

        /** The request reaches the kernel without its TCA_OPTIONS attribute of type {@code attribute}. */
        public static Fault optionIgnored(int attribute) {
            return new Fault(Kind.OPTION_IGNORED, 0, attribute);
        }

        public static Fault refuse(Errno errno) {
            return new Fault(Kind.REFUSE, errno.value());
        }

        public static Fault of(Kind kind) {
            return new Fault(kind, 0);
        }
    }
}
