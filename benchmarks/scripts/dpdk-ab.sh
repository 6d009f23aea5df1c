#!/bin/bash
# A/B of two builds of the DPDK path on this host, paired: each round runs DpdkForwardRun from
# both jars back to back (which goes first alternates) and prints their Mpps and the ratio new/old;
# the median of the per-round ratios is the figure. Pairs cancel most of the host's drift, which
# swings a lone run by ±20 % here (docs/benchmarks-dpdk.md).
#
#   benchmarks/scripts/dpdk-ab.sh OLD.jar NEW.jar ROUNDS SECONDS FLOWS
#
# Build the old side in a worktree: git worktree add /tmp/wt-old <commit> && (cd /tmp/wt-old &&
# ./mvnw -q -o package -DskipTests -pl benchmarks -am); OLD.jar = /tmp/wt-old/benchmarks/target/benchmarks.jar.
# Needs hugepages (DpdkForwardRun --huge): echo 600 > /proc/sys/vm/nr_hugepages and a hugetlbfs
# mount on /dev/hugepages. Measure on an idle machine only (load average < 1.5).
set -euo pipefail
if [ $# -ne 5 ]; then
  echo "usage: $0 OLD.jar NEW.jar ROUNDS SECONDS FLOWS" >&2
  exit 2
fi
old=$1 new=$2 rounds=$3 seconds=$4 flows=$5
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
for f in "$old" "$new"; do [ -f "$f" ] || { echo "$0: no such jar: $f" >&2; exit 2; }; done

run() { # jar → Mpps of the window
  "$J" --enable-native-access=ALL-UNNAMED -cp "$1" org.offloadbridge.benchmarks.dpdk.DpdkForwardRun \
    --huge "$seconds" "$flows" 2>&1 | awk '/^[0-9]+ +[0-9]+ +[0-9.]+/ {print $3}'
}

echo "load before: $(cut -d' ' -f1 /proc/loadavg)"
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then o=$(run "$old"); n=$(run "$new"); else n=$(run "$new"); o=$(run "$old"); fi
  [ -n "$o" ] && [ -n "$n" ] || { echo "$0: round $r: a run printed no result" >&2; exit 1; }
  echo "$o $n"
done | awk '{ r[NR] = $2 / $1; printf "round %d: old %s new %s Mpps, new/old %.3f\n", NR, $1, $2, r[NR] }
  END { n = NR; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
        m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
        printf "flows %s: median new/old %.3f (min %.3f, max %.3f, %d rounds)\n", "'"$flows"'", m, r[1], r[n], n }'
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
