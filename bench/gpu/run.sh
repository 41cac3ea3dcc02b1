#!/usr/bin/env bash
# What issue 5 measures on a GPU host, in two runs that each fit a GPU host's limit per command (600 s); the host needs
# no Java (the bundle brings it).
#   bench/gpu/run.sh check [BUNDLE.tgz] [OUT_DIR]   run 1, correctness (timeouts sum to 420 s): environment, bin/seal gpu-check
#                                                   --cycles 1000, the packed gpu-tagged JUnit tests (dist/gpu-tests)
#   bench/gpu/run.sh bench [BUNDLE.tgz] [OUT_DIR]   run 2, timings (timeouts sum to 465 s): environment, bench edit --device cuda,
#                                                   compare_gpu.py (ours vs PyTorch eager), bench reinforce cuda, cpu
#   bench/gpu/run.sh all   [BUNDLE.tgz] [OUT_DIR]   both, one after the other (only where no per-command limit applies;
#                                                   set SEAL_GPU_BUDGET_S=1200)
# BUNDLE defaults to dist/seal-bundle-*.tgz (./mvnw -Pbundle -pl seal/cli -am package -DskipTests, SEAL_BUNDLE_WEIGHTS=0 when
# it travels next to a checkout); OUT_DIR to $OUT, else /tmp/seal-gpu-out.
#
# Every step runs under `timeout` with its own budget (check: 45+15+150+210 s; bench: 45+15+60+225+60+60 s, both well
# under 600 s), capped by what is left of SEAL_GPU_BUDGET_S (default 540 s from the start of the script): a step that
# no longer fits is skipped and says so. Each step writes its results straight into OUT_DIR as it finishes, so a run cut
# off by the host keeps every figure measured before. OUT_DIR holds few files (the device tool returns at most 8):
#   summary.txt       one line per step: name, ok / FAILED (exit N) / TIMED OUT after N s / skipped, seconds, result
#   environment.txt   nvidia-smi (name, driver, memory, compute mode), the CUDA libraries' folders, python/torch
#   check: gpu-check.jsonl (one JSON line per check), gpu-tests.txt (one line per JUnit test, failures' messages)
#   bench: edit-cuda.jsonl, compare.jsonl (a row per measurement, appended as measured), compare.md (the table,
#          rendered from compare.jsonl even after a timeout), reinforce.jsonl (rollouts/s on cuda, then cpu)
#   logs-MODE.tgz     every step's stdout/stderr, re-packed after each step
# Exit status: 0 when every step passed, 1 otherwise.
# A dry run of this script on the CPU emulator (no GPU): SEAL_CUDA_LIBRARY_PATH=<emulator build> SEAL_COMPARE_ARGS=--dry-run,
# a python3 with torch first on PATH, and an nvidia-smi stand-in; its figures mean nothing.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MODE=${1:-}
case "$MODE" in
  check|bench|all) ;;
  *) echo "usage: bench/gpu/run.sh check|bench|all [BUNDLE.tgz] [OUT_DIR]   (run 1: check, run 2: bench)" >&2; exit 2 ;;
esac
BUNDLE=${2:-$(ls dist/seal-bundle-*.tgz 2>/dev/null | head -1)}
DEST=${3:-${OUT:-/tmp/seal-gpu-out}}
BUDGET=${SEAL_GPU_BUDGET_S:-540}
START=$(date +%s)
[ -f "$BUNDLE" ] || { echo "no bundle: build one with ./mvnw -Pbundle -pl seal/cli -am package -DskipTests" >&2; exit 2; }
mkdir -p "$DEST"
WORK=$(mktemp -d /tmp/seal-gpu-work.XXXXXX)     # logs only; every result goes to DEST directly
SUMMARY="$DEST/summary.txt"
rc=0
LAST_STATUS=ok

note() { echo "$*" | tee -a "$SUMMARY"; }
pack_logs() { tar -czf "$DEST/logs-$MODE.tgz.tmp" -C "$WORK" . 2>/dev/null && mv "$DEST/logs-$MODE.tgz.tmp" "$DEST/logs-$MODE.tgz"; }

# step NAME SECONDS OUTFILE CMD...: runs CMD (an executable: shell functions go through `bash -c`) under timeout (SECONDS, or less if the script's budget is nearly spent),
# stdout appended to OUTFILE as it comes (and shown), stderr to the logs; one summary line; the logs re-packed.
step() {
  local name=$1 want=$2 out=$3; shift 3
  local left=$(( START + BUDGET - $(date +%s) - 10 ))
  local t=$(( want < left ? want : left ))
  if [ "$t" -lt 15 ]; then
    printf '%-16s skipped: %ss of the %ss budget left\n' "$name" "$left" "$BUDGET" | tee -a "$SUMMARY"
    rc=1; return 1
  fi
  echo "== $name (timeout ${t}s)"
  local t0=$(date +%s)
  timeout -k 10 "$t" "$@" 2>>"$WORK/$name.err" | tee -a "$out"
  local r=${PIPESTATUS[0]}
  local dt=$(( $(date +%s) - t0 )) status=ok
  if [ "$r" -eq 124 ] || [ "$r" -eq 137 ]; then status="TIMED OUT after ${t}s"; elif [ "$r" -ne 0 ]; then status="FAILED (exit $r)"; fi
  LAST_STATUS=$status
  [ "$r" -eq 0 ] || rc=1
  local last=""
  [ -s "$out" ] && last=$(tail -1 "$out" | cut -c1-300)
  printf '%-16s %-22s %4ss  %s\n' "$name" "$status" "$dt" "$last" >> "$SUMMARY"
  pack_logs
  return "$r"
}

note "# bench/gpu/run.sh $MODE, $(date -u +%FT%TZ), bundle $(basename "$BUNDLE"), budget ${BUDGET}s"

# ---- shared: unpack the bundle once per host (a second run on a warm host reuses it), find the libraries ----
# Into the checkout's target/ (ignored by git, and not in dist/, which travels to the GPU host), not a fixed /tmp
# folder that another user's run may own.
UNPACKED=$ROOT/target/gpu-bundle
unpack() {
  local stamp="$(basename "$BUNDLE") $(stat -c %s "$BUNDLE")"
  if [ -f "$UNPACKED/.from" ] && [ "$(cat "$UNPACKED/.from")" = "$stamp" ] && ls -d "$UNPACKED"/*/bin/seal >/dev/null 2>&1; then
    echo "bundle already unpacked in $UNPACKED"; return 0
  fi
  rm -rf "$UNPACKED" && mkdir -p "$UNPACKED" && tar -xzf "$BUNDLE" -C "$UNPACKED" && echo "$stamp" > "$UNPACKED/.from" \
    && echo "unpacked $(basename "$BUNDLE")"
}
export BUNDLE MODE UNPACKED
export -f unpack
step unpack 45 "$WORK/unpack.out" bash -c unpack || { note "cannot go on without the bundle"; pack_logs; exit 1; }
export SEAL=$(ls -d "$UNPACKED"/*/bin/seal | head -1)
export SEAL_DATA_HOME=${SEAL_DATA_HOME:-$ROOT}
export SEAL_CUDA_CACHE=$ROOT/target/gpu-cuda-cache   # compiled once, shared by the steps and by run 2 on a warm host
# pip wheels (nvidia-cuda-nvrtc-cuXX, nvidia-cublas-cuXX, CUDA 13's nvidia/cu13) live in this host's Python site folders
# (a venv, conda, /usr/local): NativeLibraries searches their nvidia/*/lib after the toolkit's folders. Not put in
# SEAL_CUDA_LIBRARY_PATH: that one wins over everything, the system loader's libcuda.so.1 included.
export SEAL_PYTHON_SITE_PACKAGES=$(python3 -c 'import site
print(":".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null)

environment() {
  nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used,compute_mode --format=csv
  echo "SEAL_CUDA_LIBRARY_PATH=${SEAL_CUDA_LIBRARY_PATH:-}"
  echo "SEAL_PYTHON_SITE_PACKAGES=$SEAL_PYTHON_SITE_PACKAGES"
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  echo "ld.so.cache: $( (ldconfig -p 2>/dev/null | grep -E 'libcuda\.so|libnvrtc\.so|libcublas\.so' | awk '{print $NF}' | tr '\n' ' ') )"
  echo "pip wheels: $(for d in ${SEAL_PYTHON_SITE_PACKAGES//:/ }; do ls -d "$d"/nvidia/*/lib 2>/dev/null; done | tr '\n' ' ')"
  if [ "$MODE" != check ]; then
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 | tail -1
  fi
  nvidia-smi >&2   # the full table goes to the logs
}
export -f environment
step environment 15 "$DEST/environment.txt" bash -c environment

# ---- run 1: correctness ----
if [ "$MODE" = check ] || [ "$MODE" = all ]; then
  step gpu-check 150 "$DEST/gpu-check.jsonl" "$SEAL" gpu-check --cycles 1000
  if [ -d dist/gpu-tests ]; then
    B=$(dirname "$(dirname "$SEAL")")
    # One result line per test as it finishes (EmulatorChildMain); summarised below even after a timeout.
    step gpu-tests 210 "$WORK/gpu-tests.raw" "$B/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m \
      -Dseal.home="$SEAL_DATA_HOME" -cp "$B/app/seal.jar:$B/app/lib/*:dist/gpu-tests/*" sealjvm.bindings.EmulatorChildMain \
      sealjvm.bindings.GpuSmokeTest sealjvm.tensor.cuda.CudaOpsTest sealjvm.seal.GpuChecksTest >/dev/null
    python3 - "$WORK/gpu-tests.raw" "$DEST/gpu-tests.txt" <<'PY' || rc=1
import base64, sys
raw, out = sys.argv[1], sys.argv[2]
rows = [l.rstrip("\n").split("\t") for l in open(raw) if l.startswith("@@seal-cuda-emulator-result ")]
lines, bad = [], 0
for status, name, msg in rows:
    status = status.split()[-1]
    lines.append("%-10s %s" % (status, name))
    if status != "SUCCESSFUL":   # a skipped (ABORTED) gpu test means no usable device: as loud as a failure
        bad += 1
        lines.append("    " + base64.b64decode(msg).decode("utf-8", "replace").replace("\n", "\n    ")[:3000])
lines.append("%d tests, %d not successful" % (len(rows), bad))
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(l for l in lines if not l.startswith("    ")))
sys.exit(1 if bad or not rows else 0)
PY
    [ "$LAST_STATUS" = ok ] || echo "the test JVM did not finish: $LAST_STATUS (the tests above are those that reported)" >> "$DEST/gpu-tests.txt"
    printf '%-16s %s\n' gpu-tests-sum "$(grep -E '^[0-9]+ tests' "$DEST/gpu-tests.txt" 2>/dev/null) ($LAST_STATUS)" >> "$SUMMARY"
  else
    note "gpu-tests        skipped: no dist/gpu-tests (run bench/gpu/make-gpu-tests.sh before carrying dist/)"
    rc=1
  fi
fi

# ---- run 2: timings ----
if [ "$MODE" = bench ] || [ "$MODE" = all ]; then
  step edit-cuda 60 "$DEST/edit-cuda.jsonl" "$SEAL" bench edit --device cuda --rows 768 --cols 3072 --rank 8 --iters 100
  # PyTorch first, in its own process, then ours (compare_gpu.py); rows land in compare.jsonl as they are measured.
  export PYTHONUNBUFFERED=1
  step compare 225 "$WORK/compare.out" python3 bench/gpu/compare_gpu.py --out "$DEST/compare.jsonl" \
    --torch-timeout 100 --seal-timeout 60 ${SEAL_COMPARE_ARGS:-}
  [ -s "$DEST/compare.jsonl" ] && python3 bench/gpu/compare_gpu.py --render "$DEST/compare.jsonl" > "$DEST/compare.md" 2>>"$WORK/compare.err"
  step reinforce-cuda 60 "$DEST/reinforce.jsonl" "$SEAL" bench reinforce --device cuda --episodes 10 --warmup 2
  step reinforce-cpu 60 "$DEST/reinforce.jsonl" "$SEAL" bench reinforce --device cpu --episodes 5 --warmup 1
fi

pack_logs
rm -rf "$WORK"
note "# done in $(( $(date +%s) - START ))s, exit $rc; results in $DEST: $(ls "$DEST" | tr '\n' ' ')"
exit $rc
