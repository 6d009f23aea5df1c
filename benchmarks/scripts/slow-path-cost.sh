#!/usr/bin/env bash
# slow-path-cost.sh — what a missed packet pays for the catch-all + miss device design
# (docs/slow-path.md "What it costs"), on this machine's kernel (it has u32 and mirred).
#
#   benchmarks/scripts/slow-path-cost.sh [PACKETS (default 2000000)] [ROUNDS (default 5)]
#
# Topology, as the daemon builds it for one port: host netns h (eth0) ─veth─ p1 in netns sw;
# sw also holds the miss device obk1/obd1 (a veth pair, obk1's transmit offloads off as
# daemon.slowpath.MissDevices sets them) and, for the "miss" case, the catch-all on p1's
# ingress exactly as tc.CatchAll installs it (its iproute2 twin below). benchmarks/sender/misscost
# sends PACKETS 64-byte UDP frames from h's eth0 on CPU 0 and counts them on CPU 1:
#   direct  — counted on p1 itself (no tc): what any packet arriving at the port costs, and what a
#             datapath tapping the port would see (with the duplicates docs/slow-path.md explains);
#   miss    — counted on obd1 behind the catch-all: p1 ingress → u32 → mirred → obk1 → veth → obd1.
# Each round runs both; the script prints ns per packet (from the sender's rate on its pinned CPU,
# where the whole receive path runs) and the difference: the design's price per missed packet.
# Measure on an idle machine (load average < 1.5): the script prints the load before and after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
n=${1:-2000000}
rounds=${2:-5}
[ "$(id -u)" = 0 ] || { echo "slow-path-cost: needs root (network namespaces)" >&2; exit 2; }

tmp=$(mktemp -d)
h=obcost-h-$$ sw=obcost-sw-$$
cleanup() { ip netns del "$h" 2>/dev/null || true; ip netns del "$sw" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
gcc -O2 -Wall -pthread -o "$tmp/misscost" "$root/benchmarks/sender/misscost.c"

ip netns add "$h"; ip netns add "$sw"
ip -n "$h" link add eth0 type veth peer name p1 netns "$sw"
ip -n "$sw" link add obk1 type veth peer name obd1
for d in p1 obk1 obd1; do
  ip netns exec "$sw" sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"
  ip -n "$sw" link set "$d" up
done
ip netns exec "$h" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
ip -n "$h" link set eth0 up
ip netns exec "$sw" ethtool -K obk1 tx-checksum-ip-generic off tx-generic-segmentation off tso off >/dev/null 2>&1 || true

run() {  # $1 = rx device; prints ns_per_packet
  local out
  out=$("$tmp/misscost" --tx-netns "$h" --tx-dev eth0 --rx-netns "$sw" --rx-dev "$1" -n "$n") || {
    echo "slow-path-cost: frames lost counting on $1 ($out): the counter fell behind; figures are bounds" >&2; }
  echo "$out" >&2
  sed -n 's/.*ns_per_packet=\([0-9.]*\).*/\1/p' <<<"$out"
}

catch_all_on() {
  ip netns exec "$sw" tc qdisc add dev p1 clsact
  ip netns exec "$sw" tc filter add dev p1 ingress prio 65535 protocol all handle 800::800 u32 skip_hw \
    match u32 0 0 action mirred egress redirect dev obk1 cookie 6f622d6d697373
}
catch_all_off() { ip netns exec "$sw" tc qdisc del dev p1 clsact; }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $n packets x $rounds rounds; $(nproc) CPUs" >&2
direct=() miss=()
for r in $(seq "$rounds"); do
  direct+=("$(run p1)")
  catch_all_on
  miss+=("$(run obd1)")
  catch_all_off
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "min %.1f  median %.1f  max %.1f", a[1], a[int((NR+1)/2)], a[NR]}'; }
echo "direct (counted on the port, no tc):      ns/packet $(stats "${direct[@]}")"
echo "miss   (catch-all → miss device → socket): ns/packet $(stats "${miss[@]}")"
paste <(printf '%s\n' "${miss[@]}") <(printf '%s\n' "${direct[@]}") | awk '{print $1-$2}' > "$tmp/diff"
echo "price of the design per missed packet:     ns $(stats $(cat "$tmp/diff"))"
