package org.offloadbridge.daemon.control;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Pattern;
import org.offloadbridge.daemon.CommandsRig;
import org.offloadbridge.daemon.DaemonCommands;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlProtocol.Request;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.upcall.pipeline.RuleSyntaxException;

/**
 * A request frame as the control socket reads it (4-byte big-endian length, JSON body), decoded
 * ({@link ControlProtocol#decodeRequest}) and dispatched to every command the daemon serves
 * (dump-flows, explain, trace, set, vlog/*, check, add-flow, del-flows, dump-rules, …) over a
 * daemon's state without a kernel ({@link CommandsRig}: ports p1, p2, a pipeline, a ukey table).
 * The socket itself is not opened: the server never is.
 *
 * <p>Properties: a frame too short or too long is refused as the server refuses it; a body
 * decodes or throws {@link ControlProtocol.MalformedException}; dispatch answers every request
 * with a status obctl knows, and no handler lets an exception out (the server's catch-all,
 * {@code "<cmd> failed: <exception>"}, is a bug net, not an answer).
 */
class ControlRequestFuzzTest {
    private static final Pattern LEAKED = Pattern.compile("^\\S+ failed: [\\w.$]+(Exception|Error)\\b.*", Pattern.DOTALL);

    @FuzzTest
    void request(byte[] data) throws RuleSyntaxException {
        if (data.length < ControlProtocol.HEADER_BYTES) {
            return; // the server waits for the rest of the header
        }
        ByteBuffer frame = ByteBuffer.wrap(data);
        int len = frame.getInt(0);
        if (len < 0 || len > ControlProtocol.MAX_REQUEST_BYTES || len > data.length - ControlProtocol.HEADER_BYTES) {
            return; // refused as too large, or waiting for the rest of the body
        }
        ByteBuffer body = ByteBuffer.wrap(data, ControlProtocol.HEADER_BYTES, len).slice();
        Request r;
        try {
            r = ControlProtocol.decodeRequest(body);
        } catch (ControlProtocol.MalformedException e) {
            return;
        }
        ControlServer server = new ControlServer(new ControlServer.Context(Path.of("/nonexistent/obctl.sock"), null,
                new PeerPolicy("root", "root", Set.of()), MonotonicClock.SYSTEM, 5_000, 60_000, 1));
        try (CommandsRig rig = new CommandsRig("priority=10,in_port=p1,actions=output:p2\npriority=0,actions=NORMAL\n")) {
            DaemonCommands.register(server, rig);
            Reply reply = server.dispatch(r);
            if (reply == null || reply.text() == null) {
                throw new AssertionError("no reply to " + r);
            }
            if (reply.status() < ControlProtocol.OK || reply.status() > ControlProtocol.USAGE) {
                throw new AssertionError("status " + reply.status() + " for " + r);
            }
            if (LEAKED.matcher(reply.text()).matches()) {
                throw new AssertionError("a handler let an exception out on " + r + ":\n" + reply.text());
            }
        }
    }
}
