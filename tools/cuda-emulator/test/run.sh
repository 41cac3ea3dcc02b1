#!/usr/bin/env bash
# Builds the SEAL CUDA emulator from the sample kernels and runs its C++ tests.
#   tools/cuda-emulator/test/run.sh [OUT_DIR]      (default: a temporary folder)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$(mktemp -d)}"
"$here/../build.sh" "$here/sample.cu" "$here/misuse.cu" "$out"
if [[ "$out/emu_test" -ot "$here/emu_test.cpp" || ! -f "$out/emu_test" ]] || [[ "$out/emu_test" -ot "$here/../src/cuda_min.h" ]]; then
    "${CXX:-g++}" -std=c++17 -O1 -Wall -o "$out/emu_test" "$here/emu_test.cpp" \
        -L"$out" -l:libcuda.so.1 -l:libnvrtc.so.13 -l:libcublas.so.13 -Wl,-rpath,"$out"
fi
"$out/emu_test" "$here/sample.cu"
