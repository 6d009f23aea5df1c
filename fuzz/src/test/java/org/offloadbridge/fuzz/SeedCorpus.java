package org.offloadbridge.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.RtnlLinks;
import org.offloadbridge.netlink.uapi.NetlinkConstants;
import org.offloadbridge.netlink.uapi.Rtnetlink;

/**
 * Writes the seed inputs of every fuzz test into its inputs directory
 * ({@code fuzz/src/test/resources/<package>/<Class>Inputs/<method>/seed-*}) from the golden
 * captures and the docs: netlink/, tc-flower/ and switchdev/ golden bytes, flow/'s dump-flows
 * captures and pcap frames, docs/rules.md and docs/configuration.md, and a few requests built
 * here. Seeds are committed; run this again (it replaces every {@code seed-*} file, and leaves
 * {@code crash-*} regression inputs alone) when the captures change:
 *
 * <pre>
 *   ./mvnw -o -q -pl fuzz -am test-compile
 *   java -cp "fuzz/target/test-classes:$(cat fuzz/target/fuzz-classpath.txt)" org.offloadbridge.fuzz.SeedCorpus .
 * </pre>
 */
public final class SeedCorpus {
    private final Path repo;
    private final Path resources;

    private SeedCorpus(Path repo) {
        this.repo = repo;
        this.resources = repo.resolve("fuzz/src/test/resources");
    }

    public static void main(String[] args) throws IOException {
        new SeedCorpus(Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize()).writeAll();
    }

    private void writeAll() throws IOException {
        List<byte[]> requests = new ArrayList<>();
        for (Path p : files("netlink/src/test/resources/golden", ".txt")) {
            requests.add(hexdump(Files.readString(p)));
        }
        List<byte[]> filters = new ArrayList<>();
        for (Path p : files("tc-flower/src/test/resources/golden", ".txt")) {
            String hex = Files.readString(p).lines().filter(l -> !l.startsWith("#") && !l.isBlank()).findFirst().orElseThrow();
            filters.add(HexFormat.of().parseHex(hex.strip()));
        }
        List<byte[]> genl = new ArrayList<>();
        for (Path p : files("switchdev/src/test/resources/golden", ".recv")) {
            genl.addAll(straceMessages(Files.readString(p), RECV));
        }
        for (Path p : files("switchdev/src/test/resources/golden", ".strace")) {
            genl.addAll(straceMessages(Files.readString(p), SEND));
        }

        Map<String, byte[]> netlink = new LinkedHashMap<>();
        add(netlink, "request", requests);
        add(netlink, "filter", filters);
        add(netlink, "genl", genl);
        write("org/offloadbridge/fuzz/NetlinkMessagesFuzzTestInputs/datagram", netlink);

        // The captures are add requests (handle 0: the kernel picks one); the kernel's echo, dump
        // entry or deletion event carries the handle it picked, and only then is there a filter to decode.
        Map<String, byte[]> tc = new LinkedHashMap<>();
        add(tc, "request", filters);
        List<byte[]> echoed = new ArrayList<>();
        List<byte[]> deleted = new ArrayList<>();
        for (byte[] f : filters) {
            byte[] e = f.clone();
            ByteBuffer.wrap(e).order(ByteOrder.nativeOrder()).putInt(16 + 8, 1);
            echoed.add(e);
            byte[] d = e.clone();
            ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putShort(4, (short) Rtnetlink.RTM_DELTFILTER);
            deleted.add(d);
        }
        add(tc, "echo", echoed);
        add(tc, "deleted", deleted);
        write("org/offloadbridge/fuzz/TcFlowerFuzzTestInputs/filters", tc);

        Map<String, byte[]> sw = new LinkedHashMap<>();
        add(sw, "genl", genl);
        write("org/offloadbridge/fuzz/SwitchdevFuzzTestInputs/genetlinkReplies", sw);
        Map<String, byte[]> names = new LinkedHashMap<>();
        for (String n : new String[] {"p0", "p1s2", "pf0", "pf0vf1", "pf1sf88", "c1pf0vf3", "c2pf1sf7", "7", "ens2f0np0"}) {
            names.put(n, n.getBytes(StandardCharsets.UTF_8));
        }
        write("org/offloadbridge/fuzz/SwitchdevFuzzTestInputs/physPortName", names);

        write("org/offloadbridge/netlink/NetlinkRepliesFuzzTestInputs/replies", replies(requests));

        Map<String, byte[]> frames = new LinkedHashMap<>();
        add(frames, "frame", pcap(Files.readAllBytes(repo.resolve("flow/src/test/resources/pcap/frames.pcap"))));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(repo.resolve("flow/src/test/resources/pcap/mutated.pcap.gz")))) {
            List<byte[]> mutated = pcap(in.readAllBytes());
            add(frames, "mutated", mutated.subList(0, Math.min(40, mutated.size())));
        }
        write("org/offloadbridge/fuzz/PacketParserFuzzTestInputs/frame", frames);

        Map<String, byte[]> text = new LinkedHashMap<>();
        int i = 0;
        for (Path p : files("flow/src/test/resources/golden", ".txt")) {
            for (String l : Files.readString(p).lines().toList()) {
                if (l.startsWith("#") || !l.contains("actions:")) {
                    continue;
                }
                String line = l.strip();
                text.put("line-" + i, prefixed(0, line));
                int m = line.indexOf(", packets:");
                if (m > 0) {
                    text.put("match-" + i, prefixed(1, line.substring(line.startsWith("ufid:") ? line.indexOf(", ") + 2 : 0, m)));
                }
                String actions = line.substring(line.indexOf("actions:") + "actions:".length());
                int extra = actions.indexOf(", dp-extra-info");
                text.put("actions-" + i, prefixed(2, extra < 0 ? actions : actions.substring(0, extra)));
                i++;
            }
        }
        write("org/offloadbridge/fuzz/FlowTextFuzzTestInputs/text", text);

        Map<String, byte[]> rules = new LinkedHashMap<>();
        StringBuilder file = new StringBuilder("# docs/rules.md\n");
        i = 0;
        for (String l : Files.readString(repo.resolve("docs/rules.md")).lines().toList()) {
            if (l.contains("actions=") && !l.contains("`") && !l.startsWith("line ")) {
                rules.put("rule-" + i++, prefixed(0, l.strip()));
                file.append(l.strip()).append('\n');
            }
        }
        rules.put("file", prefixed(0, file.toString()));
        for (String r : new String[] {
            "cookie=0x1f,table=1,priority=200,udp,nw_dst=10.0.0.0/24,tp_dst=53 actions=drop",
            "priority=5,ipv6,ipv6_dst=2001:db8:0:0::/32,offload=never,actions=drop",
            "in_port=p2,tcp,tp_dst=80,actions=output:p1,normal",
            "priority=10,in_port=p1,dl_src=02:00:00:00:00:01/ff:ff:ff:00:00:00,arp,arp_op=1,actions=flood",
            "priority=20,ip,nw_src=10.0.0.1,actions=mod_nw_dst:10.0.0.9,mod_dl_src:02:00:00:00:00:09,output:p2",
            "priority=30,dl_vlan=10,dl_vlan_pcp=3,actions=mod_vlan_vid:20,push_vlan:0x88a8,output:p2",
            "priority=40,tcp,tcp_flags=+syn-ack,actions=controller,drop",
            "priority=50,icmp6,icmp_type=135,nd_target=fe80::1,actions=normal",
        }) {
            rules.put("rule-" + i++, prefixed(0, r));
        }
        rules.put("selector-0", prefixed(1, "table=1,cookie=0x1f/0xff,priority=200,udp,nw_dst=10.0.0.0/24"));
        rules.put("selector-1", prefixed(1, ""));
        rules.put("flow-0", prefixed(2, "in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53"));
        rules.put("flow-1", prefixed(2, "in_port=p2,dl_vlan=10,tcp6,ipv6_src=2001:db8::1,tp_src=1234"));
        write("org/offloadbridge/fuzz/RuleSyntaxFuzzTestInputs/rules", rules);

        Map<String, byte[]> configs = new LinkedHashMap<>();
        i = 0;
        for (String block : codeBlocks(Files.readString(repo.resolve("docs/configuration.md")), "toml")) {
            configs.put("docs-" + i++, block.getBytes(StandardCharsets.UTF_8));
        }
        configs.put("packaging", Files.readAllBytes(repo.resolve("packaging/offload-bridge.conf")));
        configs.put("empty", new byte[0]);
        write("org/offloadbridge/fuzz/ConfigFileFuzzTestInputs/config", configs);

        Map<String, byte[]> control = new LinkedHashMap<>();
        String[][] cmds = {
            {"list-commands"}, {"dump-flows", "-m"}, {"dump-flows", "type=tc,dpdk", "--json"}, {"explain", "recirc_id(0),in_port(p1),eth_type(0x0800),ipv4(src=10.0.0.1)"},
            {"trace", "in_port=p1,udp,nw_dst=10.0.0.2,tp_dst=53"}, {"upcall/show"}, {"dpif/show"}, {"coverage/show"},
            {"set", "hw-offload=false"}, {"set", "tc-policy=skip_sw"}, {"vlog/set", "netlink:debug"}, {"vlog/list"}, {"check"},
            {"add-flow", "priority=20,in_port=p2,actions=output:p1"}, {"del-flows", "--strict", "priority=10,in_port=p1"},
            {"dump-rules", "--no-stats", "in_port=p1"}, {"dump-flows", "--help"},
        };
        for (String[] c : cmds) {
            StringBuilder json = new StringBuilder("{\"command\":\"").append(c[0]).append("\",\"args\":[");
            for (int a = 1; a < c.length; a++) {
                json.append(a > 1 ? "," : "").append('"').append(c[a].replace("\"", "\\\"")).append('"');
            }
            control.put(c[0].replace('/', '_') + "-" + control.size(), frame(json.append("]}").toString()));
        }
        control.put("add-flows", frame("{\"command\":\"add-flows\",\"args\":[\"-\"],\"input\":\"priority=1,actions=drop\\n# x\\n\"}"));
        control.put("replace-flows", frame("{\"command\":\"replace-flows\",\"args\":[\"rules.of\"],\"input\":\"priority=0,actions=NORMAL\\n\"}"));
        write("org/offloadbridge/daemon/control/ControlRequestFuzzTestInputs/request", control);
    }

    // ---------------------------------------------------------------- netlink replies

    /** Replies of a kernel to each call of NetlinkRepliesFuzzTest (byte 0: 0 get, 1 dump, 2 request, 3 batch of three). */
    private static Map<String, byte[]> replies(List<byte[]> requests) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] link = null;
        for (byte[] r : requests) {
            if (r.length > 16 && ByteBuffer.wrap(r).order(ByteOrder.nativeOrder()).getShort(4) == Rtnetlink.RTM_NEWLINK) {
                link = r.clone(); // a link message as the kernel's reply would carry it (same layout)
                break;
            }
        }
        byte[] reply = reseq(link, 0, NetlinkConstants.NLM_F_MULTI);
        out.put("get-link", replyInput(0, reply, ack(0, 0)));
        out.put("get-enodev", replyInput(0, errorAck(0, -19, null)));
        out.put("dump-links", replyInput(1, cat(reply, reply), done(0, 0)));
        byte[] intr = reseq(link, 0, NetlinkConstants.NLM_F_MULTI | NetlinkConstants.NLM_F_DUMP_INTR);
        out.put("dump-intr", replyInput(1, cat(intr, done(0, 0))));
        out.put("dump-error", replyInput(1, done(0, -1)));
        out.put("request-ack", replyInput(2, ack(0, 0)));
        out.put("request-extack", replyInput(2, errorAck(0, -17, "Exclusivity flag on, cannot modify")));
        out.put("request-enobufs", replyInput(2, new byte[] {105}));
        out.put("batch", replyInput(3, cat(ack(0, 0), reseq(link, 1, 0), errorAck(2, -19, "Cannot find device"))));
        out.put("batch-stale", replyInput(3, cat(ack(7, 0), ack(2, 0)), cat(ack(0, 0), reseq(link, 1, 0))));
        return out;
    }

    private static byte[] reseq(byte[] msg, int seq, int flags) {
        byte[] m = msg.clone();
        ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.nativeOrder());
        b.putShort(6, (short) flags).putInt(8, seq);
        return m;
    }

    private static byte[] ack(int seq, int error) {
        return errorAck(seq, error, null);
    }

    /** NLMSG_ERROR (capped, with extack TLVs when {@code msg} is given). */
    private static byte[] errorAck(int seq, int error, String msg) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        w.beginMessage(NetlinkConstants.NLMSG_ERROR, NetlinkConstants.NLM_F_CAPPED | (msg == null ? 0 : NetlinkConstants.NLM_F_ACK_TLVS));
        int p = w.reserve(20);
        w.buffer().putInt(p, error);
        w.buffer().putInt(p + 4, 32);
        w.buffer().putShort(p + 8, (short) Rtnetlink.RTM_NEWLINK);
        w.buffer().putInt(p + 12, seq);
        if (msg != null) {
            w.putString(NetlinkConstants.NLMSGERR_ATTR_MSG, msg);
            w.putU32(NetlinkConstants.NLMSGERR_ATTR_OFFS, 20);
        }
        w.finish(seq);
        return bytes(w);
    }

    private static byte[] done(int seq, int error) {
        NetlinkMessageWriter w = new NetlinkMessageWriter(64);
        w.beginMessage(NetlinkConstants.NLMSG_DONE, NetlinkConstants.NLM_F_MULTI);
        w.buffer().putInt(w.reserve(4), error);
        w.finish(seq);
        return bytes(w);
    }

    private static byte[] bytes(NetlinkMessageWriter w) {
        byte[] b = new byte[w.length()];
        w.buffer().get(0, b);
        return b;
    }

    private static byte[] replyInput(int call, byte[]... datagrams) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(call);
        for (byte[] d : datagrams) {
            out.write(d.length & 0xff);
            out.write(d.length >>> 8);
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- capture formats

    /** netlink/ golden: {@code  | 00000  28 00 00 00 12 00 ...  (ascii) |} lines. */
    private static byte[] hexdump(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Pattern line = Pattern.compile("^\\s*\\|\\s*[0-9a-f]{5}\\s+((?:[0-9a-f]{2}\\s+){1,16})");
        for (String l : text.lines().toList()) {
            Matcher m = line.matcher(l);
            if (m.find()) {
                for (String h : m.group(1).trim().split("\\s+")) {
                    out.write(Integer.parseInt(h, 16));
                }
            }
        }
        return out.toByteArray();
    }

    private static final Pattern SEND = Pattern.compile(
            "send(?:to|msg)\\(\\d+, \\[\\{nlmsg_len=(\\d+), nlmsg_type=(0x[0-9a-f]+|\\d+)[^,]*, nlmsg_flags=([^,]+), "
                    + "nlmsg_seq=(-?\\d+), nlmsg_pid=(-?\\d+)\\}, \"((?:\\\\x[0-9a-f]{2})*)\"\\]");
    private static final Pattern RECV = Pattern.compile(
            "\\{nlmsg_len=(\\d+), nlmsg_type=(0x[0-9a-f]+|\\d+)[^,]*, nlmsg_flags=([^,]+), nlmsg_seq=(-?\\d+), nlmsg_pid=(-?\\d+)\\}, "
                    + "\"((?:\\\\x[0-9a-f]{2})*)\"");

    /** switchdev/ golden: strace -xx of sendmsg/recvmsg, each nlmsghdr decoded and its payload as \x bytes. */
    private static List<byte[]> straceMessages(String text, Pattern p) {
        List<byte[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains("MSG_PEEK")) {
                continue;
            }
            Matcher m = p.matcher(line);
            while (m.find()) {
                byte[] payload = HexFormat.of().parseHex(m.group(6).replace("\\x", ""));
                ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
                b.putInt(16 + payload.length).putShort((short) (int) Integer.decode(m.group(2))).putShort((short) straceFlags(m.group(3)))
                        .putInt(Integer.parseInt(m.group(4))).putInt(Integer.parseInt(m.group(5))).put(payload);
                out.add(b.array());
            }
        }
        return out;
    }

    private static int straceFlags(String s) {
        int f = 0;
        for (String part : s.split("\\|")) {
            f |= switch (part) {
                case "NLM_F_REQUEST" -> 1;
                case "NLM_F_MULTI" -> 2;
                case "NLM_F_ACK" -> 4;
                case "NLM_F_ECHO" -> 8;
                case "NLM_F_DUMP" -> 0x300;
                default -> part.matches("0x[0-9a-f]+|\\d+") ? Integer.decode(part) : 0;
            };
        }
        return f;
    }

    /** The frames of a little-endian classic pcap file. */
    private static List<byte[]> pcap(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        int p = 24;
        while (p + 16 <= file.length) {
            int caplen = b.getInt(p + 8);
            p += 16;
            byte[] f = new byte[Math.min(caplen, file.length - p)];
            b.get(p, f);
            out.add(f);
            p += caplen;
        }
        return out;
    }

    private static List<String> codeBlocks(String markdown, String lang) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String l : markdown.lines().toList()) {
            if (cur == null && l.strip().equals("```" + lang)) {
                cur = new StringBuilder();
            } else if (cur != null && l.strip().equals("```")) {
                out.add(cur.toString());
                cur = null;
            } else if (cur != null) {
                cur.append(l).append('\n');
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- output

    private static byte[] prefixed(int selector, String text) {
        return cat(new byte[] {(byte) selector}, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] frame(String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static void add(Map<String, byte[]> into, String prefix, List<byte[]> seeds) {
        for (int i = 0; i < seeds.size(); i++) {
            into.put(prefix + "-" + i, seeds.get(i));
        }
    }

    private List<Path> files(String dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(repo.resolve(dir))) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private void write(String inputs, Map<String, byte[]> seeds) throws IOException {
        Path dir = resources.resolve(inputs);
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("seed-")).toList()) {
                Files.delete(p);
            }
        }
        for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
            Files.write(dir.resolve("seed-" + e.getKey()), e.getValue());
        }
        System.out.println(seeds.size() + " seeds in " + repo.relativize(dir));
    }
}
