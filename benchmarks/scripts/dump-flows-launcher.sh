#!/usr/bin/env bash
# dump-flows-launcher.sh — `bin/obctl dump-flows` timed as an operator runs it: a fresh JVM per
# command (the launcher's start is part of the wait), against the dump-flows benchmark's daemon
# (benchmarks/…/control/DumpFlowsServe: the daemon's ControlServer on a unix socket in a temp dir,
# over FLOWS flows spread over tc-hw/tc-sw/dpdk/none; no kernel, no root). docs/benchmarks-dump-flows.md.
#
#   ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests      # first: the jar and bin/obctl's class path
#   benchmarks/scripts/dump-flows-launcher.sh [FLOWS (default 100000)] [RUNS (default 5)]
#   DF_OBCTL=/tmp/x/usr/bin/obctl benchmarks/scripts/dump-flows-launcher.sh ...   # the packaged obctl
#                                              # (with its AOT cache): dpkg-deb -x the .deb into /tmp/x
#
# The daemon is warmed with 5 dumps of each form first (its JIT has compiled the dump path, as in a
# daemon that is dumped now and then). Then RUNS rounds of: `obctl list-commands` (the launcher's
# floor: JVM, picocli, Jackson, one tiny exchange), `obctl dump-flows type=all`, `... -m`,
# `... --json`, each timed wall clock with its output to /dev/null; the first round checks each
# dump's line count. Prints the load average before and after, each time, and min/median/max.
# Quote a figure as a trial unless the 1-minute load stayed below 1.5.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
prog=dump-flows-launcher
flows=${1:-100000}
runs=${2:-5}
. "$root/bin/lib/java.sh"
jar=$root/benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "$prog: no $jar; build: ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }

tmp=$(mktemp -d)
server=""
cleanup() {
  exec 3>&- 2>/dev/null || true           # closing the daemon's stdin stops it
  if [ -n "$server" ]; then wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkfifo "$tmp/in"
"$JRE/bin/java" -Xmx2g -cp "$jar" org.offloadbridge.benchmarks.control.DumpFlowsServe "$tmp/d" "$flows" <"$tmp/in" >"$tmp/serve.log" 2>&1 &
server=$!
exec 3>"$tmp/in"
for _ in $(seq 1 120); do grep -q '^ready' "$tmp/serve.log" 2>/dev/null && break; sleep 0.5; done
grep -q '^ready' "$tmp/serve.log" || { echo "$prog: the daemon did not start:" >&2; cat "$tmp/serve.log" >&2; exit 1; }
sock=$tmp/d/obctl.sock
obctl_bin=${DF_OBCTL:-$root/bin/obctl}
obctl() { "$obctl_bin" --socket "$sock" "$@"; }

for _ in 1 2 3 4 5; do
  for form in "" "-m" "--json"; do obctl dump-flows type=all $form >/dev/null; done
done

forms=("list-commands" "dump-flows type=all" "dump-flows type=all -m" "dump-flows type=all --json")
want=("" "$flows" "$flows" "$((flows + 2))")
echo "flows=$flows runs=$runs obctl=$obctl_bin"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A times
for r in $(seq 1 "$runs"); do
  for i in "${!forms[@]}"; do
    f=${forms[$i]}
    if [ "$r" = 1 ] && [ -n "${want[$i]}" ]; then
      n=$(obctl $f | wc -l)
      [ "$n" = "${want[$i]}" ] || { echo "$prog: obctl $f printed $n lines, wanted ${want[$i]}" >&2; exit 1; }
    fi
    t0=$(date +%s%N)
    obctl $f >/dev/null
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    times[$i]="${times[$i]:-} $ms"
    echo "run $r: obctl $f: $ms ms"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!forms[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${times[$i]}" | grep . | sort -n)
  count=$(wc -l <<<"$sorted")
  echo "obctl ${forms[$i]}: min $(head -1 <<<"$sorted") median $(sed -n "$(( (count + 1) / 2 ))p" <<<"$sorted") max $(tail -1 <<<"$sorted") ms ($count runs)"
done
