#!/usr/bin/env bash
# demo/in-vm.sh — the demo's part inside the kernel test VM (run by ./demo): two netns hosts on
# veth ports of a "switch" namespace, the daemon there with hw-offload=true, traffic, and what an
# operator would look at. Bounded: every command has a count or a timeout.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work=$(mktemp -d /tmp/ob-demo.XXXXXX)
sw=ob-demo-sw h1=ob-demo-h1 h2=ob-demo-h2
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; for n in $sw $h1 $h2; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
for n in $sw $h1 $h2; do ip netns add $n; ip -n $n link set lo up; done
for i in 1 2; do
  h=ob-demo-h$i
  ip -n $sw link add p$i type veth peer name eth0 netns $h
  ip netns exec $h sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n $sw link set p$i up; ip -n $h link set eth0 up; ip -n $h addr add 10.9.0.$i/24 dev eth0
done
ip -n $h1 neigh add 10.9.0.2 lladdr "$(ip netns exec $h2 cat /sys/class/net/eth0/address)" dev eth0
ip -n $h2 neigh add 10.9.0.1 lladdr "$(ip netns exec $h1 cat /sys/class/net/eth0/address)" dev eth0

cat > "$work/rules.of" <<'RULES'
# A controller rule: its flows stay upcalls (never offloaded), everything else is a learning switch.
priority=60,udp,tp_dst=9999,actions=controller
priority=0,actions=NORMAL
RULES
cat > "$work/offload-bridge.conf" <<CONF
hw-offload = true
tc-policy = "none"
max-idle = 300000   # the VM is emulated (TCG): slow enough that obctl alone takes seconds
rules-file = "rules.of"
n-handler-threads = 1
n-revalidator-threads = 1
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
echo "== offload-bridge check"
"$root/bin/offload-bridge" check -c "$work/offload-bridge.conf" && echo ok
echo "== starting offload-bridge run (in namespace $sw)"
OB_JAVA_OPTS="-XX:TieredStopAtLevel=1" ip netns exec $sw "$root/bin/offload-bridge" run -c "$work/offload-bridge.conf" > "$work/daemon.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do [ -S "$work/obctl.sock" ] && break; sleep 0.2; done
[ -S "$work/obctl.sock" ] || { echo "daemon did not come up:"; cat "$work/daemon.log"; exit 1; }
obctl() { "$root/bin/obctl" --socket "$work/obctl.sock" "$@"; }

echo "== first packets: they miss, go up through the miss devices, and the daemon installs their flows"
ip netns exec $h1 ping -c 3 -i 1 -W 5 10.9.0.2 | tail -2
for _ in $(seq 1 120); do
  [ "$(ip netns exec $sw tc filter show dev p2 ingress | grep -c flower)" -ge 1 ] && break; sleep 0.5
done
echo "== traffic: ping h1 -> h2 (20 packets), UDP to port 9999 (3 datagrams, the controller rule)"
ip netns exec $h1 ping -c 20 -i 0.1 -W 2 10.9.0.2 | tail -2
for _ in 1 2 3; do ip netns exec $h1 python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'hi', ('10.9.0.2', 9999))"; sleep 0.2; done
sleep 2   # a few revalidator rounds: counters read back from tc

echo "== obctl dump-flows type=offloaded -m   (in NIC hardware: none here, veth ports have no e-switch)"
obctl dump-flows type=offloaded -m
echo "== obctl dump-flows type=tc -m   (in tc: the kernel forwards these, the daemon never sees their packets)"
obctl dump-flows type=tc -m
echo "== obctl dump-flows type=dpdk,slow -m   (in the daemon: the DPDK path, or packet by packet)"
obctl dump-flows type=dpdk,slow -m
echo "== tc -s filter show dev p1 ingress   (iproute2's view of the same flows)"
ip netns exec $sw tc -s filter show dev p1 ingress | grep -E "^filter|not_in_hw|in_hw|Sent|cookie" | head -20
slow=$(obctl dump-flows type=slow -m | head -1 | sed -n 's/^ufid:\([0-9a-f-]*\),.*/\1/p')
if [ -n "$slow" ]; then
  echo "== obctl explain $slow   (why that flow is not in tc)"
  obctl explain "$slow"
fi
echo "== obctl upcall/show"
obctl upcall/show
echo "== metrics excerpt (GET /metrics on 127.0.0.1:9477 in the switch namespace)"
ip netns exec $sw python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9477/metrics').read().decode())" \
  | grep -E "^(jvm_memory_used_bytes|process_uptime_seconds|jvm_threads_live_threads)" | head -5
echo "== stopping (SIGTERM): tc flows stay for a hitless restart"
kill "$pid"; wait "$pid" || true; pid=
grep -E "ready|software datapath|adopted" "$work/daemon.log" | sed 's/^/daemon log: /'
