package org.offloadbridge.daemon.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire format of the control socket. One connection carries one request and one reply
 * (as ovs-appctl's, so a stuck command never blocks the next one behind it on a shared
 * connection), each a frame:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               length of the body in bytes (big endian)        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        body: one JSON object, UTF-8, `length` bytes ...       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Request body: {@code {"command": "dump-flows", "args": ["-m"]}}, plus {@code "input": "..."}
 * when the client sends a file's text with the command ({@code add-flows FILE}: obctl reads
 * FILE, so the daemon needs no access to the operator's files).
 *
 * <p>A reply is two frames: a head, {@code {"status": 0, "json": {...}}} with {@code json}
 * optional, then the text obctl prints, raw UTF-8 (not a JSON string). The text goes last and
 * unescaped so that a client can copy it to its output as it arrives: a dump of 100,000 flows is
 * some 30 MB, and decoding it as one JSON string cost a fresh obctl more than its own start.
 * Status is obctl's exit status: {@link #OK}, {@link #FAILED}, {@link #USAGE}. A request body is
 * at most {@link #MAX_REQUEST_BYTES}; a reply's head at most {@link #MAX_HEAD_BYTES} and its text
 * at most {@link #MAX_REPLY_BYTES} (a dump of a few hundred thousand flows fits).
 */
public final class ControlProtocol {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    public static final int HEADER_BYTES = 4;
    public static final int MAX_REQUEST_BYTES = 1 << 20;
    public static final int MAX_REPLY_BYTES = 256 << 20;
    public static final int MAX_HEAD_BYTES = 16 << 20;

    static final JsonMapper JSON = JsonMapper.builder().build();

    private ControlProtocol() {
    }

    /**
     * One command with its arguments.
     *
     * @param input text the client sends along (a file's content), or null
     */
    public record Request(String command, List<String> args, String input) {
        public Request {
            args = List.copyOf(args);
        }

        public Request(String command, List<String> args) {
            this(command, args, null);
        }
    }

    /**
     * One reply.
     *
     * @param status {@link #OK}, {@link #FAILED} or {@link #USAGE}
     * @param text   what obctl prints
     * @param json   a structured form for programs, or null
     */
    public record Reply(int status, String text, JsonNode json) {
        public static Reply ok(String text) {
            return new Reply(OK, text, null);
        }

        public static Reply failed(String text) {
            return new Reply(FAILED, text, null);
        }

        public static Reply usage(String text) {
            return new Reply(USAGE, text, null);
        }
    }

    static ByteBuffer encode(Request r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("command", r.command());
        ArrayNode a = o.putArray("args");
        r.args().forEach(a::add);
        if (r.input() != null) {
            o.put("input", r.input());
        }
        return frame(o);
    }

    /** The reply's two frames in one buffer: the head, then the text. */
    static ByteBuffer encode(Reply r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", r.status());
        if (r.json() != null) {
            o.set("json", r.json());
        }
        byte[] head = JSON.writeValueAsBytes(o);
        byte[] text = r.text().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 * HEADER_BYTES + head.length + text.length);
        buf.putInt(head.length).put(head).putInt(text.length).put(text).flip();
        return buf;
    }

    private static ByteBuffer frame(JsonNode body) {
        byte[] b = JSON.writeValueAsBytes(body);
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + b.length);
        buf.putInt(b.length).put(b).flip();
        return buf;
    }

    /** Decodes a request body; the message says what is wrong with it. */
    static Request decodeRequest(ByteBuffer body) throws MalformedException {
        JsonNode n = parse(body);
        JsonNode cmd = n.get("command");
        JsonNode args = n.get("args");
        JsonNode input = n.get("input");
        if (input != null && !input.isString()) {
            throw new MalformedException("request \"input\" is not a string");
        }
        if (cmd == null || !cmd.isString() || cmd.stringValue().isEmpty()) {
            throw new MalformedException("request has no \"command\" string");
        }
        List<String> list = new ArrayList<>();
        if (args != null) {
            if (!args.isArray()) {
                throw new MalformedException("request \"args\" is not a list");
            }
            for (JsonNode a : args) {
                if (!a.isString()) {
                    throw new MalformedException("request \"args\" holds a non-string");
                }
                list.add(a.stringValue());
            }
        }
        return new Request(cmd.stringValue(), list, input == null ? null : input.stringValue());
    }

    /** A reply's head: its status and structured form (null if none). */
    record Head(int status, JsonNode json) {
    }

    static Head decodeHead(ByteBuffer body) throws MalformedException {
        JsonNode n = parse(body);
        JsonNode status = n.get("status");
        if (status == null || !status.isInt()) {
            throw new MalformedException("reply head lacks \"status\"");
        }
        return new Head(status.intValue(), n.get("json"));
    }

    private static JsonNode parse(ByteBuffer body) throws MalformedException {
        try {
            // Parsed from the bytes as they came (UTF-8): no copy, no String of the whole body.
            JsonNode n;
            if (body.hasArray()) {
                n = JSON.readTree(body.array(), body.arrayOffset() + body.position(), body.remaining());
            } else {
                byte[] b = new byte[body.remaining()];
                body.get(b);
                n = JSON.readTree(b);
            }
            if (n == null || !n.isObject()) {
                throw new MalformedException("body is not a JSON object");
            }
            return n;
        } catch (JacksonException e) {
            throw new MalformedException("body is not JSON: " + e.getOriginalMessage());
        }
    }

    /** A frame that is not a valid request or reply. */
    static final class MalformedException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedException(String message) {
            super(message);
        }
    }
}
