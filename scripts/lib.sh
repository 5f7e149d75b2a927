# Shared by ./burrow and scripts/test.sh: find a JDK >= 21 and Maven.
# Sourced, not run.

# java_major JAVA -> prints the feature release (17, 21, 25...) or nothing. Reads the JDK's
# release file when there is one, since starting a JVM just to ask costs a tenth of a second.
java_major() {
  local release
  release="$(dirname "$(dirname "$(readlink -f "$1")")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9][0-9]*\).*/\2/p' "$release" | head -n 1
  else
    "$1" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
  fi
}

# find_java_home -> prints a JAVA_HOME whose java is >= 21, looking at JAVA_HOME,
# then the java on PATH, then every JDK under /usr/lib/jvm (newest first).
find_java_home() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if c=$(command -v java 2>/dev/null); then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$c")")")")
  fi
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

require_java_home() {
  if ! JAVA_HOME=$(find_java_home); then
    echo "burrow: no JDK 21 or newer found (looked at \$JAVA_HOME, the java on PATH and /usr/lib/jvm)." >&2
    echo "burrow: install one (for example Temurin 25) and set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME
  # Maven's bundled Guava touches sun.misc.Unsafe; JDK 24+ warns about it on every build.
  if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

require_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "burrow: installing Maven with apt-get" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >&2
    else
      echo "burrow: Maven (mvn) is needed to build Burrow; install it (apt-get install maven)." >&2
      exit 1
    fi
  fi
}
