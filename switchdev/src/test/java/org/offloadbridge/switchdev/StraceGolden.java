package org.offloadbridge.switchdev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper: the netlink requests in a {@code strace -xx -e trace=sendto} capture
 * (src/test/resources/golden/*.strace, made by golden/capture.sh in the kernel VM), as bytes,
 * plus a comparison that masks what is not part of the ABI: nlmsg_seq, nlmsg_pid, and the
 * padding after each attribute (libmnl and ethtool leave it uninitialised).
 */
final class StraceGolden {
    record Request(int type, int flags, byte[] bytes) {
    }

    private static final Pattern SEND = Pattern.compile(
            "send(?:to|msg)\\(\\d+, \\[\\{nlmsg_len=(\\d+), nlmsg_type=(0x[0-9a-f]+|\\d+)[^,]*, nlmsg_flags=([^,]+), "
                    + "nlmsg_seq=(-?\\d+), nlmsg_pid=(-?\\d+)\\}, \"((?:\\\\x[0-9a-f]{2})*)\"\\]");

    private static final Pattern MESSAGE = Pattern.compile(
            "\\{nlmsg_len=(\\d+), nlmsg_type=(0x[0-9a-f]+)[^,]*, nlmsg_flags=([^,]+), nlmsg_seq=(-?\\d+), nlmsg_pid=(-?\\d+)\\}, "
                    + "\"((?:\\\\x[0-9a-f]{2})*)\"");

    private StraceGolden() {
    }

    static String command(String resource) throws IOException {
        return text(resource).lines().filter(l -> l.startsWith("# command: ")).findFirst().orElseThrow()
                .substring("# command: ".length());
    }

    static String text(String resource) throws IOException {
        try (InputStream in = StraceGolden.class.getResourceAsStream("/golden/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource golden/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Every request sent to a generic netlink family (the CTRL_CMD_GETFAMILY lookups, type 0x10, left out). */
    static List<Request> requests(String resource) throws IOException {
        final List<Request> out = new ArrayList<>();
        for (String line : text(resource).split("\n")) {
            final Matcher m = SEND.matcher(line);
            if (!m.find()) {
                continue;
            }
            final int len = Integer.parseInt(m.group(1));
            final int type = Integer.decode(m.group(2));
            final int flags = flags(m.group(3));
            final byte[] payload = HexFormat.of().parseHex(m.group(6).replace("\\x", ""));
            final ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
            b.putInt(len).putShort((short) type).putShort((short) flags)
                    .putInt(Integer.parseInt(m.group(4))).putInt(Integer.parseInt(m.group(5))).put(payload);
            if (len != b.capacity()) {
                throw new IOException(resource + ": nlmsg_len " + len + " but " + b.capacity() + " bytes shown: " + line);
            }
            if (type != 0x10) {
                out.add(new Request(type, flags, b.array()));
            }
        }
        return out;
    }

    /**
     * What the kernel answered in a {@code strace -e trace=recvmsg -xx} capture: every message of
     * nlmsg_type {@code type} (a family id), in arrival order, each in its own buffer.
     */
    static List<ByteBuffer> replies(String resource, int type) throws IOException {
        final List<ByteBuffer> out = new ArrayList<>();
        for (String line : text(resource).split("\n")) {
            if (!line.startsWith("recvmsg(") || line.contains("MSG_PEEK")) {
                continue;
            }
            final Matcher m = MESSAGE.matcher(line);
            while (m.find()) {
                // NLM_F_REQUEST set: the request header the kernel echoes inside an NLMSG_ERROR, not an answer
                if (Integer.decode(m.group(2)) != type || (flags(m.group(3)) & 1) != 0) {
                    continue;
                }
                final byte[] payload = HexFormat.of().parseHex(m.group(6).replace("\\x", ""));
                final ByteBuffer b = ByteBuffer.allocateDirect(16 + payload.length).order(ByteOrder.nativeOrder());
                b.putInt(0, Integer.parseInt(m.group(1))).putShort(4, (short) type).putShort(6, (short) flags(m.group(3)))
                        .putInt(8, Integer.parseInt(m.group(4))).putInt(12, Integer.parseInt(m.group(5)))
                        .put(16, payload);
                if (b.getInt(0) != b.capacity()) {
                    throw new IOException(resource + ": nlmsg_len " + b.getInt(0) + " but " + b.capacity() + " bytes shown");
                }
                out.add(b);
            }
        }
        return out;
    }

    private static int flags(String s) {
        int f = 0;
        for (String part : s.split("\\|")) {
            f |= switch (part) {
                case "NLM_F_REQUEST" -> 1;
                case "NLM_F_MULTI" -> 2;
                case "NLM_F_ACK" -> 4;
                case "NLM_F_ECHO" -> 8;
                case "NLM_F_DUMP" -> 0x300;
                default -> Integer.decode(part);
            };
        }
        return f;
    }

    /**
     * Compares whole messages; returns null when equal, else a description of the first
     * difference. {@code fixedHeader} is the family header length after nlmsghdr (4 for genl).
     */
    static String diff(byte[] golden, byte[] ours, int fixedHeader) {
        final boolean[] mask = new boolean[golden.length];
        for (int i = 8; i < 16; i++) {
            mask[i] = true; // nlmsg_seq, nlmsg_pid
        }
        markPadding(ByteBuffer.wrap(golden).order(ByteOrder.nativeOrder()), 16 + fixedHeader, golden.length, mask);
        if (golden.length != ours.length) {
            return "length " + ours.length + ", golden " + golden.length + "\n ours   " + HexFormat.of().formatHex(ours)
                    + "\n golden " + HexFormat.of().formatHex(golden);
        }
        for (int i = 0; i < golden.length; i++) {
            if (!mask[i] && golden[i] != ours[i]) {
                return "byte " + i + ": ours 0x" + HexFormat.of().toHexDigits(ours[i]) + ", golden 0x"
                        + HexFormat.of().toHexDigits(golden[i]) + "\n ours   " + HexFormat.of().formatHex(ours)
                        + "\n golden " + HexFormat.of().formatHex(golden);
            }
        }
        return null;
    }

    private static void markPadding(ByteBuffer b, int start, int end, boolean[] mask) {
        int pos = start;
        while (pos + 4 <= end) {
            final int len = b.getShort(pos) & 0xffff;
            final int type = b.getShort(pos + 2) & 0xffff;
            if (len < 4 || pos + len > end) {
                return;
            }
            final int aligned = (len + 3) & ~3;
            for (int i = pos + len; i < Math.min(pos + aligned, end); i++) {
                mask[i] = true;
            }
            if ((type & 0x8000) != 0) {
                markPadding(b, pos + 4, pos + len, mask);
            }
            pos += aligned;
        }
    }

    static byte[] bytes(ByteBuffer buf, int off, int len) {
        final byte[] out = new byte[len];
        buf.get(off, out);
        return out;
    }
}
