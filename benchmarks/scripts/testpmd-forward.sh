#!/bin/bash
# dpdk-testpmd on the same vdevs and pcap as DpdkForwardRun and ovs-dpdk-forward.sh:
# net_pcap0 (infinite replay) → testpmd io|macswap → net_null1, one forwarding lcore.
# Prints one line:
#   testpmd-MODE flows=N seconds=S pkts=P mpps=X cpu_s=C mpps_per_cpu_s=Y load=L
# pkts = TX-packets of port 1 over the window (after WARMUP s), cpu_s = CPU time the forwarding
# lcore thread got in that window (/proc/<pid>/task/<tid>/stat), like DpdkForwardRun's ThreadMXBean.
#
# usage: testpmd-forward.sh io|macswap FLOWS PCAP [SECONDS=10] [WARMUP=3]
set -euo pipefail

MODE=${1:?io|macswap}
FLOWS=${2:?flows}
PCAP=$(readlink -f "${3:?pcap}")
SECONDS_RUN=${4:-10}
WARMUP=${5:-3}
T=$(mktemp -d /tmp/testpmd-bench.XXXXXX)
PID=
cleanup() {
    set +e
    exec 3>&- 2>/dev/null
    if [ -n "$PID" ]; then
        for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -INT "$PID" 2>/dev/null; sleep 1; kill -9 "$PID" 2>/dev/null
    fi
    [ -n "${KEEP:-}" ] && cp "$T/out" /tmp/testpmd-last.out; rm -rf "$T"
}
trap cleanup EXIT

mkfifo "$T/in"
# --no-huge like DpdkForwardRun; the mbuf pool must hold the whole pcap (infinite_rx)
timeout $((WARMUP + SECONDS_RUN + 60)) dpdk-testpmd --no-huge -m 1024 --no-pci --file-prefix "tpb$$" \
    --no-telemetry --log-level='*:warning' \
    --vdev="net_pcap0,rx_pcap=$PCAP,infinite_rx=1" --vdev=net_null1,no-rx=1 -l 0-1 -- \
    -i --forward-mode="$MODE" --total-num-mbufs=131072 < "$T/in" > "$T/out" 2>&1 &
PID=$!
exec 3>"$T/in"
for _ in $(seq 100); do grep -q "testpmd>" "$T/out" && break; kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
grep -q 'testpmd>' "$T/out" || { cat "$T/out" >&2; echo "testpmd did not start" >&2; exit 1; }
echo start >&3
sleep "$WARMUP"
# `timeout` is the parent: the testpmd process is its child
PROC=$(pgrep -P "$PID" | head -n1 || true)
TID=$( (grep -l '^rte-worker' /proc/"$PROC"/task/*/comm || true) | head -n1 | cut -d/ -f5)
[ -n "$TID" ] || { for c in /proc/"$PROC"/task/*/comm; do echo "$c $(cat "$c")"; done >&2; echo "no rte-worker thread" >&2; exit 1; }
cpu() { awk '{ print $14 + $15 }' /proc/"$PROC"/task/"$TID"/stat; }
c0=$(cpu); t0=$(date +%s.%N); echo "show port stats 1" >&3
sleep "$SECONDS_RUN"
c1=$(cpu); t1=$(date +%s.%N); echo "show port stats 1" >&3
echo stop >&3; echo quit >&3; exec 3>&-
# testpmd's stdout is a file, hence block-buffered: read the two port-stats snapshots after it exits
wait "$PID" || true
PID=
p=$(sed -n 's/.*TX-packets: *\([0-9]*\) *TX-errors.*/\1/p' "$T/out" | head -n2 | awk 'NR == 1 { a = $1 } NR == 2 { print $1 - a }')
HZ=$(getconf CLK_TCK)
awk -v m="$MODE" -v f="$FLOWS" -v p="$p" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$HZ" \
    -v ld="$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" \
    'BEGIN { s = t1 - t0; cs = c / hz;
        printf "testpmd-%s flows=%d seconds=%.2f pkts=%d mpps=%.2f cpu_s=%.2f mpps_per_cpu_s=%.2f load=%s\n",
            m, f, s, p, p / s / 1e6, cs, (cs > 0 ? p / cs / 1e6 : 0), ld }'
