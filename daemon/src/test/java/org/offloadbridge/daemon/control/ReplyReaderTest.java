package org.offloadbridge.daemon.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;

class ReplyReaderTest {
    /** A channel that hands out {@code bytes} at most {@code step} at a time, 0 every other call (as a non-blocking socket). */
    private static final class Trickle implements ReadableByteChannel {
        final ByteBuffer bytes;
        final int step;
        boolean dry;

        Trickle(ByteBuffer bytes, int step) {
            this.bytes = bytes;
            this.step = step;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!bytes.hasRemaining()) {
                return -1;
            }
            dry = !dry;
            if (dry) {
                return 0;
            }
            int n = Math.min(step, Math.min(dst.remaining(), bytes.remaining()));
            ByteBuffer slice = bytes.slice(bytes.position(), n);
            dst.put(slice);
            bytes.position(bytes.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static final class Sinks {
        final List<Integer> asked = new ArrayList<>();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        ReplyReader reader() {
            return new ReplyReader(status -> {
                asked.add(status);
                return out;
            });
        }
    }

    private static ReplyReader readAll(ReplyReader r, ReadableByteChannel ch) throws Exception {
        for (int i = 0; i < 10_000_000; i++) {
            if (r.readFrom(ch)) {
                return r;
            }
        }
        throw new AssertionError("never whole");
    }

    @Test
    void aReplyDeliveredAByteAtATimeReachesTheSinkItsStatusChoseWhole() throws Exception {
        String text = "ufid:1, in_port(1), packets:0, bytes:0, used:never, actions:drop\n".repeat(50) + "ü and no newline";
        ByteBuffer wire = ControlProtocol.encode(new Reply(ControlProtocol.USAGE, text,
                ControlProtocol.JSON.createObjectNode().put("n", 7)));
        Sinks s = new Sinks();
        ReplyReader r = readAll(s.reader(), new Trickle(wire, 1));
        assertEquals(List.of(ControlProtocol.USAGE), s.asked, "the sink is chosen once, from the head");
        assertEquals(ControlProtocol.USAGE, r.status());
        assertEquals(7, r.json().get("n").intValue());
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), s.out.toByteArray());
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, r.textBytes());
        assertFalse(r.endsLine());
    }

    @Test
    void aLargeTextIsCopiedInPiecesNotHeldWhole() throws Exception {
        byte[] big = new byte[3 << 20];
        java.util.Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = '\n';
        Reply reply = Reply.ok(new String(big, StandardCharsets.US_ASCII));
        int[] writes = {0};
        int[] largest = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes[0]++;
                largest[0] = Math.max(largest[0], len);
                super.write(b, off, len);
            }
        };
        ReplyReader r = readAll(new ReplyReader(status -> out), new Trickle(ControlProtocol.encode(reply), 200_000));
        assertTrue(r.endsLine());
        assertEquals(big.length, out.size());
        assertTrue(writes[0] >= big.length / 200_000, "written as it came: " + writes[0] + " writes");
        assertTrue(largest[0] <= 256 << 10, "a piece at a time, never the whole text: " + largest[0]);
    }

    @Test
    void anEmptyTextEndsTheReplyAtOnce() throws Exception {
        Sinks s = new Sinks();
        ReplyReader r = readAll(s.reader(), new Trickle(ControlProtocol.encode(Reply.ok("")), 3));
        assertEquals(0, r.textBytes());
        assertTrue(r.endsLine());
        assertEquals(0, s.out.size());
    }

    @Test
    void aReplyCutShortIsAnEndOfFileThatSaysWhere() throws Exception {
        ByteBuffer wire = ControlProtocol.encode(Reply.ok("0123456789\n"));
        for (int keep : new int[] {0, 2, 4 + 5, wire.remaining() - 3}) {
            ByteBuffer cut = wire.duplicate().limit(keep);
            EOFException e = assertThrows(EOFException.class, () -> readAll(new Sinks().reader(), new Trickle(cut, 64)));
            String want = keep == 0 || keep == 2 ? "without a reply" : keep < wire.remaining() - 11 ? "head" : "text";
            assertTrue(e.getMessage().contains(want), keep + " bytes: " + e.getMessage());
        }
    }

    @Test
    void bytesThatAreNotAReplyAreRefusedWithWhatIsWrong() {
        ByteBuffer hugeHead = ByteBuffer.allocate(4).putInt(0, ControlProtocol.MAX_HEAD_BYTES + 1);
        var e = assertThrows(ControlProtocol.MalformedException.class, () -> readAll(new Sinks().reader(), new Trickle(hugeHead, 4)));
        assertEquals("reply head claims 16777217 bytes", e.getMessage());

        byte[] head = "{\"state\":0}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer noStatus = ByteBuffer.allocate(4 + head.length).putInt(head.length).put(head).flip();
        e = assertThrows(ControlProtocol.MalformedException.class, () -> readAll(new Sinks().reader(), new Trickle(noStatus, 4)));
        assertEquals("reply head lacks \"status\"", e.getMessage());

        byte[] ok = "{\"status\":0}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer hugeText = ByteBuffer.allocate(8 + ok.length).putInt(ok.length).put(ok).putInt(-5).flip();
        e = assertThrows(ControlProtocol.MalformedException.class, () -> readAll(new Sinks().reader(), new Trickle(hugeText, 4)));
        assertEquals("reply text claims 4294967291 bytes", e.getMessage());
    }
}
