package org.offloadbridge.daemon.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.agrona.concurrent.Agent;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlProtocol.Request;
import org.offloadbridge.flow.MonotonicClock;

/**
 * The daemon's end of the control socket, as an Agent: every {@link #doWork()} accepts,
 * reads, dispatches and writes without blocking, on one thread, with no thread per
 * connection. Handlers run on that thread too (see {@link CommandHandler}). One wait: while a
 * reply is still being written and nothing is ready, {@code doWork} waits in select up to
 * {@link #WRITE_WAIT_MILLIS} for the client to drain its socket (instead of returning to an
 * idle sleep), so a large reply goes out as fast as the client reads it.
 *
 * <p>A connection's life: accepted → peer credentials checked (a refused peer is answered and
 * closed without its request being read) → one request frame read, at most
 * {@link ControlProtocol#MAX_REQUEST_BYTES} → dispatched → the reply written → closed. A
 * connection that has not delivered its whole request within the request timeout, or not taken
 * its whole reply within the reply timeout, is closed; so is one that goes away mid-request.
 * At most {@code maxConnections} are open at once; one more is told the daemon is busy.
 *
 * <p>The socket file is made mode 0660 and given to the control group at {@link #open()}; a
 * stale socket left by a dead daemon is replaced, a live one is an error.
 */
public final class ControlServer implements Agent, AutoCloseable {
    /** How a server is set up. */
    public record Context(Path socket, String group, PeerPolicy policy, MonotonicClock clock,
            long requestTimeoutMillis, long replyTimeoutMillis, int maxConnections) {
        public Context {
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(clock, "clock");
        }

        /** 5 s to send a request, 60 s to take a reply, 64 connections at once. */
        public static Context of(Path socket, String group) {
            return new Context(socket, group, PeerPolicy.forGroup(group), MonotonicClock.SYSTEM, 5_000, 60_000, 64);
        }
    }

    /**
     * The server's counters, one snapshot; readable from any thread while the agent runs.
     *
     * @param refusedPeers        peers refused on their credentials since start
     * @param timedOutConnections connections closed for being too slow since start
     * @param busyRejections      connections turned away because too many were open
     */
    public record Counters(long refusedPeers, long timedOutConnections, long busyRejections) {
    }

    private record Command(String usage, String description, CommandHandler.WithInput handler) {
    }

    /**
     * The longest {@link #doWork()} waits in select, only while a reply is being written and
     * nothing is ready: no longer than the daemon's idle sleep (2 ms), so a client that reads
     * slowly holds the thread no longer than idling would.
     */
    static final long WRITE_WAIT_MILLIS = 1;

    /** The most of a reply one write hands the socket (more than its buffer, net.core.wmem_default 208 KB). */
    static final int WRITE_CHUNK = 256 << 10;

    private final Context ctx;
    private final Map<String, Command> commands = new TreeMap<>();
    private final List<Conn> conns = new ArrayList<>();
    private ServerSocketChannel server;
    private Selector selector;
    /** Counters: written by the agent thread with opaque stores, read from any thread. */
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public ControlServer(Context ctx) {
        this.ctx = ctx;
        register("list-commands", "", args -> Reply.ok(listCommands()));
    }

    /**
     * Adds a command. {@code usage} is the argument syntax after the name ({@code "[type=...] [-m]"});
     * {@code obctl NAME --help} prints it, and so does {@code list-commands}.
     */
    public ControlServer register(String name, String usage, CommandHandler handler) {
        return register(name, usage, "", handler);
    }

    /**
     * Adds a command with a description: {@code obctl NAME --help} prints the usage line, then
     * the description (what it does, its arguments, what it prints).
     */
    public ControlServer register(String name, String usage, String description, CommandHandler handler) {
        return register(name, usage, description, (CommandHandler.WithInput) (args, input) -> handler.handle(args));
    }

    /** Adds a command that also takes the text a client sends along ({@code add-flows FILE}). */
    public ControlServer register(String name, String usage, String description, CommandHandler.WithInput handler) {
        if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("command name \"" + name + "\" must be one word");
        }
        if (commands.putIfAbsent(name, new Command(usage, description, handler)) != null) {
            throw new IllegalArgumentException("command " + name + " is already registered");
        }
        return this;
    }

    /** Binds the socket, sets its mode and group. Separate from onStart so a failure stops start-up. */
    public void open() throws IOException {
        Path p = ctx.socket();
        if (Files.exists(p)) {
            replaceStale(p);
        }
        Files.createDirectories(p.toAbsolutePath().getParent());
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(p), 64);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw----"));
            if (ctx.group() != null) {
                GroupPrincipal g;
                try {
                    g = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(ctx.group());
                } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
                    throw new IOException("control socket group " + ctx.group() + " does not exist (create it, or set [control] group)", e);
                }
                Files.getFileAttributeView(p, PosixFileAttributeView.class).setGroup(g);
            }
            ch.configureBlocking(false);
            selector = Selector.open();
            ch.register(selector, SelectionKey.OP_ACCEPT);
            server = ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(p);
            throw e;
        }
    }

    private static void replaceStale(Path p) throws IOException {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            throw new IOException("control socket " + p + " is in use: another offload-bridge is running");
        } catch (java.net.ConnectException e) {
            Files.delete(p); // nobody listens: left by a daemon that died
        }
    }

    @Override
    public String roleName() {
        return "control";
    }

    @Override
    public int doWork() throws IOException {
        if (selector == null) {
            return 0;
        }
        int work = 0;
        // keys a select() in await() chose are in selectedKeys() already
        if (selector.selectNow() == 0 && selector.selectedKeys().isEmpty() && replying()) {
            // A reply is going out and its socket is full: wait for the client to take more, at
            // most WRITE_WAIT_MILLIS. Returning at once would have a sleeping idle strategy sleep
            // its whole period with the socket drained long before, once per socket buffer
            // (~200 KB): a dump of tens of MB would take a second or more of sleeps.
            selector.select(WRITE_WAIT_MILLIS);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            if (!k.isValid()) {
                continue;
            }
            work++;
            if (k.isAcceptable()) {
                accept();
            } else {
                Conn c = (Conn) k.attachment();
                try {
                    if (k.isReadable()) {
                        c.read();
                    }
                    if (k.isValid() && k.isWritable()) {
                        c.write();
                    }
                } catch (IOException e) {
                    c.close(); // the peer went away (EPIPE, ECONNRESET): nothing to tell it
                }
            }
        }
        long now = ctx.clock().millis();
        for (int i = conns.size() - 1; i >= 0; i--) {
            Conn c = conns.get(i);
            if (now >= c.deadline) {
                timedOut.setOpaque(timedOut.getPlain() + 1);
                c.close();
                work++;
            }
        }
        return work;
    }

    /**
     * Blocks until a connection or a client's bytes are ready or {@code timeoutMillis} passed
     * (the runner's idle strategy: an idle control socket costs no CPU); {@link #doWork} then
     * serves what the wait selected.
     */
    public void await(int timeoutMillis) {
        if (selector == null) {
            return;
        }
        try {
            selector.select(timeoutMillis);
        } catch (IOException e) {
            // the next doWork() meets the same failure and reports it
        }
    }

    /** True while some connection has reply bytes its socket has not taken yet. */
    private boolean replying() {
        for (int i = 0; i < conns.size(); i++) {
            ByteBuffer out = conns.get(i).out;
            if (out != null && out.hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            Conn c = new Conn(ch);
            conns.add(c);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            if (conns.size() > ctx.maxConnections()) {
                rejected.setOpaque(rejected.getPlain() + 1);
                c.reply(Reply.failed("the daemon is busy: " + ctx.maxConnections() + " control connections are open; try again"));
                continue;
            }
            String why;
            try {
                UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                why = ctx.policy().refusal(peer);
            } catch (IOException | UnsupportedOperationException e) {
                why = "permission denied: the peer's credentials cannot be read (" + e + ")";
            }
            if (why != null) {
                refused.setOpaque(refused.getPlain() + 1);
                c.reply(Reply.failed(why));
            }
        }
    }

    Reply dispatch(Request r) {
        Command cmd = commands.get(r.command());
        if (cmd == null) {
            return Reply.usage("\"" + r.command() + "\" is not a valid command (obctl list-commands lists them)");
        }
        if (r.args().size() == 1 && (r.args().get(0).equals("--help") || r.args().get(0).equals("-h"))) {
            String d = cmd.description().isEmpty() ? "" : cmd.description().endsWith("\n") ? cmd.description() : cmd.description() + "\n";
            return Reply.ok("usage: obctl " + r.command() + (cmd.usage().isEmpty() ? "" : " " + cmd.usage()) + "\n" + d);
        }
        try {
            Reply reply = cmd.handler().handle(r.args(), r.input());
            return reply != null ? reply : Reply.failed(r.command() + " gave no reply (a bug)");
        } catch (RuntimeException e) {
            return Reply.failed(r.command() + " failed: " + e);
        }
    }

    private String listCommands() {
        StringBuilder sb = new StringBuilder("The available commands are:\n");
        commands.forEach((n, c) -> sb.append("  ").append(n).append(c.usage().isEmpty() ? "" : " " + c.usage()).append('\n'));
        return sb.toString();
    }

    /** Connections open right now. */
    public int openConnections() {
        return conns.size();
    }

    /** This server's counters (see {@link Counters}). */
    public Counters counters() {
        return new Counters(refused.getOpaque(), timedOut.getOpaque(), rejected.getOpaque());
    }

    @Override
    public void onClose() {
        close();
    }

    @Override
    public void close() {
        for (int i = conns.size() - 1; i >= 0; i--) {
            conns.get(i).close();
        }
        try {
            if (selector != null) {
                selector.close();
            }
            if (server != null) {
                server.close();
                Files.deleteIfExists(ctx.socket());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("closing control socket " + ctx.socket(), e);
        } finally {
            selector = null;
            server = null;
        }
    }

    /** One connection: reading a request, then writing a reply. */
    private final class Conn {
        final SocketChannel ch;
        SelectionKey key;
        final ByteBuffer header = ByteBuffer.allocate(ControlProtocol.HEADER_BYTES);
        ByteBuffer body;
        ByteBuffer out;
        long deadline;

        Conn(SocketChannel ch) {
            this.ch = ch;
            this.deadline = ctx.clock().millis() + ctx.requestTimeoutMillis();
        }

        void read() throws IOException {
            if (out != null) {
                // Replying already (e.g. refused): drain and drop whatever the peer still sends.
                if (ch.read(ByteBuffer.allocate(4096)) < 0) {
                    close();
                }
                return;
            }
            if (header.hasRemaining()) {
                if (ch.read(header) < 0) {
                    close();
                    return;
                }
                if (header.hasRemaining()) {
                    return;
                }
                int len = header.getInt(0);
                if (len < 0 || len > ControlProtocol.MAX_REQUEST_BYTES) {
                    reply(Reply.failed("request too large: " + Integer.toUnsignedString(len) + " bytes; the limit is "
                            + ControlProtocol.MAX_REQUEST_BYTES));
                    return;
                }
                body = ByteBuffer.allocate(len);
            }
            if (ch.read(body) < 0) {
                close(); // gone mid-request
                return;
            }
            if (!body.hasRemaining()) {
                body.flip();
                Reply r;
                try {
                    r = dispatch(ControlProtocol.decodeRequest(body));
                } catch (ControlProtocol.MalformedException e) {
                    r = Reply.usage("malformed request: " + e.getMessage());
                }
                reply(r);
            }
        }

        void reply(Reply r) throws IOException {
            out = ControlProtocol.encode(r);
            deadline = ctx.clock().millis() + ctx.replyTimeoutMillis();
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            write();
        }

        void write() throws IOException {
            if (out == null) {
                return;
            }
            // At most WRITE_CHUNK bytes a write, until the socket is full: the JDK copies all that
            // remains of a heap buffer into a temporary direct buffer on every write, and the socket
            // takes ~200 KB of it; a 50 MB reply written whole each time copied gigabytes.
            int limit = out.limit();
            int chunk;
            int n;
            do {
                chunk = Math.min(out.remaining(), WRITE_CHUNK);
                out.limit(out.position() + chunk);
                try {
                    n = ch.write(out);
                } finally {
                    out.limit(limit);
                }
            } while (n == chunk && out.hasRemaining());
            if (!out.hasRemaining()) {
                close();
            }
        }

        void close() {
            conns.remove(this);
            if (key != null) {
                key.cancel();
            }
            try {
                ch.close();
            } catch (IOException e) {
                // closing a socket we are done with: nothing left to save
            }
        }
    }
}
