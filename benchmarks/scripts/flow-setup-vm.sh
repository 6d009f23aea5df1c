#!/usr/bin/env bash
# flow-setup-vm.sh — flow SETUP rate, ours vs Open vSwitch 3.1 (issue 12, "Performance, as a
# benchmark"): how fast N new flows (the first packet of N distinct UDP 5-tuples, each also
# from its own source MAC) become tc flower filters, with the daemon and with OVS's kernel
# datapath + tc offload, in one VM run. docs/benchmarks-flow-setup.md has the what and why.
#
#   benchmarks/scripts/flow-setup-vm.sh [N ...]          (default: 1000 10000)
#   benchmarks/scripts/flow-setup-vm.sh --summary DIR     (the summary of an earlier run again)
#
# On the host: compiles the sender (benchmarks/sender/flowgen.c) with gcc into the results
# folder, samples the host's load every 5 s, and boots the kernel test VM once
# (tests/vm/run; this machine's kernel has no cls_flower/openvswitch), in which
# benchmarks/scripts/flow-setup-guest.sh runs REPS x N x {ours, ovs}, each on a fresh topology.
# Then prints a summary table: per system and N, min/median/max of the setup rate, and the
# ratio of the medians.
#
# Needs: gcc, the VM cache (docs/kernel-vm.md), a build of the daemon (bin/offload-bridge runs
# from the build tree), Debian's openvswitch-switch (ovs-vswitchd 3.1, used inside the VM only).
# Environment: FS_REPS (default 3), FS_OUT (results folder; default a new /tmp/flow-setup.XXXXXX,
# kept), FS_VM_TIMEOUT (seconds, default 2400), and the guest's FS_* knobs (passed through):
# FS_RULES (normal | acl), FS_TOPO (plain | tunnel), FS_TIMEOUT_S, FS_STALL_S, FS_INTERVAL_MS, FS_RATE, FS_RESEND_MS,
# FS_WARMUP, FS_SETTLE_S, FS_SYSTEMS, FS_OURS_JAVA_OPTS — see flow-setup-guest.sh.
#
# Measure on an idle machine: the VM is qemu TCG on 2 cores, so anything else running skews
# both systems (unequally: the JVM suffers more). The summary marks the figures TRIAL when the
# host's 1-minute load was >= 1.5 before the start or other processes used >= 0.5 core on
# average during the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
prog=flow-setup-vm.sh
summary_only=0
if [ "${1:-}" = --summary ]; then
  [ -f "${2:-}/results.txt" ] || { echo "$prog: --summary needs a results folder" >&2; exit 2; }
  summary_only=1 OUT=$(cd "$2" && pwd -P)
  set --
fi
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000)
REPS=${FS_REPS:-3}
for n in "${SIZES[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$prog: N must be a positive integer, got '$n'" >&2; exit 2; }
done
command -v gcc >/dev/null || { echo "$prog: needs gcc on the host" >&2; exit 2; }
[ -x /usr/sbin/ovs-vswitchd ] || { echo "$prog: needs ovs-vswitchd (apt-get install -y openvswitch-switch)" >&2; exit 2; }
[ -x bin/offload-bridge ] || { echo "$prog: bin/offload-bridge missing" >&2; exit 2; }

if [ $summary_only = 0 ]; then
  OUT=${FS_OUT:-$(mktemp -d /tmp/flow-setup.XXXXXX)}
  mkdir -p "$OUT"
  OUT=$(cd "$OUT" && pwd -P)
  rm -f "$OUT/results.txt" "$OUT/load.txt"
  gcc -O2 -Wall -Wextra -o "$OUT/flowgen" benchmarks/sender/flowgen.c

  # The daemon as built now, copied: the build tree's jars are rebuilt by whoever works in this
  # checkout, and a jar replaced during a run changes what is measured between repetitions (the
  # guest's 9p view of the host may even serve a stale copy). The copy is the launcher in its
  # installed layout (bin/offload-bridge + lib/*.jar, which it runs when there is no build tree),
  # with exactly the jars bin/offload-bridge would put on its class path.
  snap=$OUT/daemon
  rm -rf "$snap"
  mkdir -p "$snap/bin/lib" "$snap/lib"
  cp bin/offload-bridge "$snap/bin/"
  cp bin/lib/java.sh "$snap/bin/lib/"
  jar_tool=""
  for j in "${JAVA_HOME:-}/bin/jar" /usr/lib/jvm/temurin-25-jdk-amd64/bin/jar "$(command -v jar || true)"; do
    [ -x "$j" ] && { jar_tool=$j; break; }
  done
  [ -n "$jar_tool" ] || { echo "$prog: needs the JDK's jar tool (JAVA_HOME)" >&2; exit 2; }
  "$jar_tool" --create --file "$snap/lib/systemd-classes.jar" -C systemd/target/classes .
  # (the class path file has no final newline: read the last entry too)
  tr ':' '\n' < systemd/target/offload-bridge.classpath | while read -r j || [ -n "$j" ]; do
    [ -z "$j" ] || cp "$j" "$snap/lib/"
  done
  { echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($(git status --porcelain -uno 2>/dev/null | wc -l) tracked files modified)"
    echo "module jars of this checkout (built at):"
    tr ':' '\n' < systemd/target/offload-bridge.classpath | grep "^$PWD/" | while read -r j; do
      echo "  $(date -u -r "$j" +%FT%TZ) ${j#"$PWD"/}"
    done
    echo "  $(date -u -r systemd/target/classes +%FT%TZ) systemd/target/classes"
  } > "$OUT/daemon-build.txt"

  # Load sampler: every 5 s the 1-minute load, and how many cores were busy in all (from
  # /proc/stat) and in our qemu (its utime+stime), so "others" = all - ours.
  hz=$(getconf CLK_TCK)
  busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
  sampler() {  # $1 = pid of tests/vm/run
    local b0 q0 b1 q1 qpid=""
    b0=$(busy); q0=0
    while sleep 5; do
      [ -n "$qpid" ] || qpid=$(pgrep -P "$1" -x qemu-system-x86 2>/dev/null || pgrep -P "$1" qemu-system 2>/dev/null | head -1 || true)
      b1=$(busy)
      q1=0
      [ -z "$qpid" ] || q1=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$qpid/stat" 2>/dev/null || echo "$q0")
      awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v b="$((b1 - b0))" -v q="$((q1 - q0))" -v hz="$hz" \
        'BEGIN { printf "load1=%s all_cores=%.2f vm_cores=%.2f others_cores=%.2f\n", l, b/hz/5, q/hz/5, (b-q)/hz/5 }'
      b0=$b1; q0=$q1
    done
  }

  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "$prog: results in $OUT; host load before: $load_before; ${REPS} reps of N = ${SIZES[*]}" >&2
  envs=(--env "FS_DAEMON=$snap/bin/offload-bridge")
  for v in FS_RULES FS_TOPO FS_TIMEOUT_S FS_STALL_S FS_INTERVAL_MS FS_RATE FS_RESEND_MS FS_WARMUP FS_SETTLE_S FS_SYSTEMS FS_OURS_JAVA_OPTS; do
    [ -z "${!v:-}" ] || envs+=(--env "$v=${!v}")
  done
  t0=$SECONDS
  rc=0
  tests/vm/run --share "$OUT" --timeout "${FS_VM_TIMEOUT:-2400}" --console "$OUT/console.log" ${envs[@]+"${envs[@]}"} -- \
    bash benchmarks/scripts/flow-setup-guest.sh "$OUT/flowgen" "$OUT" "$REPS" "${SIZES[@]}" &
  vm=$!
  sampler "$vm" > "$OUT/load.txt" &
  smp=$!
  wait "$vm" || rc=$?
  kill "$smp" 2>/dev/null || true
  wait "$smp" 2>/dev/null || true
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  elapsed=$((SECONDS - t0))
  printf 'load_before="%s"\nload_after="%s"\nelapsed=%s\nREPS=%s\n' "$load_before" "$load_after" "$elapsed" "$REPS" > "$OUT/run.txt"
  [ $rc = 0 ] || echo "$prog: the VM run exited $rc (124: timeout; 125: the VM itself failed); summarising what there is" >&2
else
  rc=0
fi
[ -s "$OUT/results.txt" ] || { echo "$prog: no results" >&2; exit 1; }
# shellcheck source=/dev/null
. "$OUT/run.txt"

# ---- summary
{
  echo
  echo "flow setup rate: first packet of each of N flows -> its flower filter created on p1 (${REPS} reps; run ended $(date -u -r "$OUT/run.txt" +%FT%TZ))"
  echo "host load before: $load_before   after: $load_after   run: ${elapsed} s"
  [ ! -f "$OUT/daemon-build.txt" ] || echo "daemon $(sed -n 1p "$OUT/daemon-build.txt")"
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
       $1 ~ /^load1=/ { n++; if (v["load1"] > m) m = v["load1"]; o += v["others_cores"]; q += v["vm_cores"] }
       END { if (n) printf "during the run (%d samples of 5 s): max load1 %.2f, mean cores busy: our VM %.2f, other processes %.2f\n", n, m, q/n, o/n }' "$OUT/load.txt"
  awk -v reps="$REPS" -v lb="${load_before%% *}" -v loadfile="$OUT/load.txt" '
    function med(a, k,   t, i, j) { # a[1..k] sorted in place; the median
      for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    BEGIN {
      while ((getline line < loadfile) > 0) { split(line, f, " "); split(f[4], oc, "="); ot += oc[2]; on++ }
      trial = (lb + 0 >= 1.5) || (on && ot / on >= 0.5)
    }
    {
      delete v
      for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      k = v["system"] SUBSEP v["n"]
      if (!(k in tot)) { order[++no] = k; cnt[k] = 0 }
      tot[k]++
      sys[k] = v["system"]; nn[k] = v["n"]
      if (v["error"] != "") { err[k] = err[k] " " v["error"]; next }  # no figures from a run that failed
      c = ++cnt[k]
      rate[k, c] = v["rate"] + 0; inst[k, c] = v["installed"] + 0; ms[k, c] = v["setup_ms"] + 0
      pmax[k, c] = v["present_max"] + 0; dele[k, c] = v["deleted"] + 0; lost[k, c] = v["upcalls_lost"] + 0
      if (v["complete"] == 1) full[k]++
      if (v["overflows"] + 0 > 0) ovf[k] += v["overflows"]
      rules = v["rules"]; warm = v["warmup"] + 0; settle = v["settle_s"] + 0
    }
    END {
      printf "rules: %s; before the measured flows: %d warm-up flows, %d s settle\n", rules, warm, settle
      printf "\n%-5s %6s %8s %-21s %-21s %-18s %-8s %-8s %-8s\n", "sys", "N", "all set", "set up min/med/max",
        "setup s min/med/max", "flows/s min/med/max", "present", "deleted", "lost"
      for (x = 1; x <= no; x++) {
        k = order[x]; c = cnt[k]
        if (c == 0) { printf "%-5s %6s %5d/%-2d no figures; failed runs:%s\n", sys[k], nn[k], 0, tot[k], err[k]; continue }
        for (i = 1; i <= c; i++) {
          r[i] = rate[k, i]; s[i] = inst[k, i]; t[i] = ms[k, i] / 1000; p[i] = pmax[k, i]; d[i] = dele[k, i]; l[i] = lost[k, i]
        }
        mr = med(r, c); mt = med(t, c); mi = med(s, c); mp = med(p, c); md = med(d, c); ml = med(l, c)
        medrate[k] = mr
        printf "%-5s %6s %5d/%-2d %5d/%5d/%-9d %6.1f/%6.1f/%-7.1f %5.0f/%5.0f/%-6.0f %-8d %-8d %-8d%s%s\n", sys[k], nn[k], full[k],
          tot[k], s[1], mi, s[c], t[1], mt, t[c], r[1], mr, r[c], mp, md, ml,
          err[k] != "" ? "  failed runs (left out):" err[k] : "", ovf[k] ? "  notification overflows: " ovf[k] : ""
      }
      printf "\n"
      for (x = 1; x <= no; x++) {
        k = order[x]
        if (sys[k] != "ours") continue
        ok = "ovs" SUBSEP nn[k]
        if (ok in medrate && medrate[ok] > 0)
          printf "N=%s: ours/ovs (median flows/s) = %.2f (target >= 3)\n", nn[k], medrate[k] / medrate[ok]
      }
      printf "\nset up = flows whose flower filter tc reported created (its notification; each flow has its own\n"
      printf "source MAC); flows/s = set up / time from the first packet sent to the N-th creation, or to the\n"
      printf "last one when not all N came (all set < runs). present = most filters on p1 at once (median),\n"
      printf "deleted = our flows the switch removed during the run, lost = first packets that never\n"
      printf "reached a handler (ours: N - upcall/show upcalls, i.e. miss-device socket + upcall queue drops;\n"
      printf "OVS: dpctl/show lost), medians.\n"
      if (trial) printf "\nTRIAL RUN: the host was not idle (load before %.2f, other processes %.2f cores on average); not valid figures.\n", lb, on ? ot / on : 0
    }' "$OUT/results.txt"
  echo
  echo "per run: $OUT/results.txt; logs (switch log, counters, kernel drops, CPU per thread): $OUT/logs/"
} | tee "$OUT/summary.txt"
exit $rc
