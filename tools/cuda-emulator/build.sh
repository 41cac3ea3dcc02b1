#!/usr/bin/env bash
# SEAL CUDA emulator (a CPU test double of libcuda/libnvrtc/libcublas; never part of the bundle).
#
#   tools/cuda-emulator/build.sh [KERNELS.cu ...] OUT_DIR
#
# Compiles the kernel files (CUDA C following the rules in README.md) as C++17 with the emulation
# header, and writes OUT_DIR/libcuda.so.1, OUT_DIR/libnvrtc.so.13 and OUT_DIR/libcublas.so.13.
# Point SEAL at them with SEAL_CUDA_LIBRARY_PATH=OUT_DIR. Objects are kept in OUT_DIR/.build and
# rebuilt only when a source is newer, so a second build of the same files takes well under a second.
# Needs only g++ (CXX overrides); uses CUDA's cuda.h when present (CUDA_INCLUDE, default
# /usr/local/cuda/include) for the driver prototypes, else the bundled constants (src/cuda_min.h).
# CUEMU_CXXFLAGS adds compiler flags (e.g. -DCUEMU_USE_UCONTEXT, -O0 -g for debugging kernels).
set -euo pipefail

if (( $# < 1 )) || [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    echo "usage: $0 [KERNELS.cu ...] OUT_DIR" >&2
    exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${*: -1}"
kernels=()
for k in "${@:1:$#-1}"; do
    [[ -f "$k" ]] || { echo "cuda-emulator: no such kernel file: $k" >&2; exit 1; }
    kernels+=("$(cd "$(dirname "$k")" && pwd)/$(basename "$k")")
done
mkdir -p "$out/.build"
out="$(cd "$out" && pwd)"
obj="$out/.build"
CXX="${CXX:-g++}"
CUDA_INCLUDE="${CUDA_INCLUDE:-/usr/local/cuda/include}"
# shellcheck disable=SC2206
common=(-std=c++17 -O2 -g1 -fPIC -fvisibility=hidden -pthread -Wall -Wno-unknown-pragmas ${CUEMU_CXXFLAGS:-})
driver_flags=()
if [[ -f "$CUDA_INCLUDE/cuda.h" ]]; then
    driver_flags=(-DCUEMU_HAVE_CUDA_H -I"$CUDA_INCLUDE")
fi

# Objects built with other flags or another compiler are stale.
stamp="$CXX ${common[*]} $CUDA_INCLUDE"
if [[ "$(cat "$obj/flags" 2>/dev/null)" != "$stamp" ]]; then
    rm -f "$obj"/*.o
    printf '%s' "$stamp" > "$obj/flags"
fi

# needs_build TARGET DEPENDENCY...: true if TARGET is missing or older than any dependency.
needs_build() {
    local target="$1"
    shift
    [[ -f "$target" ]] || return 0
    local d
    for d in "$@"; do
        [[ "$d" -nt "$target" ]] && return 0
    done
    return 1
}

# The generator: scans the kernel files, writes one wrapper per file and the NVRTC kernel table.
if needs_build "$obj/gen" "$here/src/gen.cpp" "$here/src/scan.h"; then
    "$CXX" -std=c++17 -O1 -o "$obj/gen" "$here/src/gen.cpp"
fi
"$obj/gen" "$obj" "${kernels[@]}"

# Compile everything that is out of date, in parallel.
pids=()
compile() {  # compile OBJECT SOURCE "DEPENDENCIES..." FLAGS...
    local o="$1" src="$2" deps="$3"
    shift 3
    # shellcheck disable=SC2086
    if needs_build "$o" "$src" $deps "$here/build.sh" "$here/src/exports.map"; then
        "$CXX" "${common[@]}" "$@" -c "$src" -o "$o" &
        pids+=($!)
    fi
}
emu_h="$here/include/cuda_emu.h"
compile "$obj/fiber.o" "$here/src/fiber.cpp" "$emu_h $here/src/emu_internal.h"
compile "$obj/driver.o" "$here/src/driver.cpp" "$emu_h $here/src/emu_internal.h $here/src/cuda_min.h" "${driver_flags[@]}"
compile "$obj/nvrtc.o" "$here/src/nvrtc.cpp" "$here/src/scan.h"
compile "$obj/cublas.o" "$here/src/cublas.cpp" ""
compile "$obj/kernel_table.o" "$obj/kernel_table.cpp" ""
if [[ -n "${driver_flags[*]}" ]]; then
    compile "$obj/check_min.o" "$here/src/check_min.cpp" "$here/src/cuda_min.h" "${driver_flags[@]}"
fi
kernel_objs=()
for i in "${!kernels[@]}"; do
    compile "$obj/kernels_$i.o" "$obj/kernels_$i.cpp" "${kernels[$i]} $emu_h" \
        -fno-strict-aliasing -include "$emu_h" -Wno-unused-function -Wno-unused-variable
    kernel_objs+=("$obj/kernels_$i.o")
done
failed=0
for p in "${pids[@]}"; do
    wait "$p" || failed=1
done
(( failed == 0 )) || { echo "cuda-emulator: compilation failed" >&2; exit 1; }

# Link (to a temporary name, then rename: a process that has the old library open keeps it intact).
link() {  # link SONAME OBJECTS... -- EXTRA
    local name="$1"
    shift
    "$CXX" -shared -pthread -Wl,--no-undefined -Wl,--version-script="$here/src/exports.map" -Wl,-soname,"$name" -o "$out/$name.tmp" "$@"
    mv -f "$out/$name.tmp" "$out/$name"
}
link libcuda.so.1 "$obj/driver.o" "$obj/fiber.o" "${kernel_objs[@]}"
link libnvrtc.so.13 "$obj/nvrtc.o" "$obj/kernel_table.o" &
nvrtc_pid=$!
link libcublas.so.13 "$obj/cublas.o" -L"$out" -l:libcuda.so.1 -Wl,-rpath,'$ORIGIN'
wait "$nvrtc_pid"
