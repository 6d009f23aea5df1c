#!/usr/bin/env bash
# demo/in-vm.sh — the demo's part inside the kernel test VM (run by demo/run). In a "switch"
# namespace: a netdevsim e-switch in switchdev mode (uplink + 2 VF representors, attached by its
# devlink handle) and two netns hosts on veth ports; the daemon there with hw-offload=true;
# traffic; and what an operator would look at. Bounded: every command has a count or a timeout.
#
# What netdevsim does here: the kernel test VM builds it with our flower patch
# (tests/vm/netdevsim-flower-6.1.patch, docs/kernel-vm.md), so its e-switch takes flower filters
# between its ports into a table, as a NIC's: in_hw, in_hw_count 1, hardware counters. The demo
# gives that table room for one rule, to show both sides of a NIC. Nothing arrives on a
# representor's ingress by itself, and what one transmits is counted in its TX statistics and
# dropped. So the VF's traffic is played by a netns host "vm0" whose veth is wired into vf0rep's
# ingress (tc mirred ingress redirect); of its flows to VF 1, ICMP (offload=preferred, first) is
# offered to the NIC without flags and lands in hardware; UDP (offload=required) is offered with
# skip_sw, finds the table full, is refused in the driver's words and left to the slow path.
# obctl explain shows both; h1 <-> h2 (veth, no e-switch) is in software tc.
set -euo pipefail
# OB_DEMO_TRACE=1 (demo/run passes it on): every command on stderr with the seconds since start.
[ -z "${OB_DEMO_TRACE:-}" ] || { PS4='+[$SECONDS s] '; set -x; }
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work=$(mktemp -d /tmp/ob-demo.XXXXXX)
sw=ob-demo-sw h1=ob-demo-h1 h2=ob-demo-h2 vm0=ob-demo-vm0
nsim=77 handle=netdevsim/netdevsim77
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -d /sys/bus/netdevsim/devices/netdevsim$nsim ] && echo $nsim > /sys/bus/netdevsim/del_device
  for n in $sw $h1 $h2 $vm0; do ip netns del $n 2>/dev/null || true; done
}
trap cleanup EXIT
S() { ip netns exec $sw "$@"; }
for n in $sw $h1 $h2 $vm0; do ip netns add $n; ip -n $n link set lo up; done
for n in $sw $h1 $h2 $vm0; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done

# The two hosts: veth ports p1, p2 of the switch namespace.
for i in 1 2; do
  h=ob-demo-h$i
  ip -n $sw link add p$i type veth peer name eth0 netns $h
  ip -n $sw link set p$i up; ip -n $h link set eth0 up; ip -n $h addr add 10.9.0.$i/24 dev eth0
done
ip -n $h1 neigh add 10.9.0.2 lladdr "$(ip netns exec $h2 cat /sys/class/net/eth0/address)" dev eth0
ip -n $h2 neigh add 10.9.0.1 lladdr "$(ip netns exec $h1 cat /sys/class/net/eth0/address)" dev eth0

# The e-switch: netdevsim device 77 with one port, born in the switch namespace (its netdevs and
# devlink instance live where new_device was written), 2 VFs, switchdev mode — the steps an
# operator runs on mlx5 (docs/operating.md), hw-tc-offload on every port.
S sh -c "echo '$nsim 1' > /sys/bus/netdevsim/new_device"
for _ in $(seq 1 50); do [ -d /sys/bus/netdevsim/devices/netdevsim$nsim/net ] && break; sleep 0.1; done
echo 2 > /sys/bus/netdevsim/devices/netdevsim$nsim/sriov_numvfs
S devlink dev eswitch set $handle mode switchdev
# Its ports by devlink flavour (one devlink call a try: under TCG every process start is slow),
# renamed for the dumps: the uplink, and the representors of VF 0 and VF 1.
for _ in $(seq 1 50); do
  ports=$(S devlink port show | awk -v h="$handle/" 'index($0, h) == 1 {
    n = f = v = ""; for (i = 1; i < NF; i++) { if ($i == "netdev") n = $(i+1); if ($i == "flavour") f = $(i+1); if ($i == "vfnum") v = $(i+1) }
    if (f == "physical") print "uplink0", n; else if (f == "pcivf") print "vf" v "rep", n }')
  [ "$(echo "$ports" | grep -c .)" = 3 ] && break; sleep 0.2
done
[ "$(echo "$ports" | grep -c .)" = 3 ] || { echo "netdevsim$nsim: expected an uplink and 2 VF representors, devlink has: $ports"; exit 1; }
while read -r want have; do [ "$have" = "$want" ] || S ip link set "$have" name "$want" < /dev/null; done <<< "$ports"
for d in uplink0 vf0rep vf1rep; do S ethtool -K $d hw-tc-offload on; S ip link set $d up; done
# The simulated NIC's flower table holds one rule (its capacity knob in debugfs).
echo 1 > /sys/kernel/debug/netdevsim/netdevsim$nsim/tc/capacity

# The guest on VF 0: netdevsim has no wire between a VF and its representor, so vm0's veth stands
# in for it: what vm0 sends enters vf0rep's ingress, where a missed packet of a real VF arrives.
ip -n $sw link add vf0wire type veth peer name eth0 netns $vm0
ip -n $sw link set vf0wire up; ip -n $vm0 link set eth0 up; ip -n $vm0 addr add 10.9.1.1/24 dev eth0
ip -n $vm0 neigh add 10.9.1.2 lladdr 02:00:00:00:01:02 dev eth0   # the guest on VF 1 (never answers)
S tc qdisc add dev vf0wire clsact
S tc filter add dev vf0wire ingress protocol all prio 1 flower action mirred ingress redirect dev vf0rep

echo "== topology (namespace $sw): netdevsim e-switch $handle in switchdev mode, veth hosts h1, h2"
S devlink port show | sed 's/^/  /'
echo "  p1 <-> h1 10.9.0.1, p2 <-> h2 10.9.0.2 (veth: no e-switch); vm0 10.9.1.1 -> vf0rep's ingress (the VF's stand-in)"

cat > "$work/rules.of" <<'RULES'
# VF 0's guest to VF 1's: both ports on one e-switch, so the flows are offered to the NIC.
# UDP must be in hardware (tc skip_sw) or in no datapath layer; the rest may fall back to software.
priority=60,in_port=vf0rep,udp,offload=required,actions=output:vf1rep
priority=50,in_port=vf0rep,actions=output:vf1rep
# Everything else: a learning switch.
priority=0,actions=NORMAL
RULES
cat > "$work/offload-bridge.conf" <<CONF
hw-offload = true
tc-policy = "none"   # the kernel picks: in_hw when the NIC takes a flow, else software tc
max-idle = 300000    # the VM is emulated (TCG): slow enough that obctl alone takes seconds
rules-file = "rules.of"
n-handler-threads = 1
n-revalidator-threads = 1
[[port]]
eswitch = "$handle"  # its uplink and every VF representor
[[port]]
name = "vf0rep"      # named too: the rules name them
[[port]]
name = "vf1rep"
[[port]]
name = "p1"
[[port]]
name = "p2"
[dpdk]
enabled = false
[control]
socket = "$work/obctl.sock"
group = "root"
[metrics]
listen = "127.0.0.1:9477"
CONF
echo "== starting offload-bridge run (in namespace $sw)"
OB_JAVA_OPTS="-XX:TieredStopAtLevel=1" S "$root/bin/offload-bridge" run -c "$work/offload-bridge.conf" > "$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do [ -S "$work/obctl.sock" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.2; done
[ -S "$work/obctl.sock" ] || { echo "daemon did not come up:"; cat "$work/daemon.log"; exit 1; }
obctl() { "$root/bin/obctl" --socket "$work/obctl.sock" "$@"; }
flowers() { S tc filter show dev "$1" ingress | grep -c flower || true; }

echo "== first packets: they miss, go up through the miss devices, and the daemon installs their flows"
ip netns exec $h1 ping -c 3 -i 1 -W 5 10.9.0.2 | tail -2
ip netns exec $vm0 ping -c 3 -i 1 -W 1 10.9.1.2 >/dev/null || true
for _ in $(seq 1 120); do
  [ "$(flowers p2)" -ge 1 ] && [ "$(flowers vf0rep)" -ge 1 ] && break; sleep 0.5
done
echo "== traffic: ping h1 -> h2 (20), and one way from vm0 to VF 1's guest: ping (20), UDP (5)"
ip netns exec $h1 ping -c 20 -i 0.1 -W 2 10.9.0.2 | tail -2
ip netns exec $vm0 ping -c 20 -i 0.1 -W 1 10.9.1.2 >/dev/null || true
ip netns exec $vm0 python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5): s.sendto(b'hi', ('10.9.1.2', 5000)); time.sleep(0.3)"
sleep 2   # a few revalidator rounds: counters read back from tc

echo "== obctl dump-flows type=offloaded -m   (in NIC hardware: in_hw)"
obctl dump-flows type=offloaded -m | tee "$work/offloaded"
[ -s "$work/offloaded" ] || echo "(none)"
echo "== obctl dump-flows type=non-offloaded,slow -m   (software tc: not_in_hw; the DPDK datapath; slow: in no layer, the daemon executes each packet)"
obctl dump-flows type=non-offloaded,slow -m
echo "== tc -s filter show dev vf0rep ingress   (iproute2's view of the representor's flow)"
{ S tc -s filter show dev vf0rep ingress | grep -E "^filter|in_hw|Sent|cookie" | head -12; } || true
echo "== the simulated NIC's table (debugfs netdevsim$nsim/tc/rules): what it holds, with its own counters"
cat /sys/kernel/debug/netdevsim/netdevsim$nsim/tc/rules | sed 's/^/  /' || true
echo "== ip -s link show vf1rep   (what the software flows forwarded: netdevsim counts it in TX and drops it)"
S ip -s link show vf1rep | sed -n '/TX:/,+1p' || true
echo "== obctl explain 'in_port(vf0rep)'   (every flow from VF 0's representor: offered to the NIC; in hardware, or why not)"
obctl explain 'in_port(vf0rep)'
echo "== obctl upcall/show"
obctl upcall/show
echo "== metrics excerpt (GET /metrics on 127.0.0.1:9477 in the switch namespace): flows, installs, placements, refusals"
S python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())" \
  | grep -E '^offload_bridge_(flows|flow_installs_total|flow_placements_total|flow_failures_total|upcalls_received_total|slow_path_packets_total)[{ ]' | head -24 || true
echo "== stopping (SIGTERM): tc flows stay for a hitless restart"
kill "$pid"; wait "$pid" || true; pid=
grep -E "attached|ready|software datapath|adopted" "$work/daemon.log" | sed 's/^/daemon log: /' || true
