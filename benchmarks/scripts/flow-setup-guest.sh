#!/usr/bin/env bash
# flow-setup-guest.sh — the guest half of the flow-setup benchmark; runs INSIDE the kernel
# test VM (tests/vm/run), started by benchmarks/scripts/flow-setup-vm.sh, which says more.
# docs/benchmarks-flow-setup.md explains what is measured and why.
#
#   flow-setup-guest.sh FLOWGEN OUTDIR REPS N [N...]
#
# For each repetition, for each N, for each system (ours, then OVS — interleaved so a load
# swing on the shared host hits both alike), on a FRESH topology:
#
#   netns h1 (eth0) ──veth── p1 [netns sw] p2 ──veth── (eth0) netns h2
#
# start the switch on p1,p2 in netns sw (ours: bin/offload-bridge run -c CONF; OVS 3.1:
# ovsdb-server + ovs-vswitchd, kernel datapath, hw-offload=true, tc-policy=skip_hw), both with
# the same OpenFlow rules (FS_RULES below); then FLOWGEN sends the first packet of N distinct
# UDP flows (each from its own source MAC, to a MAC no host has, so nobody answers and no
# switch learns it) from h1 and times, from tc's notifications, until each flow has been
# created as a flower filter on p1's ingress (docs: "What is measured"). h1 and h2 send
# nothing else (no IPv6, no addresses), so p1 sees exactly the N flows. The switch is stopped
# (SIGTERM / ovs-appctl exit) after its counters, the kernel's drop counters and its threads'
# CPU times are kept, and the namespaces are deleted.
#
# OUTDIR gets results.txt (one line per run: system= n= rep= and flowgen's result fields,
# plus upcalls_lost= (ours: sent - upcalls its handlers saw; OVS: dpctl/show lost),
# socket_drops= (ours) and flow_limit_end=), and logs/<system>-<N>-<rep>.log (flowgen's output,
# the switch's counters and log, kernel drop counters, CPU per thread).
#
# Environment:
#   FS_RULES        normal (default): priority=0,actions=normal — L2 switching with MAC
#                   learning; every flow's new source MAC makes its own megaflow (in_port,
#                   dl_src, dl_dst, dl_type) in both switches.
#                   acl: priority=10,dl_src=02:00:00:00:00:01,actions=drop (one blocked MAC) and
#                   priority=0,in_port=p1,actions=output:p2 (+ the reverse): the ACL's subtable
#                   pins dl_src in both switches' megaflows, so again one megaflow per flow, but
#                   without MAC learning (and without the revalidation each learned MAC causes).
#   FS_TIMEOUT_S    per run, from the first packet (default 60)
#   FS_STALL_S      give up when no new flow came for this long (default 10)
#   FS_INTERVAL_MS  how often the filters present are counted (a dump; default 1000)
#   FS_RATE         sender packets/s, 0 = as fast as it goes (default 0)
#   FS_RESEND_MS    send all N again when no new flow came for this long, at most 3 times
#                   (default 0 = never: only first packets)
#   FS_SETTLE_S     seconds of quiet after the warm-up, before the measured flows (default 0)
#   FS_WARMUP       flows sent and awaited before the measured ones, from another address
#                   range (default 0: the measured packets are the first the switch sees)
#   FS_TOPO         plain (default): p1 and p2 as drawn above.
#                   tunnel: p2 is a VXLAN tunnel port instead (ours: [[port]] type = "vxlan";
#                   OVS: type=vxlan options:remote_ip/local_ip/key) to hv2 (10.20.0.2) over an
#                   underlay veth from sw (10.20.0.1), key 42, and FS_RULES is forced to
#                   "tunnel": the acl rules with output to vx1 — every flow becomes an encap flow
#                   (tunnel_key set + redirect to the VXLAN device) on p1's ingress.
#   FS_SYSTEMS      default "ours ovs"
#   FS_OURS_JAVA_OPTS  more JVM options for the daemon (e.g. a flight recording)
#   FS_DAEMON       the launcher to run (default bin/offload-bridge of this checkout;
#                   flow-setup-vm.sh passes its copy of the build, made before the VM boots)
set -euo pipefail
FLOWGEN=$1 OUT=$2 REPS=$3
shift 3
SIZES=("$@")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
SYSTEMS=${FS_SYSTEMS:-ours ovs}
RULES=${FS_RULES:-normal}
TOPO=${FS_TOPO:-plain}
case $TOPO in
  plain) ;;
  tunnel) RULES=tunnel ;;
  *) echo "flow-setup-guest.sh: FS_TOPO must be plain or tunnel, got '$TOPO'" >&2; exit 2 ;;
esac
INTERVAL=${FS_INTERVAL_MS:-1000}
STALL=${FS_STALL_S:-10}
RATE=${FS_RATE:-0}
case $RULES in
  normal) RULES_TEXT="priority=0,actions=normal" ;;
  acl) RULES_TEXT="priority=10,dl_src=02:00:00:00:00:01,actions=drop
priority=0,in_port=p1,actions=output:p2
priority=0,in_port=p2,actions=output:p1" ;;
  tunnel) RULES_TEXT="priority=10,dl_src=02:00:00:00:00:01,actions=drop
priority=0,in_port=p1,actions=output:vx1" ;;
  *) echo "flow-setup-guest.sh: FS_RULES must be normal or acl, got '$RULES'" >&2; exit 2 ;;
esac
mkdir -p "$OUT/logs"
[ -d /usr/lib/jvm/temurin-25-jdk-amd64 ] && export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
# C1 only and the serial collector: what the VM's JVMs run with (docs/kernel-vm.md).
JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# The flows' destination MAC: no host has it, so nobody answers (h2 drops the frames as
# PACKET_OTHERHOST; an answer — ICMP port unreachable — would add upcalls on p2) and no switch
# ever learns it: NORMAL floods, which on this bridge means p2 alone.
DSTMAC=02:00:00:00:09:09

say() { echo "[guest $(cut -d' ' -f1 /proc/uptime)s] $*" >&2; }
modprobe cls_u32 2>/dev/null || true
modprobe openvswitch 2>/dev/null || true
modprobe af_packet_diag 2>/dev/null || true  # ss -0 -m reads packet sockets' drops through it

topology() {
  if [ "$TOPO" = tunnel ]; then
    tunnel_topology
    return
  fi
  for ns in sw h1 h2; do ip netns add $ns; done
  # no IPv6 anywhere: h1 and h2 must send nothing of their own into the switch
  for ns in sw h1 h2; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n $ns link set lo up
  done
  ip link add p1 netns sw type veth peer name eth0 netns h1
  ip link add p2 netns sw type veth peer name eth0 netns h2
  # No IP addresses: flowgen writes whole frames, and neither host's stack has anything to say.
  for ns in h1 h2; do ip -n $ns link set eth0 up; done
  for p in p1 p2; do ip -n sw link set $p up; done
}

# FS_TOPO=tunnel: h1 behind p1 as before; the underlay u1 (sw, 10.20.0.1) -- u2 (hv2, 10.20.0.2),
# hv2 with a plain VXLAN device (VNI 42) that takes the encapsulated frames in and drops them
# (their inner destination MAC is nobody's). The remote's neighbour is static: the first
# packets must not wait for ARP in either system.
tunnel_topology() {
  for ns in sw h1 hv2; do ip netns add $ns; done
  for ns in sw h1 hv2; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n $ns link set lo up
  done
  ip link add p1 netns sw type veth peer name eth0 netns h1
  ip link add u1 netns sw address 02:00:00:00:20:01 type veth peer name u2 netns hv2 address 02:00:00:00:20:02
  ip -n h1 link set eth0 up
  ip -n sw link set p1 up
  ip -n sw addr add 10.20.0.1/24 dev u1 && ip -n sw link set u1 up
  ip -n hv2 addr add 10.20.0.2/24 dev u2 && ip -n hv2 link set u2 up
  ip -n sw neigh replace 10.20.0.2 lladdr 02:00:00:00:20:02 dev u1 nud permanent
  ip -n hv2 neigh replace 10.20.0.1 lladdr 02:00:00:00:20:01 dev u2 nud permanent
  ip -n hv2 link add vx42 type vxlan id 42 remote 10.20.0.1 local 10.20.0.2 dstport 4789
  ip -n hv2 link set vx42 up
}

teardown() {
  for ns in sw h1 h2 hv2; do ip netns del $ns 2>/dev/null || true; done
  # veth and tc teardown is asynchronous; wait for the names to be free again
  for _ in $(seq 100); do [ -z "$(ip netns list)" ] && break; sleep 0.1; done
}

# FS_SETTLE_S of quiet, so a switch is measured as it runs after a while, not while it starts:
# under TCG the JVM's compiler works through start-up's methods for tens of seconds, and while
# its queue is long it raises the bar for compiling anything else — the handlers' path, run
# 2,000 times in a warm-up, was still interpreted when the measured flows came.
settle() {  # log when
  if [ "${FS_SETTLE_S:-0}" -gt 0 ]; then
    echo "---- settle: ${FS_SETTLE_S} s idle $2" >> "$1"
    sleep "$FS_SETTLE_S"
  fi
}

RESULT=""
measure() {  # n log pid -> RESULT (flowgen's result fields)
  local n=$1 log=$2 pid=$3 timeout_s=${FS_TIMEOUT_S:-60} rc=0 line
  settle "$log" "after start"
  if [ "${FS_WARMUP:-0}" -gt 0 ]; then
    echo "---- flowgen warm-up: $FS_WARMUP flows from index 1000000" >> "$log"
    "$FLOWGEN" --tx-netns h1 --tx-dev eth0 --dst-mac $DSTMAC --dst-ip 10.9.0.2 --first-index 1000000 \
      --watch-netns sw --watch-dev p1 -n "$FS_WARMUP" --rate "$RATE" --interval-ms "$INTERVAL" \
      --timeout-ms $((timeout_s * 1000)) --stall-ms $((STALL * 1000)) 2>&1 | grep -v '^progress' >> "$log" || true
  fi
  [ "${FS_WARMUP:-0}" -eq 0 ] || settle "$log" "after the warm-up"
  thread_ticks "$pid" > "$OUT/ticks.before"
  echo "---- flowgen" >> "$log"
  "$FLOWGEN" --tx-netns h1 --tx-dev eth0 --dst-mac $DSTMAC --dst-ip 10.9.0.2 \
    --watch-netns sw --watch-dev p1 -n "$n" --rate "$RATE" --interval-ms "$INTERVAL" \
    --resend-after "${FS_RESEND_MS:-0}" --timeout-ms $((timeout_s * 1000)) --stall-ms $((STALL * 1000)) \
    > "$OUT/flowgen.out" 2>&1 || rc=$?
  thread_ticks "$pid" > "$OUT/ticks.after"
  cat "$OUT/flowgen.out" >> "$log"
  burst_cpu >> "$log"
  line=$(grep '^result ' "$OUT/flowgen.out" || echo "result flows=$n installed=0 complete=0 error=flowgen_exit_$rc")
  RESULT=${line#result }
}

record() {  # system n rep extra...
  local sys=$1 n=$2 rep=$3
  shift 3
  echo "system=$sys n=$n rep=$rep topo=$TOPO rules=$RULES warmup=${FS_WARMUP:-0} settle_s=${FS_SETTLE_S:-0} $RESULT $* guest_load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" \
    | tee -a "$OUT/results.txt" >&2
}

# Where packets were dropped on the way up: packet sockets' skmem (d = drops: a full receive
# buffer), the devices' counters, the per-CPU backlog (softnet_stat column 2 = dropped).
kernel_drops() {
  echo "---- packet sockets in sw (ss -0 -m; d<N> = dropped by a full receive buffer)"
  ip netns exec sw ss -0 -a -m -n 2>&1
  echo "---- links in sw (ip -s link)"
  ip -n sw -s link 2>&1
  echo "---- /proc/net/softnet_stat (processed dropped squeezed ... per CPU, hex)"
  cat /proc/net/softnet_stat
}

# CPU time of each thread of a process (clock ticks, user+system), busiest first: which of
# handlers, revalidators, the slow-path reader, tc event listener, GC, JIT did the work.
thread_cpu() {
  echo "---- CPU per thread of pid $1 (ticks of $(getconf CLK_TCK)/s: user+system, name)"
  # a thread may end between the glob and the read: nothing here may fail the run
  for t in /proc/"$1"/task/*; do
    awk '{ sub(/^[0-9]+ \(/, ""); n = $0; sub(/\).*/, "", n); sub(/^.*\) /, ""); print $12 + $13, n }' "$t/stat" 2>/dev/null || true
  done | sort -rn | head -20 || true
}

# user and system ticks of each thread: "tid user system name"
thread_ticks() {
  for t in /proc/"$1"/task/*; do
    awk -v tid="${t##*/}" '{ n = $0; sub(/^[0-9]+ \(/, "", n); sub(/\).*/, "", n); r = $0; sub(/^.*\) /, "", r);
      split(r, f, " "); print tid, f[12], f[13], n }' "$t/stat" 2>/dev/null || true
  done
}

# CPU each thread used during the measured burst only (after the warm-up), user and system
# apart: system time is the kernel's work done on the thread's behalf (tc inserts, sends).
burst_cpu() {
  echo "---- CPU per thread during the measured burst (ticks of $(getconf CLK_TCK)/s: user system name)"
  awk 'NR == FNR { u[$1] = $2; s[$1] = $3; next }
       { du = $2 - u[$1]; ds = $3 - s[$1]; if (du + ds > 0) { name = $4; for (i = 5; i <= NF; i++) name = name " " $i;
         printf "%d %d %s\n", du, ds, name; tu += du; ts += ds } }
       END { printf "%d %d total\n", tu, ts }' "$OUT/ticks.before" "$OUT/ticks.after" | sort -k1,1nr -k2,2nr | head -20
}

# One of the flow filters as tc shows it: what the megaflow matched on.
sample_filter() {
  echo "---- one flower filter on p1 (tc -s filter show, first 25 lines)"
  ip netns exec sw tc -s filter show dev p1 ingress | head -25 || true
}

count_p1() { "$FLOWGEN" --count-netns sw --count-dev p1 2>/dev/null || echo "?"; }

# The daemon's control socket speaks length-prefixed frames (docs/obctl.md); a python client
# starts in a fraction of the time a second JVM (bin/obctl) takes under TCG.
obctl() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(30); s.connect(sys.argv[1])
b = json.dumps({"command": sys.argv[2], "args": []}).encode()
s.sendall(struct.pack(">I", len(b)) + b)
def rd(n):
    d = b""
    while len(d) < n:
        c = s.recv(n - len(d))
        if not c: raise SystemExit("short reply")
        d += c
    return d
# two frames: the head ({"status": N, ...}), then the text obctl prints, raw UTF-8 (docs/obctl.md)
head = json.loads(rd(struct.unpack(">I", rd(4))[0]))
text = rd(struct.unpack(">I", rd(4))[0]).decode()
print(text if text else head)
EOF
}

run_ours() {
  local n=$1 rep=$2 log=$3 dir pid limit lost flimit sockdrops upcalls
  dir=$(mktemp -d /tmp/fs-ours.XXXXXX)
  limit=$(( 2 * n > 20000 ? 2 * n : 20000 ))
  echo "$RULES_TEXT" > "$dir/rules.of"
  cat > "$dir/ob.conf" <<EOF
hw-offload = true
tc-policy = "skip_hw"
max-idle = 120000
flow-limit = $limit
rules-file = "rules.of"
n-handler-threads = 2
n-revalidator-threads = 1

[[port]]
name = "p1"

$(if [ "$TOPO" = tunnel ]; then
  printf '[[port]]\nname = "vx1"\ntype = "vxlan"\nlocal-ip = "10.20.0.1"\nremote-ip = "10.20.0.2"\nkey = 42\n'
else
  printf '[[port]]\nname = "p2"\n'
fi)

[dpdk]
enabled = false

[control]
socket = "$dir/obctl.sock"
group = "root"

[metrics]
listen = ""
EOF
  local t0=$SECONDS
  ip netns exec sw env OB_JAVA_OPTS="$JAVA_OPTS ${FS_OURS_JAVA_OPTS:-}" "${FS_DAEMON:-$ROOT/bin/offload-bridge}" run -c "$dir/ob.conf" \
    > "$dir/daemon.log" 2>&1 &
  pid=$!
  while ! grep -q 'ready:' "$dir/daemon.log"; do
    if ! kill -0 $pid 2>/dev/null || [ $((SECONDS - t0)) -gt 300 ]; then
      say "ours did not become ready"; cat "$dir/daemon.log" >&2
      kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
      RESULT="flows=$n installed=0 complete=0 error=not_ready"; record ours "$n" "$rep"
      cat "$dir/daemon.log" >> "$log"; rm -rf "$dir"
      return 0
    fi
    sleep 0.5
  done
  say "ours ready after $((SECONDS - t0)) s"
  measure "$n" "$log" "$pid"
  { echo "---- upcall/show"; obctl "$dir/obctl.sock" upcall/show || true
    echo "---- dpif/show"; obctl "$dir/obctl.sock" dpif/show || true; } >> "$log" 2>&1
  kernel_drops > "$dir/drops.txt" 2>&1 || true
  cat "$dir/drops.txt" >> "$log"
  thread_cpu $pid >> "$log" 2>&1 || true
  # upcalls lost: first packets sent that never became an upcall a handler saw — dropped by
  # the miss device's packet socket (receive buffer full: socket_drops, from ss) or by the
  # daemon's upcall queue (full; counted only in its metrics, which are off here)
  sockdrops=$(awk '$5 ~ /:obd/ && match($0, /,d[0-9]+\)/) { s += substr($0, RSTART + 2, RLENGTH - 3) } END { print s + 0 }' "$dir/drops.txt" || echo "?")
  upcalls=$(sed -n 's/^upcalls: \([0-9]*\) .*/\1/p' "$log" | tail -1 || true)
  lost="?"
  [ -z "$upcalls" ] || lost=$(( n + ${FS_WARMUP:-0} - upcalls ))
  flimit=$(sed -n 's/^flows: .*(limit \([0-9]*\)).*/\1/p' "$log" | tail -1 || true)
  sample_filter >> "$log" 2>&1 || true
  echo "flower filters on p1 before SIGTERM: $(count_p1)" >> "$log"
  kill -TERM $pid 2>/dev/null || true
  local w=0
  while kill -0 $pid 2>/dev/null && [ $w -lt 600 ]; do sleep 0.1; w=$((w + 1)); done
  kill -0 $pid 2>/dev/null && { say "ours still running 60 s after SIGTERM; SIGKILL"; kill -9 $pid; }
  wait $pid 2>/dev/null || true
  echo "flower filters on p1 after SIGTERM (stop-removes-flows=false keeps them): $(count_p1)" >> "$log"
  { echo "---- daemon log"; cat "$dir/daemon.log"; } >> "$log"
  record ours "$n" "$rep" "upcalls_lost=$lost socket_drops=$sockdrops flow_limit_end=${flimit:-?}"
  rm -rf "$dir"
}

run_ovs() {
  local n=$1 rep=$2 log=$3 dir limit lost flimit
  dir=$(mktemp -d /tmp/fs-ovs.XXXXXX)
  limit=$(( 2 * n > 20000 ? 2 * n : 20000 ))
  mkdir -p "$dir"/{run,db,log,etc}
  export OVS_RUNDIR=$dir/run OVS_DBDIR=$dir/db OVS_LOGDIR=$dir/log OVS_SYSCONFDIR=$dir/etc
  local db=unix:$dir/run/db.sock
  local vsctl=(ovs-vsctl --db="$db" --timeout=60)
  local appctl=(ovs-appctl -t "$dir/run/ovs-vswitchd.ctl")
  ovsdb-tool create "$dir/db/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  ip netns exec sw ovsdb-server "$dir/db/conf.db" --remote=punix:"$dir/run/db.sock" \
    --pidfile="$dir/run/ovsdb-server.pid" --unixctl="$dir/run/ovsdb-server.ctl" \
    --log-file="$dir/log/ovsdb-server.log" --detach --no-chdir 2>> "$log"
  "${vsctl[@]}" --no-wait init
  # hw-offload and tc-policy are read when ovs-vswitchd starts: set them first.
  "${vsctl[@]}" --no-wait set Open_vSwitch . other_config:hw-offload=true other_config:tc-policy=skip_hw \
    other_config:max-idle=120000 other_config:flow-limit=$limit \
    other_config:n-handler-threads=2 other_config:n-revalidator-threads=1
  local t0=$SECONDS handlers="" attempt
  # OVS 3.1 in per-cpu upcall dispatch mode once (1 start in ~25, guest idle) logged
  # "Overriding n-handler-threads to 0" and then lost every upcall (dpctl/show lost = N).
  # Such a start is not a measurement of OVS: stop it and start again, at most 3 times.
  for attempt in 1 2 3; do
    ip netns exec sw ovs-vswitchd "$db" --pidfile="$dir/run/ovs-vswitchd.pid" \
      --unixctl="$dir/run/ovs-vswitchd.ctl" --log-file="$dir/log/ovs-vswitchd.log" --detach --no-chdir 2>> "$log"
    if [ "$TOPO" = tunnel ]; then
      "${vsctl[@]}" --may-exist add-br br0 -- --may-exist add-port br0 p1 -- --may-exist add-port br0 vx1 \
        -- set interface vx1 type=vxlan options:remote_ip=10.20.0.2 options:local_ip=10.20.0.1 options:key=42
    else
      "${vsctl[@]}" --may-exist add-br br0 -- --may-exist add-port br0 p1 -- --may-exist add-port br0 p2
    fi
    for _ in $(seq 100); do
      handlers=$(sed -n 's/.*\(Overriding\|Setting\) n-handler-threads to \([0-9]*\),.*/\2/p' "$dir/log/ovs-vswitchd.log" | tail -1)
      [ -z "$handlers" ] || break
      sleep 0.1
    done
    [ "${handlers:-0}" = 0 ] || break
    say "ovs-vswitchd started with ${handlers:-no} handler threads (attempt $attempt); restarting it"
    echo "ovs-vswitchd started with ${handlers:-no} handler threads (attempt $attempt); restarted" >> "$log"
    "${appctl[@]}" exit >/dev/null 2>&1 || true
    for _ in $(seq 100); do [ -e "$dir/run/ovs-vswitchd.pid" ] || break; sleep 0.1; done
    : > "$dir/log/ovs-vswitchd.log"
  done
  if [ "${handlers:-0}" = 0 ]; then
    RESULT="flows=$n installed=0 complete=0 error=ovs_no_handlers"; record ovs "$n" "$rep"
    "${appctl[@]}" exit >/dev/null 2>&1 || true
    ovs-appctl -t "$dir/run/ovsdb-server.ctl" exit >/dev/null 2>&1 || true
    unset OVS_RUNDIR OVS_DBDIR OVS_LOGDIR OVS_SYSCONFDIR
    rm -rf "$dir"
    return 0
  fi
  # the bridge's own internal port takes no flooded packets: NORMAL then floods to p2 alone,
  # as ours (which has no local port) does: the flows' destination MAC is never learned.
  ovs-ofctl mod-port br0 br0 no-flood
  echo "$RULES_TEXT" > "$dir/rules.of"
  ovs-ofctl replace-flows br0 "$dir/rules.of"
  say "ovs ready after $((SECONDS - t0)) s ($handlers handler threads)"
  measure "$n" "$log" "$(cat "$dir/run/ovs-vswitchd.pid")"
  { echo "---- upcall/show"; "${appctl[@]}" upcall/show || true
    echo "---- dpctl/show"; "${appctl[@]}" dpctl/show || true
    echo "---- coverage (upcall, flow limit, offload)"; "${appctl[@]}" coverage/show | grep -Ei 'upcall|flow_limit|offload|tc_|netlink_overflow|dpif_flow|revalid|handler' || true
    echo "---- ovs-ofctl dump-flows"; ovs-ofctl dump-flows br0 || true; } >> "$log" 2>&1
  kernel_drops >> "$log" 2>&1 || true
  thread_cpu "$(cat "$dir/run/ovs-vswitchd.pid")" >> "$log" 2>&1 || true
  # upcalls lost: the kernel datapath could not queue them to ovs-vswitchd (dpctl/show "lost")
  sample_filter >> "$log" 2>&1 || true
  lost=$(sed -n 's/.*lookups: .* lost:\([0-9]*\).*/\1/p' "$log" | tail -1 || true)
  flimit=$(sed -n 's/.*flows *: .*(limit \([0-9]*\)).*/\1/p' "$log" | tail -1 || true)
  "${appctl[@]}" exit >/dev/null 2>&1 || true
  ovs-appctl -t "$dir/run/ovsdb-server.ctl" exit >/dev/null 2>&1 || true
  for _ in $(seq 100); do
    [ -e "$dir/run/ovs-vswitchd.pid" ] || [ -e "$dir/run/ovsdb-server.pid" ] || break
    sleep 0.1
  done
  { echo "---- ovs-vswitchd.log (the first 40 lines, then WARN/ERR)"; head -40 "$dir/log/ovs-vswitchd.log"
    echo "..."; grep -E '\|(WARN|ERR|EMER)\|' "$dir/log/ovs-vswitchd.log" | tail -40; } >> "$log" 2>&1
  unset OVS_RUNDIR OVS_DBDIR OVS_LOGDIR OVS_SYSCONFDIR
  record ovs "$n" "$rep" "upcalls_lost=${lost:-?} flow_limit_end=${flimit:-?}"
  rm -rf "$dir"
}

say "start; rules $RULES; loadavg $(cat /proc/loadavg)"
for rep in $(seq "$REPS"); do
  for n in "${SIZES[@]}"; do
    for sys in $SYSTEMS; do
      log=$OUT/logs/$sys-$n-$rep.log
      : > "$log"
      teardown
      topology
      say "rep $rep: $sys, $n flows"
      # a failure inside one run (errexit does not apply in here) must not lose the others
      "run_$sys" "$n" "$rep" "$log" || say "rep $rep: $sys, $n flows: the run failed (exit $?), see $log"
      teardown
    done
  done
done
say "done; loadavg $(cat /proc/loadavg)"
