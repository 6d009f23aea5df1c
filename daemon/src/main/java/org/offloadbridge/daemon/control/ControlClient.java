package org.offloadbridge.daemon.control;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlProtocol.Request;
import tools.jackson.databind.JsonNode;

/** Sends one request over the control socket and waits, with a bound, for its reply. */
public final class ControlClient {
    private ControlClient() {
    }

    /** The daemon could not be reached or did not answer; the message says where and why. */
    public static final class UnreachableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param timeoutMillis how long to wait for the whole exchange; 0 = forever
     */
    public static Reply call(Path socket, String command, List<String> args, long timeoutMillis) throws UnreachableException {
        return call(socket, new Request(command, args), timeoutMillis);
    }

    /** Sends {@code request} (with its input text, if any); the reply's text is held in the reply. */
    public static Reply call(Path socket, Request request, long timeoutMillis) throws UnreachableException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Streamed s = stream(socket, request, timeoutMillis, status -> text);
        return new Reply(s.status(), text.toString(StandardCharsets.UTF_8), s.json());
    }

    /**
     * A reply whose text went to a stream as it came.
     *
     * @param endsLine the text is empty or ends with a newline
     */
    public record Streamed(int status, JsonNode json, long textBytes, boolean endsLine) {
    }

    /**
     * Sends {@code request} and copies the reply's text, as it arrives, to the stream
     * {@code sinkFor} gives for the reply's status (which comes first).
     */
    public static Streamed stream(Path socket, Request request, long timeoutMillis, IntFunction<OutputStream> sinkFor)
            throws UnreachableException {
        ByteBuffer req = ControlProtocol.encode(request);
        long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000 : Long.MAX_VALUE;
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new UnreachableException("cannot open a unix socket: " + e.getMessage(), e);
        }
        try (ch; Selector sel = Selector.open()) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new UnreachableException("cannot connect to " + socket + ": " + errno(e), e);
            }
            ch.configureBlocking(false);
            SelectionKey key = ch.register(sel, SelectionKey.OP_WRITE | SelectionKey.OP_READ);
            ReplyReader reply = new ReplyReader(sinkFor);
            while (true) {
                long left = deadline == Long.MAX_VALUE ? 0 : (deadline - System.nanoTime()) / 1_000_000;
                if (deadline != Long.MAX_VALUE && left <= 0) {
                    throw new UnreachableException("no reply from " + socket + " within " + timeoutMillis + " ms (the daemon is busy or hung)", null);
                }
                sel.select(deadline == Long.MAX_VALUE ? 0 : Math.max(1, left));
                sel.selectedKeys().clear();
                if (req.hasRemaining()) {
                    try {
                        ch.write(req);
                    } catch (IOException e) {
                        req.position(req.limit()); // the daemon closed early (a refusal): its reply may still be there
                    }
                    if (!req.hasRemaining()) {
                        key.interestOps(SelectionKey.OP_READ);
                    }
                }
                boolean whole;
                try {
                    whole = reply.readFrom(ch);
                } catch (EOFException e) {
                    throw new UnreachableException("the daemon at " + socket + " " + e.getMessage(), e);
                } catch (ControlProtocol.MalformedException e) {
                    throw new UnreachableException("bad reply from " + socket + ": " + e.getMessage() + "; not a control socket?", e);
                } catch (IOException e) {
                    throw new UnreachableException("connection to " + socket + " lost: " + errno(e), e);
                }
                if (whole) {
                    return new Streamed(reply.status(), reply.json(), reply.textBytes(), reply.endsLine());
                }
            }
        } catch (IOException e) {
            throw new UnreachableException("talking to " + socket + ": " + errno(e), e);
        }
    }

    /** The JDK's text for the errno, with the errno's name, and a hint for the usual ones. */
    static String errno(IOException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String l = m.toLowerCase(Locale.ROOT);
        if (l.contains("no such file")) {
            return m + " (ENOENT): is offload-bridge running? (systemctl status offload-bridge)";
        }
        if (l.contains("connection refused")) {
            return m + " (ECONNREFUSED): nothing listens there; the daemon is not running or is starting";
        }
        if (l.contains("permission denied")) {
            return m + " (EACCES): run as root or as a member of the socket's group";
        }
        if (l.contains("broken pipe")) {
            return m + " (EPIPE)";
        }
        if (l.contains("connection reset")) {
            return m + " (ECONNRESET)";
        }
        return m;
    }
}
