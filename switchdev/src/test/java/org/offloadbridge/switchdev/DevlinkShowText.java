package org.offloadbridge.switchdev;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: reads the port lines of recorded {@code devlink port show} text output
 * (iproute2's format: {@code HANDLE/INDEX: key value key value …}) into {@link DevlinkPort}s,
 * each with the source block it came from.
 */
final class DevlinkShowText {
    record Recorded(String source, DevlinkPort port) {
    }

    private DevlinkShowText() {
    }

    static List<Recorded> parse(String text) {
        final List<Recorded> out = new ArrayList<>();
        String source = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("## source:")) {
                source = line.substring("## source:".length()).strip();
                continue;
            }
            if (line.isBlank() || line.startsWith("#") || line.startsWith("$") || line.startsWith(" ")
                    || line.startsWith("function:") || line.startsWith("hw_addr")) {
                continue;
            }
            final int colon = line.indexOf(": ");
            final String id = line.substring(0, colon);
            final int slash = id.lastIndexOf('/');
            final String[] tok = line.substring(colon + 2).strip().split("\\s+");
            final Map<String, String> kv = new HashMap<>();
            for (int k = 0; k + 1 < tok.length; k += 2) {
                kv.put(tok[k], tok[k + 1]);
            }
            out.add(new Recorded(source, toPort(DevlinkHandle.parse(id.substring(0, slash)),
                    Long.parseLong(id.substring(slash + 1)), kv)));
        }
        return out;
    }

    static DevlinkPort toPort(DevlinkHandle h, long index, Map<String, String> kv) {
        final DevlinkPortFlavour f = kv.containsKey("flavour") ? DevlinkPortFlavour.ofIproute2Name(kv.get("flavour")) : null;
        return new DevlinkPort(h, index, f == null ? -1 : f.value(), f, 0, kv.get("netdev"),
                num(kv, "port"), -1, num(kv, "controller"), "true".equals(kv.get("external")),
                (int) num(kv, "pfnum"), (int) num(kv, "vfnum"), num(kv, "sfnum"));
    }

    private static long num(Map<String, String> kv, String k) {
        return kv.containsKey(k) ? Long.parseLong(kv.get(k)) : -1;
    }
}
