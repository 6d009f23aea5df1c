package org.offloadbridge.switchdev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: builds a recorded sysfs tree (fixtures/*.sysfs) under a temporary directory. */
final class SysfsTree {
    private SysfsTree() {
    }

    static String resource(String name) throws IOException {
        try (InputStream in = SysfsTree.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource fixtures/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Path materialize(String fixture, Path root) throws IOException {
        int lineNo = 0;
        for (String line : resource(fixture).split("\n")) {
            lineNo++;
            final String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            final String[] f = t.split("\\s+", 3);
            final Path p = in(root, f[1]);
            switch (f[0]) {
                case "dir" -> Files.createDirectories(p);
                case "file" -> {
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, (f.length > 2 ? f[2] : "") + "\n");
                }
                case "link" -> {
                    Files.createDirectories(p.getParent());
                    Files.createSymbolicLink(p, in(root, f[2]));
                }
                default -> throw new IOException(fixture + ":" + lineNo + ": unknown entry '" + f[0] + "'");
            }
        }
        return root;
    }

    private static Path in(Path root, String abs) {
        return root.resolve(abs.startsWith("/") ? abs.substring(1) : abs);
    }
}
