package org.offloadbridge.systemd.internal;

/** Errno numbers sd_notify can meet, named as in errno(3); values are Linux's. */
public final class Errno {
    private Errno() {
    }

    /** "ECONNREFUSED (errno 111)", or "errno N" for one not listed. */
    public static String describe(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 11 -> "EAGAIN";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 24 -> "EMFILE";
            case 90 -> "EMSGSIZE";
            case 97 -> "EAFNOSUPPORT";
            case 105 -> "ENOBUFS";
            case 111 -> "ECONNREFUSED";
            default -> null;
        };
        return name == null ? "errno " + errno : name + " (errno " + errno + ")";
    }
}
