#!/usr/bin/env bash
# Regenerates the three header classes with jextract (https://jdk.java.net/jextract/) from a CUDA
# toolkit's headers, one jextract run per section of includes.txt, so the symbol list lives only there.
# The committed classes follow jextract's output shape but link through Downcalls (a missing library
# throws CudaUnavailableException instead of failing class initialisation); after regenerating, re-apply
# that by replacing "SYMBOL_LOOKUP.findOrThrow(...)" holders, or diff and keep the committed files.
# Usage: CUDA_HOME=/usr/local/cuda native-bindings/jextract/regenerate.sh [output-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
includes="$here/../src/main/resources/sealjvm/bindings/includes.txt"
out="${1:-$here/../target/jextract}"
cuda_home="${CUDA_HOME:-/usr/local/cuda}"
mkdir -p "$out"
# Section header lines look like: "## cuda_h cuda.h cuda" (class, header file, library key).
grep '^## ' "$includes" | while read -r _ cls header lib; do
    args="$out/$cls.args"
    awk -v s="## $cls " 'index($0, s) == 1 {on = 1; next} /^## / {on = 0} on && /^--include-/' "$includes" > "$args"
    extra=()
    if [ "$header" = cublas_api.h ]; then
        # cublas_api.h (CUDA 12.x, 13.0) #errors unless CUBLASAPI is defined; cublas_v2.h defines it empty
        # for host code before including it, so do the same (see native-bindings/VERIFIED.md).
        extra=(--define-macro CUBLASAPI=)
    fi
    jextract \
        ${extra[@]+"${extra[@]}"} \
        --target-package sealjvm.bindings \
        --header-class-name "$cls" \
        --library "$lib" \
        -I "$cuda_home/include" \
        --output "$out" \
        @"$args" \
        "$cuda_home/include/$header"
done
echo "generated into $out"
