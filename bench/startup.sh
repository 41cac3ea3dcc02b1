#!/usr/bin/env bash
# bench/startup.sh [N [COMMAND ...]]: start-up of the CLI, the wall time of `bin/seal generate --max-new-tokens 1
# --prompt Hello` (or of `bin/seal COMMAND ...`) from launch to exit (the bundled model, one token), run N times
# (default 7) in each set-up of SETUPS (default "aot cds none"), interleaved so that a
# change in the machine's load falls on all of them alike: `aot` (the JDK 25 AOT cache of `bin/seal --aot-cache`,
# written first if missing), `cds` (SEAL_AOT=0: the JDK's default CDS archive only) and `none` (-Xshare:off: no
# class-data sharing at all). Prints each run, then per set-up the median and min of the wall time and the median
# of the CPU time (user + sys), with the CPU, the load average and the date.
set -e
N=${1:-7}
SEAL_HOME=$(cd "$(dirname "$0")/.." && pwd)
SEAL="$SEAL_HOME/bin/seal"
shift || true
CMD=("$@"); [ $# -gt 0 ] || CMD=(generate --max-new-tokens 1 --prompt "Hello")
SETUPS=${SETUPS:-aot cds none}
"$SEAL" --version >/dev/null   # builds on first use, outside the timing
AOT="$SEAL_HOME/seal/cli/target/seal.aot"
[ -f "$AOT" ] && [ "$AOT" -nt "$SEAL_HOME/seal/cli/target/seal.jar" ] || "$SEAL" --aot-cache
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
one() {   # one(name, env...): appends "wall cpu" to $TMP/name
  local name=$1; shift
  env "$@" /usr/bin/time -f "%e %U %S" -o "$TMP/t" "$SEAL" "${CMD[@]}" >/dev/null 2>"$TMP/err" \
    || { cat "$TMP/err" >&2; exit 1; }
  read -r wall user sys <"$TMP/t"
  echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >>"$TMP/$name"
  echo "$name: ${wall} s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') s cpu"
}
for i in $(seq "$N"); do
  for name in $SETUPS; do
    case $name in
      aot) one aot SEAL_AOT=1 ;;
      cds) one cds SEAL_AOT=0 ;;
      none) one none SEAL_AOT=0 SEAL_JAVA_OPTS=-Xshare:off ;;
      *) echo "unknown set-up $name (aot, cds, none)" >&2; exit 2 ;;
    esac
  done
done
med() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "bin/seal ${CMD[*]}"
for name in $SETUPS; do
  echo "$name: median $(cut -d' ' -f1 "$TMP/$name" | med) s wall (min $(cut -d' ' -f1 "$TMP/$name" | sort -n | head -1) s), median $(cut -d' ' -f2 "$TMP/$name" | med) s cpu, $N runs"
done
