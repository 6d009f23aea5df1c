# shellcheck shell=bash disable=SC2154  # $root and $prog are set by the launcher that sources this file
# bin/lib/java.sh — sourced by bin/obctl and bin/offload-bridge: finds a Java >= 25 and sets JRE;
# prints why and exits 3 when there is none. Needs $root and $prog.
#
# Order: $JAVA_HOME when it qualifies (the operator's explicit choice); else the runtime bundled
# with the Debian package ($root/runtime, jlink'ed from the JDK the package was built and tested
# with: docs/packaging.md), and nothing else is looked at; else, as ./mvnw does, the newest under
# /usr/lib/jvm, /opt.
MIN_JAVA=25

java_major() {  # $1 = a Java home; prints its feature version or nothing
  local v
  # Every JDK and jlink'ed runtime since 9 has a release file: reading it costs no JVM start.
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -1)
    if [ -n "$v" ] && [ "$v" != 1 ]; then echo "$v"; return; fi
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

qualifies() {  # $1 = a Java home
  local v
  [ -x "$1/bin/java" ] || return 1
  v=$(java_major "$1")
  [ -n "$v" ] && [ "$v" -ge "$MIN_JAVA" ]
}

find_java() {
  if [ -n "${JAVA_HOME:-}" ] && qualifies "$JAVA_HOME"; then echo "$JAVA_HOME"; return; fi
  if qualifies "$root/runtime"; then echo "$root/runtime"; return; fi
  local best="" best_v=0 v d
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* "${HOME:-/nonexistent}"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/java" ] || continue
    v=$(java_major "$d"); [ -n "$v" ] || continue
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
