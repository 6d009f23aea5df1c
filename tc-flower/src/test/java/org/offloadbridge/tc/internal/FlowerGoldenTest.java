package org.offloadbridge.tc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.offloadbridge.netlink.NetlinkMessageWriter;
import org.offloadbridge.netlink.uapi.NetlinkConstants;
import org.offloadbridge.tc.TcPorts;

/**
 * Our encoder against iproute2's own bytes: each {@code golden/<case>.txt} holds a
 * {@code tc filter add ... flower ... action ...} command and the RTM_NEWTFILTER request it
 * sent (captured with strace in the kernel VM by {@code golden/capture.sh}). We encode the
 * equivalent megaflow ({@link GoldenCases}) and compare the whole message. Masked: nlmsg_seq
 * and nlmsg_pid (bytes 8..15) only — the ifindexes and the cookie are the capture's own.
 */
class FlowerGoldenTest {
    private static final Pattern PRIO = Pattern.compile(" prio (\\d+) ");
    private static final int FLAGS = NetlinkConstants.NLM_F_REQUEST | NetlinkConstants.NLM_F_ACK
            | NetlinkConstants.NLM_F_CREATE | NetlinkConstants.NLM_F_EXCL;

    static Stream<Arguments> cases() {
        return GoldenCases.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encoderMatchesIproute2(String name, GoldenCases.Case c) throws IOException {
        List<String> lines = resource(name);
        String cmd = lines.get(0);
        Matcher m = PRIO.matcher(cmd);
        assertTrue(m.find(), cmd);
        byte[] expected = HexFormat.of().parseHex(lines.get(1));
        int ifindex = java.nio.ByteBuffer.wrap(expected, 20, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();

        FlowerEncoder enc = new FlowerEncoder(TcPorts.IDENTITY);
        NetlinkMessageWriter w = new NetlinkMessageWriter(256);
        enc.encode(w, FLAGS, c.flow(), ifindex, Integer.parseInt(m.group(1)), 0, c.clsFlags(), c.actFlags());
        byte[] actual = new byte[w.length()];
        w.buffer().get(0, actual);
        for (int i = 8; i < 16; i++) {
            expected[i] = 0;
            actual[i] = 0;
        }
        assertEquals(Hex.dump(expected), Hex.dump(actual), cmd);
    }

    @Test
    void everyCaptureHasACase() throws IOException {
        Map<String, GoldenCases.Case> cases = GoldenCases.all();
        try (InputStream in = getClass().getResourceAsStream("/golden/capture.sh")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(?m)^cap (\\S+) ").matcher(script);
            int n = 0;
            while (m.find()) {
                assertTrue(cases.containsKey(m.group(1)), "capture.sh case " + m.group(1) + " has no GoldenCases entry");
                n++;
            }
            assertEquals(cases.size(), n, "GoldenCases and capture.sh disagree");
        }
    }

    static List<String> resource(String name) throws IOException {
        try (InputStream in = FlowerGoldenTest.class.getResourceAsStream("/golden/" + name + ".txt")) {
            if (in == null) {
                throw new IOException("no golden/" + name + ".txt");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
