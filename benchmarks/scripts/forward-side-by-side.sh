#!/bin/bash
# One session, same vdevs and pcaps, 1 forwarding core each: ours (DpdkForwardRun, in hugepages as
# OVS, and again without: ours-nohuge), dpdk-testpmd
# io and macswap, OVS-DPDK (ovs-dpdk-forward.sh), for each flow count, REPS times, interleaved so
# that a load swing on the shared host hits every system alike. One result line per run.
#
# usage: [MODE=plain|encap|decap] forward-side-by-side.sh [SECONDS=10] [REPS=2] [FLOWS...=1 1000 100000]
# MODE=encap/decap: VXLAN on both sides (DpdkForwardRun --vxlan=…, ovs-dpdk-forward.sh's vxlan
# port and br-phy underlay); decap replays the flows encapsulated. testpmd forwards the same pcap
# untouched: the I/O limit for that frame size.
# needs: benchmarks/target/benchmarks.jar (./mvnw -B -q -pl benchmarks -am package -DskipTests),
#        apt-get install dpdk-dev openvswitch-switch-dpdk; root (hugepages for OVS, netns).
set -euo pipefail
cd "$(dirname "$0")/../.."
S=${1:-10}; REPS=${2:-2}; shift $(( $# >= 2 ? 2 : $# ))
FLOWS=("$@"); [ ${#FLOWS[@]} -gt 0 ] || FLOWS=(1 1000 100000)
export MODE=${MODE:-plain}
case "$MODE" in
plain) OURS=(); PCAP_KIND=(); TESTPMD=(io macswap) ;;
encap) OURS=(--vxlan=encap); PCAP_KIND=(); TESTPMD=(io) ;;
decap) OURS=(--vxlan=decap); PCAP_KIND=(vxlan); TESTPMD=(io) ;;
*) echo "MODE=$MODE: expected plain, encap or decap" >&2; exit 2 ;;
esac
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=benchmarks/target/benchmarks.jar
D=$(mktemp -d /tmp/side-by-side.XXXXXX)
# Hugepages for both sides (OVS-DPDK cannot run without; ours takes --huge): 600 x 2 MiB covers
# either's 1 GiB, one at a time. Put back as found on exit (ovs-dpdk-forward.sh then leaves them).
MOUNTED=0
OLD_NR=$(cat /proc/sys/vm/nr_hugepages)
cleanup() {
    rm -rf "$D"
    [ "$MOUNTED" = 1 ] && umount /dev/hugepages
    [ "$(cat /proc/sys/vm/nr_hugepages)" != "$OLD_NR" ] && echo "$OLD_NR" > /proc/sys/vm/nr_hugepages
    true
}
trap cleanup EXIT
if [ "$OLD_NR" -lt 600 ]; then echo 600 > /proc/sys/vm/nr_hugepages; fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && MOUNTED=1
fi
for n in "${FLOWS[@]}"; do
    "$J" -cp "$JAR" org.offloadbridge.benchmarks.dpdk.FlowPcap "$n" "$D/flows-$n.pcap" "${PCAP_KIND[@]}"
done
load() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' /; }
for rep in $(seq "$REPS"); do
    for n in "${FLOWS[@]}"; do
        # ours: DpdkForwardRun writes its own identical pcap (FlowPcap.write) and warms up 2 s;
        # "ours" in hugepages as OVS (DPDK's memory, and the Java heap on transparent huge pages
        # as bin/offload-bridge runs the daemon), "ours-nohuge" as a daemon without either runs
        for variant in ours ours-nohuge; do
            huge=(--huge) jvm=(-XX:+UseTransparentHugePages)
            [ "$variant" = ours ] || { huge=(); jvm=(); }
            l=$(load)
            row=$(timeout 300 "$J" --enable-native-access=ALL-UNNAMED "${jvm[@]}" -cp "$JAR" \
                org.offloadbridge.benchmarks.dpdk.DpdkForwardRun "${huge[@]}" "${OURS[@]}" "$S" "$n" 2>&1 | awk '$1 ~ /^[0-9]+$/' | tail -n1 || true)
            echo "$row" | awk -v r="$rep" -v v="$variant" -v m="$MODE" -v l0="$l" -v l="$(load)" '{ printf "rep=%s %s mode=%s flows=%s seconds=%s mpps=%s mpps_per_cpu_s=%s alloc_bytes=%s emc_hit=%s gc=%s load=%s..%s\n", r, v, m, $1, $2, $3, $4, $5, $6, $7, l0, l }'
        done
        for m in "${TESTPMD[@]}"; do
            echo "rep=$rep $(timeout 300 benchmarks/scripts/testpmd-forward.sh "$m" "$n" "$D/flows-$n.pcap" "$S" 3 2>&1 | tail -n1)"
        done
        # result line plus the script's own warnings/errors, not ovs-vswitchd's log chatter
        echo "rep=$rep $(timeout 400 benchmarks/scripts/ovs-dpdk-forward.sh "$n" "$D/flows-$n.pcap" "$S" 6 2>&1 \
            | grep -e '^ovs-dpdk' -e 'ERR|' -e 'EMER|' | tr '\n' ' ')"
    done
done
