package org.offloadbridge.dpdk.internal.rte;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.testkit.Shell;

/**
 * Compiles a C program against the installed DPDK headers (gcc + pkg-config libdpdk) that prints
 * offsetof/sizeof for every struct field our Java constants hard-code, and compares. A DPDK
 * upgrade that moves a field fails here, loudly, instead of corrupting packets.
 */
class AbiTest {

    @Test
    void javaConstantsMatchInstalledHeaders(@TempDir Path dir) throws Exception {
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("sizeof(struct rte_mbuf)", (long) RteMbuf.SIZEOF);
        expected.put("rte_mbuf.buf_addr", (long) RteMbuf.BUF_ADDR);
        expected.put("rte_mbuf.data_off", (long) RteMbuf.DATA_OFF);
        expected.put("rte_mbuf.refcnt", (long) RteMbuf.REFCNT);
        expected.put("rte_mbuf.nb_segs", (long) RteMbuf.NB_SEGS);
        expected.put("rte_mbuf.port", (long) RteMbuf.PORT);
        expected.put("rte_mbuf.ol_flags", (long) RteMbuf.OL_FLAGS);
        expected.put("rte_mbuf.packet_type", (long) RteMbuf.PACKET_TYPE);
        expected.put("rte_mbuf.pkt_len", (long) RteMbuf.PKT_LEN);
        expected.put("rte_mbuf.data_len", (long) RteMbuf.DATA_LEN);
        expected.put("rte_mbuf.vlan_tci", (long) RteMbuf.VLAN_TCI);
        expected.put("rte_mbuf.hash", (long) RteMbuf.HASH);
        expected.put("rte_mbuf.buf_len", (long) RteMbuf.BUF_LEN);
        expected.put("rte_mbuf.pool", (long) RteMbuf.POOL);
        expected.put("rte_mbuf.next", (long) RteMbuf.NEXT);
        expected.put("RTE_PKTMBUF_HEADROOM", (long) RteMbuf.RTE_PKTMBUF_HEADROOM);
        expected.put("RTE_MBUF_DEFAULT_BUF_SIZE", (long) RteMbuf.RTE_MBUF_DEFAULT_BUF_SIZE);
        expected.put("sizeof(struct rte_eth_fp_ops)", (long) RteEthdev.FP_OPS_SIZEOF);
        expected.put("rte_eth_fp_ops.rx_pkt_burst", (long) RteEthdev.FP_RX_PKT_BURST);
        expected.put("rte_eth_fp_ops.rxq.data", (long) RteEthdev.FP_RXQ_DATA);
        expected.put("rte_eth_fp_ops.rxq.clbk", (long) RteEthdev.FP_RXQ_CLBK);
        expected.put("rte_eth_fp_ops.tx_pkt_burst", (long) RteEthdev.FP_TX_PKT_BURST);
        expected.put("rte_eth_fp_ops.txq.data", (long) RteEthdev.FP_TXQ_DATA);
        expected.put("rte_eth_fp_ops.txq.clbk", (long) RteEthdev.FP_TXQ_CLBK);
        expected.put("RTE_MAX_ETHPORTS", (long) RteEthdev.RTE_MAX_ETHPORTS);
        expected.put("sizeof(struct rte_eth_conf)", (long) RteEthdev.ETH_CONF_SIZEOF);
        expected.put("sizeof(struct rte_eth_stats)", (long) RteEthdev.ETH_STATS_SIZEOF);
        expected.put("rte_eth_stats.rx_nombuf", 56L);
        expected.put("sizeof(struct rte_eth_link)", (long) RteEthdev.ETH_LINK_SIZEOF);
        expected.put("sizeof(struct rte_eth_dev_info)", (long) RteEthdev.ETH_DEV_INFO_SIZEOF);
        expected.put("rte_eth_dev_info.driver_name", (long) RteEthdev.DEV_INFO_DRIVER_NAME);
        expected.put("rte_eth_dev_info.max_rx_queues", (long) RteEthdev.DEV_INFO_MAX_RX_QUEUES);
        expected.put("rte_eth_dev_info.max_tx_queues", (long) RteEthdev.DEV_INFO_MAX_TX_QUEUES);
        expected.put("sizeof(struct rte_dev_iterator)", (long) RteEthdev.DEV_ITERATOR_SIZEOF);
        expected.put("RTE_ETH_NAME_MAX_LEN", (long) RteEthdev.RTE_ETH_NAME_MAX_LEN);
        // rte_eth_link bit-field: link_status is bit 2 of the u16 at offset 4 (what EthdevPort.link reads)
        expected.put("rte_eth_link.status_bit", 4L);

        StringBuilder c = new StringBuilder("""
            #include <stdio.h>
            #include <stddef.h>
            #include <string.h>
            #include <rte_ethdev.h>
            #include <rte_mbuf.h>
            #include <rte_dev.h>
            #define OFF(s, f) printf(#s "." #f " %zu\\n", offsetof(struct s, f))
            #define SZ(s) printf("sizeof(struct " #s ") %zu\\n", sizeof(struct s))
            #define K(k) printf(#k " %ld\\n", (long)(k))
            int main(void) {
              SZ(rte_mbuf); OFF(rte_mbuf, buf_addr); OFF(rte_mbuf, data_off); OFF(rte_mbuf, refcnt);
              OFF(rte_mbuf, nb_segs); OFF(rte_mbuf, port); OFF(rte_mbuf, ol_flags);
              OFF(rte_mbuf, packet_type); OFF(rte_mbuf, pkt_len); OFF(rte_mbuf, data_len);
              OFF(rte_mbuf, vlan_tci); OFF(rte_mbuf, hash); OFF(rte_mbuf, buf_len); OFF(rte_mbuf, pool);
              OFF(rte_mbuf, next); K(RTE_PKTMBUF_HEADROOM); K(RTE_MBUF_DEFAULT_BUF_SIZE);
              SZ(rte_eth_fp_ops); OFF(rte_eth_fp_ops, rx_pkt_burst); OFF(rte_eth_fp_ops, rxq.data);
              OFF(rte_eth_fp_ops, rxq.clbk); OFF(rte_eth_fp_ops, tx_pkt_burst);
              OFF(rte_eth_fp_ops, txq.data); OFF(rte_eth_fp_ops, txq.clbk); K(RTE_MAX_ETHPORTS);
              SZ(rte_eth_conf); SZ(rte_eth_stats); OFF(rte_eth_stats, rx_nombuf); SZ(rte_eth_link);
              SZ(rte_eth_dev_info); OFF(rte_eth_dev_info, driver_name);
              OFF(rte_eth_dev_info, max_rx_queues); OFF(rte_eth_dev_info, max_tx_queues);
              SZ(rte_dev_iterator); K(RTE_ETH_NAME_MAX_LEN);
              struct rte_eth_link l; unsigned short w; memset(&l, 0, sizeof l); l.link_status = 1;
              memcpy(&w, (char *)&l + 4, 2); printf("rte_eth_link.status_bit %u\\n", w);
              return 0;
            }
            """);
        Path src = dir.resolve("abi.c");
        Files.writeString(src, c);
        String cflags = run(List.of("pkg-config", "--cflags", "libdpdk")).trim();
        List<String> cc = new ArrayList<>(List.of("gcc", "-o", dir.resolve("abi").toString(), src.toString()));
        cc.addAll(1, List.of(cflags.split("\\s+")));
        run(cc);
        String out = run(List.of(dir.resolve("abi").toString()));

        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int sp = line.lastIndexOf(' ');
            actual.put(line.substring(0, sp), Long.parseLong(line.substring(sp + 1)));
        }
        List<String> mismatches = new ArrayList<>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                mismatches.add(k + ": Java says " + v + ", installed headers say " + actual.get(k));
            }
        });
        assertEquals(expected.size(), actual.size(), "C program printed " + actual.keySet());
        assertTrue(mismatches.isEmpty(), "DPDK ABI changed — update the constants in "
            + "org.offloadbridge.dpdk.internal before using this DPDK: " + mismatches);
    }

    private static String run(List<String> cmd) {
        Shell.Result r = Shell.run(60, cmd.toArray(String[]::new));
        if (!r.ok()) {
            throw new AssertionError("command failed (needs gcc, pkg-config and libdpdk-dev — see "
                + "tools/install-deps): " + r);
        }
        return r.out();
    }
}
