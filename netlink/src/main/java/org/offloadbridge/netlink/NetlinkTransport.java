package org.offloadbridge.netlink;

import java.nio.ByteBuffer;

/**
 * What {@link NetlinkConnection} needs from a socket. {@link NetlinkSocket} is the real
 * one; unit tests plug in a scripted kernel to drive the cases a live kernel will not
 * produce on demand (an interrupted dump, lost acks, stale replies).
 */
interface NetlinkTransport extends AutoCloseable {
    void send(ByteBuffer buffer, int offset, int length);

    /** See {@link NetlinkSocket#receive(int)}. */
    int receive(int timeoutMillis);

    ByteBuffer receiveBuffer();

    int portId();

    @Override
    void close();
}
