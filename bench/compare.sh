#!/usr/bin/env bash
# bench/compare.sh [--threads N] [--quick]: our figures vs PyTorch's and numpy/OpenBLAS sgemm, same machine, same
# shapes, same thread count, one run. Needs Debian's python3-torch + numpy for /usr/bin/python3 (with
# libopenblas0-pthread). OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for this command only, so OpenBLAS picks
# its kernel for the CPU (the script prints which); the JVM side does not use OpenBLAS.
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
THREADS=2
for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--threads" ] && { j=$((i + 1)); THREADS=${!j}; }; done
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS" \
  /usr/bin/python3 "$HERE/compare.py" "$@"
