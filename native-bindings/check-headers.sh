#!/usr/bin/env bash
# Compiles the committed header checks (header-check/*.cpp, generated from the bindings by HeaderAgreementTest)
# against a CUDA toolkit's headers, without Java or Maven: e.g. on a GPU host that has the toolkit.
# Each .cpp compiles exactly when the bindings agree with the header (constant values, parameter counts,
# pointer/integer/float kinds and sizes, exact prototypes). A header that is not installed is reported as
# skipped. Exit status: 0 if every installed header agrees, 1 otherwise.
# Usage: native-bindings/check-headers.sh [include-dir ...]
#        (default: $CUDA_HOME/include, then /usr/local/cuda/include)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cxx="${CXX:-g++}"
if [ "$#" -gt 0 ]; then
    dirs=("$@")
else
    dirs=()
    [ -n "${CUDA_HOME:-}" ] && dirs+=("$CUDA_HOME/include")
    dirs+=(/usr/local/cuda/include)
fi
status=0
for cpp in "$here"/header-check/*.cpp; do
    # The header under test is the last #include <...> of the generated file.
    header="$(sed -n 's/^#include <\([^>]*\)>$/\1/p' "$cpp" | tail -n 1)"
    flags=()
    found=""
    for d in "${dirs[@]}"; do
        if [ -z "$found" ] && [ -f "$d/$header" ]; then
            found="$d"
        fi
        [ -d "$d" ] && flags+=("-I$d")
    done
    if [ -z "$found" ]; then
        echo "SKIP $(basename "$cpp"): $header not found in ${dirs[*]}"
        continue
    fi
    if "$cxx" -std=c++17 -fsyntax-only "${flags[@]}" "$cpp"; then
        echo "OK   $(basename "$cpp") agrees with $found/$header"
    else
        echo "FAIL $(basename "$cpp") disagrees with $found/$header (g++ output above)"
        status=1
    fi
done
exit $status
