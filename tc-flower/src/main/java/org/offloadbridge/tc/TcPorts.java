package org.offloadbridge.tc;

/**
 * Datapath port number ⇄ kernel ifindex. A megaflow's {@code in_port} and {@code output(port)}
 * are datapath port numbers; tc speaks ifindexes. The daemon's port registry implements this;
 * {@link #IDENTITY} (port number = ifindex) serves the CLI and tests.
 */
public interface TcPorts {
    /** Port number = ifindex. */
    TcPorts IDENTITY = new TcPorts() {
        @Override
        public int ifindexOf(int port) {
            return port > 0 ? port : -1;
        }

        @Override
        public int portOf(int ifindex) {
            return ifindex;
        }
    };

    /** The ifindex of datapath port {@code port}, or -1 when unknown. */
    int ifindexOf(int port);

    /** The datapath port of {@code ifindex}, or -1 when unknown. */
    int portOf(int ifindex);
}
