# bin/lib/java.sh — sourced by bin/obctl and bin/offload-bridge: finds a Java >= 25 the way
# ./mvnw does (JAVA_HOME if it qualifies, a bundled runtime, else the newest under /usr/lib/jvm,
# /opt) and sets JRE; prints why and exits 3 when there is none. Needs $root and $prog.
MIN_JAVA=25

java_major() {  # $1 = path to a java binary; prints its feature version or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  [ -d "$root/runtime" ] && candidates+=("$root/runtime")   # a bundled jlink'ed runtime, when packaged
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$d" ] && candidates+=("$d")
  done
  local best="" best_v=0 v
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] || continue
    v=$(java_major "$d/bin/java"); [ -n "$v" ] || continue
    if [ "$d" = "${JAVA_HOME:-}" ] && [ "$v" -ge "$MIN_JAVA" ]; then echo "$d"; return; fi
    if [ "$v" -ge "$MIN_JAVA" ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v=$v; fi
  done
  echo "$best"
}

JRE=$(find_java)
if [ -z "$JRE" ]; then
  echo "$prog: no Java >= $MIN_JAVA found (looked at \$JAVA_HOME, $root/runtime and /usr/lib/jvm/*)." >&2
  echo "$prog: install one (e.g. Temurin $MIN_JAVA) or point JAVA_HOME at it." >&2
  exit 3
fi

