#!/bin/bash
# Open vSwitch's own userspace datapath (OVS-DPDK, Debian openvswitch-switch-dpdk) on the same
# traffic as DpdkForwardRun: net_pcap0 (infinite replay of a FlowPcap file of N flows) → netdev
# bridge with N OpenFlow rules (in_port, ip, nw_dst exact → output, one megaflow per flow, as in
# ours) → net_null1. One PMD thread. Prints one line:
#   ovs-dpdk flows=N seconds=S pkts=P mpps=X cpu_s=C mpps_per_cpu_s=Y load=L dp_flows=F emc_hits=.. megaflow_hits=.. upcalls=..
#
# usage: [MODE=plain|encap|decap] ovs-dpdk-forward.sh FLOWS PCAP [SECONDS=10] [WARMUP=6]
#
# MODE=encap (DpdkForwardRun --vxlan=encap): br0's rules output each flow to a vxlan port (VNI 42,
# 172.31.0.1 → 172.31.0.2, OVS's userspace tunnel: tnl_push); the underlay bridge br-phy (its
# LOCAL port holds 172.31.0.1, the remote's MAC set with tnl/neigh/set) sends to net_null1.
# MODE=decap (--vxlan=decap): PCAP is the flows VXLAN-encapsulated (FlowPcap N FILE vxlan) into
# net_pcap0 on br-phy, whose rule hands them to LOCAL, where OVS pops the tunnel (tnl_pop, then a
# recirculation); br0's rules match in_port=vxlan + nw_dst and output to net_null1. The addresses,
# MACs and VNI are FlowPcap's.
#
# Everything (db, sockets, logs, pid files) lives in a fresh temp dir and a fresh network
# namespace (the netdev bridge's LOCAL port is a tap device: it must not land in the host's
# namespace). The system-wide OVS config and sockets are never touched. Hugepages (OVS 3.1 passes
# --in-memory, which DPDK 22.11 refuses together with --no-huge) are set up if missing and put back
# as found on exit. Every wait is bounded; on any failure the tail of ovs-vswitchd.log is printed.
set -euo pipefail

FLOWS=${1:?flows}
PCAP=$(readlink -f "${2:?pcap}")
SECONDS_RUN=${3:-10}
WARMUP=${4:-6}
VSWITCHD=${OVS_VSWITCHD:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
PMD_CORE=${PMD_CORE:-1}
MODE=${MODE:-plain}
case "$MODE" in plain|encap|decap) ;; *) echo "MODE=$MODE: expected plain, encap or decap" >&2; exit 2 ;; esac
[ -x "$VSWITCHD" ] || { echo "no DPDK build of ovs-vswitchd at $VSWITCHD (apt-get install openvswitch-switch-dpdk)" >&2; exit 2; }
[ -r "$PCAP" ] || { echo "pcap $PCAP not readable" >&2; exit 2; }

T=$(mktemp -d /tmp/ovs-dpdk-bench.XXXXXX)
NS=ovsbench$$
mkdir -p "$T/run" "$T/db" "$T/log" "$T/etc"
# all OVS tools find their sockets, pid files and br0.mgmt through these, never /var/run/openvswitch
export OVS_RUNDIR=$T/run OVS_DBDIR=$T/db OVS_LOGDIR=$T/log OVS_SYSCONFDIR=$T/etc
DB=unix:$T/run/db.sock
VSCTL="timeout 20 ovs-vsctl --db=$DB --timeout=15"

MOUNTED=0
OLD_NR=$(cat /proc/sys/vm/nr_hugepages)
cleanup() {
    set +e
    for p in ovs-vswitchd ovsdb-server; do
        if [ -s "$T/run/$p.pid" ]; then
            pid=$(cat "$T/run/$p.pid")
            kill "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        fi
    done
    ip netns del "$NS" 2>/dev/null
    [ "$MOUNTED" = 1 ] && umount /dev/hugepages
    [ "$(cat /proc/sys/vm/nr_hugepages)" != "$OLD_NR" ] && echo "$OLD_NR" > /proc/sys/vm/nr_hugepages
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "ovs-dpdk: $*" >&2
    [ -f "$T/log/ovs-vswitchd.log" ] && tail -n 30 "$T/log/ovs-vswitchd.log" >&2
    exit 1
}

# hugepages: 600 x 2 MiB covers dpdk-socket-mem below plus slack
if [ "$OLD_NR" -lt 600 ]; then echo 600 > /proc/sys/vm/nr_hugepages; fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && MOUNTED=1
fi

ip netns add "$NS"
ovsdb-tool create "$T/db/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$T/db/conf.db" --remote="punix:$T/run/db.sock" --pidfile="$T/run/ovsdb-server.pid" \
    --unixctl="$T/run/ovsdb-server.ctl" --log-file="$T/log/ovsdb-server.log" --detach --no-chdir
$VSCTL --no-wait init
# 1 PMD on core $PMD_CORE; socket-mem 1024 MiB: OVS's shared mempool must hold every packet of
# the pcap (infinite_rx keeps the whole file in mbufs: 100 000 at 100 000 flows) plus the rings.
# The vdevs are exactly DpdkForwardRun's and testpmd's; no PCI probing, no telemetry socket.
$VSCTL --no-wait set Open_vSwitch . other_config:dpdk-init=true \
    other_config:dpdk-socket-mem=1024 other_config:dpdk-socket-limit=1024 \
    other_config:pmd-cpu-mask=$(printf '0x%x' $((1 << PMD_CORE))) \
    other_config:dpdk-extra="--no-pci --no-telemetry --file-prefix=ovsbench$$ --vdev=net_pcap0,rx_pcap=$PCAP,infinite_rx=1 --vdev=net_null1,no-rx=1"
ip netns exec "$NS" "$VSWITCHD" "$DB" --pidfile="$T/run/ovs-vswitchd.pid" \
    --unixctl="$T/run/ovs-vswitchd.ctl" --log-file="$T/log/ovs-vswitchd.log" --detach --no-chdir \
    || fail "ovs-vswitchd did not start"
APPCTL="timeout 20 ovs-appctl -t $T/run/ovs-vswitchd.ctl"
for _ in $(seq 100); do
    [ "$($VSCTL get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ] && break
    sleep 0.2
done
[ "$($VSCTL get Open_vSwitch . dpdk_initialized)" = true ] || fail "DPDK not initialised within 20 s"

ifcheck() {
    err=$($VSCTL get Interface "$1" error 2>/dev/null || true)
    [ -z "$err" ] || [ "$err" = '[]' ] || fail "interface $1: $err"
}
# The sink port and the rules go in before the source port: with traffic already flowing, 100 000
# flow_mods race the PMD's upcalls and revalidation and take minutes.
# one rule per flow class of FlowPcap: ipv4 dst = 16.0.0.0 + i, from IN_PORT to OUT_PORT
rules() {
    awk -v n="$FLOWS" -v in_port="$1" -v out="$2" 'BEGIN { for (i = 0; i < n; i++)
        printf "table=0,priority=100,in_port=%d,ip,nw_dst=%d.%d.%d.%d,actions=output:%d\n", in_port,
            16 + int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256, out }' > "$T/flows.txt"
    timeout 120 ovs-ofctl -O OpenFlow13 replace-flows br0 "$T/flows.txt" || fail "add-flows failed"
    n=$(timeout 60 ovs-ofctl dump-aggregate br0 | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p')
    [ "$n" = "$FLOWS" ] || fail "expected $FLOWS OpenFlow rules, bridge has $n"
}
dpdk_port() { # bridge name ofport devargs
    $VSCTL add-port "$1" "$2" -- set Interface "$2" type=dpdk options:dpdk-devargs="$4" ofport_request="$3" \
        || fail "port $2 ($4) refused"
    ifcheck "$2"
}
# the VXLAN underlay: br-phy's LOCAL port (a tap in $NS) holds the local endpoint's address, so
# OVS's router and tunnel port map know it; the remote's MAC is set, not learned
underlay() { # the dpdk port's devargs
    $VSCTL add-br br-phy -- set bridge br-phy datapath_type=netdev fail_mode=secure \
        other_config:hwaddr=02:00:00:00:aa:01 || fail "br-phy refused"
    ip netns exec "$NS" ip addr add 172.31.0.1/24 dev br-phy
    ip netns exec "$NS" ip link set br-phy up
    timeout 20 ovs-ofctl add-flow br-phy "in_port=LOCAL,actions=output:1" || fail "br-phy rule"
    timeout 20 ovs-ofctl add-flow br-phy "in_port=1,actions=LOCAL" || fail "br-phy rule"
    for _ in $(seq 50); do
        $APPCTL ovs/route/show | grep -q '172.31.0.0/24 dev br-phy' && break
        sleep 0.2
    done
    $APPCTL ovs/route/show | grep -q '172.31.0.0/24 dev br-phy' || fail "OVS has no route to 172.31.0.0/24 via br-phy"
    $APPCTL tnl/neigh/set br-phy 172.31.0.2 02:00:00:00:aa:02 >/dev/null || fail "tnl/neigh/set"
    $VSCTL add-port br0 vx0 -- set Interface vx0 type=vxlan options:remote_ip=172.31.0.2 \
        options:local_ip=172.31.0.1 options:key=42 ofport_request=3 || fail "vxlan port refused"
    ifcheck vx0
    dpdk_port br-phy p1 1 "$1"
}
$VSCTL add-br br0 -- set bridge br0 datapath_type=netdev fail_mode=secure || fail "bridge refused"
case "$MODE" in
plain)  # net_pcap0 (port 1) → br0 → net_null1 (port 2)
    dpdk_port br0 p1 2 net_null1
    rules 1 2
    dpdk_port br0 p0 1 net_pcap0
    SINK_BR=br0; SINK_PORT=2 ;;
encap)  # net_pcap0 (br0 port 1) → vx0 (br0 port 3) → br-phy → net_null1 (br-phy port 1)
    rules 1 3
    underlay net_null1
    dpdk_port br0 p0 1 net_pcap0
    SINK_BR=br-phy; SINK_PORT=1 ;;
decap)  # net_pcap0 (br-phy port 1) → LOCAL, popped → vx0 (br0 port 3) → net_null1 (br0 port 2)
    dpdk_port br0 p2 2 net_null1
    rules 3 2
    underlay net_pcap0
    SINK_BR=br0; SINK_PORT=2 ;;
esac

# warm-up: the first packet of each flow class takes an upcall that installs its megaflow; wait
# at least WARMUP s, then until (nearly) every flow class has its megaflow, at most WARMUP_MAX s
dpflows() { $APPCTL upcall/show | sed -n 's/.*(current \([0-9]*\)).*/\1/p' | head -n1; }
sleep "$WARMUP"
WARMUP_MAX=${WARMUP_MAX:-120}
for _ in $(seq $((WARMUP_MAX * 2))); do
    [ "$(dpflows)" -ge $((FLOWS * 99 / 100)) ] && break
    sleep 0.5
done
LIMIT=$($APPCTL upcall/show | sed -n 's/.*(limit \([0-9]*\)).*/\1/p' | head -n1)
[ "$(dpflows)" -ge $((FLOWS * 99 / 100)) ] || echo "ovs-dpdk: warning: only $(dpflows) megaflows of $FLOWS after warm-up (flow limit $LIMIT)" >&2

# a tunnel figure must be of tunnelled packets: the datapath's flows must push (encap) or pop (decap)
$APPCTL dpctl/dump-flows > "$T/dp-flows.txt"
[ -z "${OVS_DUMP_FLOWS:-}" ] || grep -m 3 recirc_id "$T/dp-flows.txt" >&2
case "$MODE" in
encap) grep -q 'tnl_push(tnl_port(' "$T/dp-flows.txt" || fail "no tnl_push in the datapath flows" ;;
decap) grep -q 'tnl_pop(' "$T/dp-flows.txt" || fail "no tnl_pop in the datapath flows" ;;
esac

tx() { timeout 10 ovs-ofctl dump-ports "$SINK_BR" "$SINK_PORT" | sed -n 's/.*tx pkts=\([0-9]*\).*/\1/p'; }
# CPU time (utime+stime, clock ticks) of the PMD thread, named pmd-c<core>/id:<n>
VPID=$(cat "$T/run/ovs-vswitchd.pid")
pmd_tid() { grep -l '^pmd' /proc/"$VPID"/task/*/comm | head -n1 | cut -d/ -f5; }
TID=$(pmd_tid)
[ -n "$TID" ] || fail "no PMD thread in ovs-vswitchd"
cpu() { awk '{ print $14 + $15 }' /proc/"$VPID"/task/"$TID"/stat; }
$APPCTL dpif-netdev/pmd-stats-clear >/dev/null
c0=$(cpu); p0=$(tx); t0=$(date +%s.%N)
sleep "$SECONDS_RUN"
c1=$(cpu); p1=$(tx); t1=$(date +%s.%N)
$APPCTL dpif-netdev/pmd-stats-show > "$T/pmd-stats.txt"
dpf=$(dpflows)
stat() { sed -n "s/^ *$1: *\([0-9.]*\).*/\1/Ip" "$T/pmd-stats.txt" | head -n1; }
HZ=$(getconf CLK_TCK)
awk -v f="$FLOWS" -v p="$((p1 - p0))" -v t0="$t0" -v t1="$t1" -v c="$((c1 - c0))" -v hz="$HZ" \
    -v mode="$MODE" -v ld="$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" -v dpf="$dpf" -v lim="$LIMIT" \
    -v emc="$(stat 'EMC hits')" -v mf="$(stat 'megaflow hits')" -v up="$(stat 'miss with success upcall')" -v cyc="$(stat 'avg processing cycles per packet')" \
    'BEGIN { s = t1 - t0; cs = c / hz;
        printf "ovs-dpdk mode=%s flows=%d seconds=%.2f pkts=%d mpps=%.2f cpu_s=%.2f mpps_per_cpu_s=%.2f load=%s dp_flows=%d flow_limit=%s emc_hits=%s megaflow_hits=%s upcalls=%s proc_cycles_per_pkt=%s\n",
            mode, f, s, p, p / s / 1e6, cs, (cs > 0 ? p / cs / 1e6 : 0), ld, dpf, lim, emc, mf, up, cyc }'
