package org.offloadbridge.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.systemd.internal.NotifySocket;

/** sd_notify against a real AF_UNIX datagram socket this test binds, as systemd's would be. */
class SdNotifyTest {
    /** The listener's half of libc: what systemd does with its notify socket. */
    interface TestLibC extends Library {
        TestLibC C = Native.load("c", TestLibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int bind(int fd, byte[] addr, int len) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd) throws LastErrorException;
    }

    /** A bound datagram socket that returns what arrives. */
    static final class Listener implements AutoCloseable {
        final int fd;

        Listener(String address) {
            fd = TestLibC.C.socket(1, 2, 0);
            TestLibC.C.bind(fd, NotifySocket.sockaddrUn(address), NotifySocket.addrLength(address));
        }

        /** The next datagram, or fails after 5 s. */
        String next() throws InterruptedException {
            byte[] buf = new byte[4096];
            for (int i = 0; i < 5000; i++) {
                long n = TestLibC.C.recv(fd, buf, buf.length, 0x40 /* MSG_DONTWAIT */);
                if (n >= 0) {
                    return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
                }
                Thread.sleep(1);
            }
            throw new AssertionError("no datagram within 5 s");
        }

        boolean empty() {
            return TestLibC.C.recv(fd, new byte[16], 16, 0x40) < 0;
        }

        @Override
        public void close() {
            TestLibC.C.close(fd);
        }
    }

    @Test
    void jnaReachesLibc() {
        assertTrue(SdNotify.isAvailable(), () -> "unavailable: " + SdNotify.unavailabilityCause());
        assertEquals(null, SdNotify.unavailabilityCause());
    }

    @Test
    void everyMessageToAPathSocket(@TempDir Path dir) throws Exception {
        String path = dir.resolve("notify").toString();
        try (Listener l = new Listener(path)) {
            SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", path), 42);
            assertTrue(n.isEnabled());
            assertTrue(n.ready());
            assertEquals("READY=1", l.next());
            assertTrue(n.status("3 ports,\n120 flows"));
            assertEquals("STATUS=3 ports, 120 flows", l.next());
            assertTrue(n.watchdog());
            assertEquals("WATCHDOG=1", l.next());
            assertTrue(n.reloading());
            String reloading = l.next();
            assertTrue(reloading.matches("RELOADING=1\nMONOTONIC_USEC=\\d+"), reloading);
            long usec = Long.parseLong(reloading.substring(reloading.indexOf('=', 12) + 1));
            long nowUsec = System.nanoTime() / 1000; // HotSpot's nanoTime is CLOCK_MONOTONIC on Linux
            assertTrue(Math.abs(nowUsec - usec) < 10_000_000, usec + " vs " + nowUsec);
            assertTrue(n.stopping());
            assertEquals("STOPPING=1", l.next());
            assertTrue(l.empty());
        }
    }

    @Test
    void abstractNamespaceSocket() throws Exception {
        String name = "@ob-sdnotify-test-" + ProcessHandle.current().pid();
        try (Listener l = new Listener(name)) {
            SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", name), 1);
            assertTrue(n.ready());
            assertEquals("READY=1", l.next());
            assertTrue(n.send("STATUS=abstract\nWATCHDOG=1"));
            assertEquals("STATUS=abstract\nWATCHDOG=1", l.next());
        }
    }

    @Test
    void noSocketIsANoOp() throws IOException {
        SdNotify n = SdNotify.from(Map.of(), 1);
        assertFalse(n.isEnabled());
        assertFalse(n.ready());
        assertFalse(n.status("x"));
        assertFalse(n.watchdog());
        assertFalse(n.reloading());
        assertFalse(n.stopping());
        assertEquals(0, n.watchdogIntervalMillis());
        assertFalse(SdNotify.from(Map.of("NOTIFY_SOCKET", ""), 1).isEnabled());
    }

    @Test
    void aSocketNobodyListensOnIsAnErrorWithErrno(@TempDir Path dir) {
        String path = dir.resolve("gone").toString();
        IOException e = assertThrows(IOException.class, () -> SdNotify.from(Map.of("NOTIFY_SOCKET", path), 1).ready());
        assertEquals("sd_notify: sendto(NOTIFY_SOCKET=" + path + "): ENOENT (errno 2)", e.getMessage());
    }

    @Test
    void badAddressIsRefused() {
        SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", "relative/path"), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, n::ready);
        assertTrue(e.getMessage().contains("expected an absolute path or @abstract-name"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NotifySocket.sockaddrUn("/" + "x".repeat(107)));
    }

    @Test
    void watchdogInterval() {
        assertEquals(15_000, SdNotify.from(Map.of("WATCHDOG_USEC", "15000000"), 7).watchdogIntervalMillis());
        assertEquals(15_000, SdNotify.from(Map.of("WATCHDOG_USEC", "15000000", "WATCHDOG_PID", "7"), 7).watchdogIntervalMillis());
        assertEquals(0, SdNotify.from(Map.of("WATCHDOG_USEC", "15000000", "WATCHDOG_PID", "8"), 7).watchdogIntervalMillis(),
                "another process's watchdog");
        assertEquals(0, SdNotify.from(Map.of("WATCHDOG_USEC", "soon"), 7).watchdogIntervalMillis());
        assertEquals(0, SdNotify.from(Map.of("WATCHDOG_USEC", "0"), 7).watchdogIntervalMillis());
        assertEquals(1, SdNotify.from(Map.of("WATCHDOG_USEC", "500"), 7).watchdogIntervalMillis());
    }

    @Test
    void sockaddrLayout() {
        byte[] a = NotifySocket.sockaddrUn("@abc");
        assertEquals(110, a.length);
        assertEquals(1, a[0] | a[1] << 8, "AF_UNIX, little-endian on the hosts we build for");
        assertEquals(0, a[2], "abstract: leading NUL");
        assertEquals('a', a[3]);
        assertEquals(2 + 1 + 3, NotifySocket.addrLength("@abc"));
        byte[] p = NotifySocket.sockaddrUn("/run/x");
        assertEquals('/', p[2]);
        assertEquals(0, p[8], "path: NUL-terminated");
        assertEquals(2 + 6 + 1, NotifySocket.addrLength("/run/x"));
    }
}
