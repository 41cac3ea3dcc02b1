#!/usr/bin/env bash
# bench/compare.sh [--threads N] [--quick] [--markdown] [--rounds R] [--train] [--dry-run]: our figures vs ONNX Runtime,
# Jlama (native and Vector API) and PyTorch on the same machine, same weights, same shapes, same thread count, one run
# (see bench/README.md). Needs Debian's python3-torch + numpy for /usr/bin/python3 (with libopenblas0-pthread); builds
# bench/peers (-Ppeers: ONNX Runtime and Jlama from Maven Central on first use) and, through bin/seal, the CLI.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for this command only: compare.py sets the kernel per process after
# probing which one is fastest here. The JVM side does not use OpenBLAS.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
. "$ROOT/.mvn/jdk25.sh"
THREADS=2
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--threads" ] && { j=$((i + 1)); THREADS=${!j}; }; done
echo "compare: building bench/peers and bin/seal..." >&2
(cd "$ROOT" && ./mvnw -q -Ppeers -pl bench/peers -am package -DskipTests >&2) \
  || { echo "compare: building bench/peers failed (run ./mvnw -Ppeers -pl bench/peers -am package to see why)" >&2; exit 1; }
"$ROOT/bin/seal" --version >/dev/null   # bin/seal builds itself when stale: now, not between two timings
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE JAVA_HOME="$JAVA_HOME" OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
  /usr/bin/python3 "$HERE/compare.py" "$@"
