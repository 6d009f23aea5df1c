#!/usr/bin/env bash
# capture.sh — re-record the golden netlink messages iproute2 sends, one file per request.
# Each file starts with '#' lines naming the exact command; the rest is strace's verbatim
# hex dump of the bytes passed to sendmsg (strace -e write=all dumps sendmsg's iov).
# Run as root from this directory. Uses a throwaway netns so the host is untouched.
# GoldenBytesTest masks nlmsg_seq (random per run) and the ifindex fields it documents.
set -euo pipefail
NS=golden-cap
ip netns del $NS 2>/dev/null || true
ip netns del $NS-peer 2>/dev/null || true
ip netns add $NS
ip netns add $NS-peer
trap 'ip netns del $NS; ip netns del $NS-peer' EXIT

cap() {  # cap FILE COMMAND... — records the LAST sendmsg the command makes (the request; earlier ones are lookups)
  local file=$1; shift
  {
    echo "# iproute2: $(ip -V | head -1)"
    echo "# kernel: $(uname -r)"
    echo "# command: strace -f -e trace=sendmsg -e write=all -s 0 ip netns exec $NS $*"
    echo "# the last sendmsg of the command:"
    strace -f -e trace=sendmsg -e write=all -s 0 ip netns exec $NS "$@" 2>&1 >/dev/null \
      | awk '/^sendmsg|^\[pid/ {buf=""} /^ \|/ {buf=buf $0 "\n"} END {printf "%s", buf}'
  } > "$file"
}

cap link-add-veth.txt   ip link add v0 type veth peer name v1
cap link-set-up.txt     ip link set dev v0 up
cap link-get.txt        ip link show dev v0
cap qdisc-add-clsact.txt tc qdisc add dev v0 clsact
# This kernel has no act_gact (drop): mirred is the action it offers.
cap filter-add-u32.txt  tc filter add dev v0 ingress protocol ip prio 1 u32 match ip dst 10.0.0.1/32 action mirred egress redirect dev v1
cap link-add-veth-peer-netns.txt ip link add v2 type veth peer name v3 netns $NS-peer
cap link-set-mtu.txt    ip link set dev v0 mtu 1400
cap link-set-addrgenmode-none.txt ip link set dev v0 addrgenmode none
cap link-del.txt        ip link del dev v0
