package org.offloadbridge.daemon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.daemon.config.ConfigParser;
import org.offloadbridge.netlink.NetNs;
import org.offloadbridge.testkit.Topology;

/**
 * Who can reach the Prometheus endpoint, on this machine's kernel with real sockets: by default
 * only the host itself (loopback), and another address only when {@code [metrics] listen} names
 * it. The endpoint runs in a namespace of the test's own ("srv", address 10.94.0.1 on a veth)
 * with a second namespace ("peer", 10.94.0.2) on the other end of the veth standing for another
 * machine on the network; every connection goes to loopback or to those two addresses. The
 * listen address comes from {@link ConfigParser}, as {@code offload-bridge run} gets it, and is
 * given to {@link MetricsServer#start} as {@code run} gives it.
 */
@Tag("host")
class MetricsListenHostTest {
    private static final String SRV = "10.94.0.1";
    private static final String PEER = "10.94.0.2";
    private static final Path CONF = Path.of("/etc/offload-bridge/offload-bridge.conf");

    private Topology t;
    private NetNs srv;
    private NetNs peer;
    private MetricsServer server;

    @BeforeEach
    void network() {
        t = Topology.create("metrics");
        Topology.Host s = t.host("srv");
        Topology.Host p = t.host("peer");
        t.veth(s, "m0", p, "m1");
        s.addr("m0", SRV + "/24");
        p.addr("m1", PEER + "/24");
        srv = NetNs.open(s.name());
        peer = NetNs.open(p.name());
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        if (srv != null) {
            srv.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (t != null) {
            t.close();
        }
    }

    /** The endpoint as {@code offload-bridge run} starts it from a config file with {@code text}, in the srv namespace. */
    private InetSocketAddress serve(String text) throws Exception {
        Config cfg = new ConfigParser(1).parse(CONF, text);
        InetSocketAddress listen = cfg.metrics().listen().orElseThrow(() -> new AssertionError("metrics turned off by: " + text));
        server = srv.call(() -> MetricsServer.start(MetricsServer.newRegistry(), new Scrapes(), listen));
        return listen;
    }

    /**
     * {@code GET /metrics} from inside {@code ns} (the socket is made on the namespace's thread, so
     * it lives there): the status line and body, or {@code "refused"} when the kernel answered the
     * connection with a reset (ECONNREFUSED). Anything else — a timeout, no route — is an error.
     */
    private static String get(NetNs ns, String ip, int port) throws Exception {
        return ns.call(() -> {
            try (Socket sock = new Socket()) {
                try {
                    sock.connect(new InetSocketAddress(ip, port), 5_000);
                } catch (ConnectException e) {
                    if (String.valueOf(e.getMessage()).contains("Connection refused")) {
                        return "refused";
                    }
                    throw e;
                }
                sock.setSoTimeout(10_000);
                OutputStream out = sock.getOutputStream();
                out.write(("GET /metrics HTTP/1.1\r\nHost: " + ip + ":" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = sock.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError("GET http://" + ip + ":" + port + "/metrics from " + ns.name() + ": " + e, e);
            }
        });
    }

    private static void served(String reply, String where) {
        assertTrue(reply.startsWith("HTTP/1.1 200 "), where + ": " + head(reply));
        assertTrue(reply.contains("\nprocess_cpu_seconds_total "), where + ": a scrape, not some other page: " + head(reply));
    }

    private static String head(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** The local addresses of the TCP sockets listening in the srv namespace, as the kernel lists them ({@code ss -Hltn}). */
    private List<String> listening() {
        return NetNs.run("ip", "netns", "exec", srv.name(), "ss", "-Hltn").lines()
            .map(l -> l.trim().split("\\s+"))
            .map(f -> f[3])
            .toList();
    }

    @Test
    void byDefaultOnlyLoopbackIsServed() throws Exception {
        InetSocketAddress listen = serve(""); // an empty file: every key its default
        assertEquals(Config.DEFAULT_METRICS_LISTEN, listen);
        assertTrue(listen.getAddress().isLoopbackAddress(), "the default listen address is loopback: " + listen);
        int port = listen.getPort();

        served(get(srv, "127.0.0.1", port), "127.0.0.1 on the host itself");
        assertEquals("refused", head(get(srv, SRV, port)), "the host's own non-loopback address");
        assertEquals("refused", head(get(peer, SRV, port)), "another machine on the network");
        List<String> sockets = listening();
        assertEquals(1, sockets.size(), "one listening socket: " + sockets);
        assertTrue(List.of("127.0.0.1:" + port, "[::ffff:127.0.0.1]:" + port).contains(sockets.get(0)),
            "bound to loopback, not a wildcard: " + sockets);
    }

    @Test
    void theShippedConfigFileKeepsTheDefault() throws Exception {
        // packaging/offload-bridge.conf, as the package installs it at /etc/offload-bridge/offload-bridge.conf
        Path shipped = Path.of("..", "packaging", "offload-bridge.conf");
        InetSocketAddress listen = serve(Files.readString(shipped));
        assertTrue(listen.getAddress().isLoopbackAddress(), shipped + " listens on " + listen);
        assertEquals("refused", head(get(peer, SRV, listen.getPort())), "another machine on the network");
        served(get(srv, "127.0.0.1", listen.getPort()), "127.0.0.1 on the host itself");
    }

    @Test
    void aConfiguredAddressIsServedThere() throws Exception {
        InetSocketAddress listen = serve("[metrics]\nlisten = \"" + SRV + ":9477\"\n");
        served(get(peer, SRV, 9477), "another machine, to the configured address");
        served(get(srv, SRV, 9477), "the host itself, to the configured address");
        assertEquals("refused", head(get(srv, "127.0.0.1", 9477)), "only the address configured: " + listen);
    }

    @Test
    void theWildcardAddressIsServedEverywhere() throws Exception {
        serve("[metrics]\nlisten = \"0.0.0.0:9477\"\n");
        served(get(peer, SRV, 9477), "another machine");
        served(get(srv, "127.0.0.1", 9477), "loopback");
    }
}
