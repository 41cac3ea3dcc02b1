# Sourced (POSIX sh) by ./mvnw and bin/seal. Points JAVA_HOME at a JDK >= 25:
# JAVA_HOME if it is one, else the newest /usr/lib/jvm/*25* (or later); otherwise stops with one line.
# Why: the machine's default `java` may be 17, and this project needs FFM (final in 22+) and Java 25.
seal_jdk_major() {
  [ -x "$1/bin/java" ] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)
  [ -n "$v" ] || v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  [ -n "$v" ] && echo "$v"
}
seal_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && m=$(seal_jdk_major "$JAVA_HOME") && [ "$m" -ge 25 ]; then return 0; fi
  for d in $(ls -d /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /usr/lib/jvm/*3[0-9]* 2>/dev/null | sort -r); do
    if m=$(seal_jdk_major "$d") && [ "$m" -ge 25 ]; then JAVA_HOME=$d; export JAVA_HOME; return 0; fi
  done
  echo "error: SEAL on the JVM needs a JDK 25 or newer: set JAVA_HOME to one (none found in JAVA_HOME=${JAVA_HOME:-unset} or /usr/lib/jvm/*25*)" >&2
  exit 1
}
seal_find_jdk
