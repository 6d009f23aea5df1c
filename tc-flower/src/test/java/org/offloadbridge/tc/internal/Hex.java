package org.offloadbridge.tc.internal;

/** Hex dump, 16 bytes a line with offsets, so a failed comparison shows where bytes differ. */
final class Hex {
    private Hex() {}

    static String dump(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i += 16) {
            sb.append(String.format("%04x ", i));
            for (int j = i; j < Math.min(b.length, i + 16); j++) {
                sb.append(String.format(" %02x", b[j] & 0xff));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
