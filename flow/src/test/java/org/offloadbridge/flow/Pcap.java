package org.offloadbridge.flow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Minimal classic-pcap reader for test resources (microsecond, either byte order). */
final class Pcap {
    private Pcap() {}

    static List<byte[]> read(String resource) throws IOException {
        byte[] all;
        try (InputStream raw = Pcap.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IOException("missing test resource " + resource);
            }
            InputStream in = resource.endsWith(".gz") ? new java.util.zip.GZIPInputStream(raw) : raw;
            all = in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1) {
            b.order(ByteOrder.BIG_ENDIAN);
        } else if (magic != 0xa1b2c3d4) {
            throw new IOException(resource + ": not a pcap file (magic " + Integer.toHexString(magic) + ")");
        }
        List<byte[]> frames = new ArrayList<>();
        int p = 24;
        while (p + 16 <= all.length) {
            int incl = b.getInt(p + 8);
            if (p + 16 + incl > all.length) {
                throw new IOException(resource + ": record at byte " + p + " runs past the file");
            }
            frames.add(Arrays.copyOfRange(all, p + 16, p + 16 + incl));
            p += 16 + incl;
        }
        return frames;
    }
}
