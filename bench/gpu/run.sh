#!/usr/bin/env bash
# Everything issue 5 measures on a GPU host, in one command (the host needs no Java: the bundle brings it).
#   bench/gpu/run.sh [BUNDLE.tgz] [OUT_DIR]
# 1. unpacks the bundle (default: dist/seal-bundle-*.tgz, built by `./mvnw -Pbundle -pl seal -am package -DskipTests`,
#    with SEAL_BUNDLE_WEIGHTS=0 when it has to travel next to a checkout);
# 2. bin/seal gpu-check  — the gpu tests' checks against PyTorch's fixture logits and the CPU engine — and, when
#    dist/gpu-tests is there (bench/gpu/make-gpu-tests.sh), the gpu-tagged JUnit tests themselves, with the bundle's Java;
# 3. REINFORCE rollouts/s with the model on the GPU and on the CPU (bin/seal bench reinforce), a short train + eval;
# 4. bench/gpu/compare_gpu.py — our forward/edit benchmarks vs PyTorch eager on the same GPU.
# Results in OUT_DIR: gpu-results.tgz (device.txt, gpu-check.jsonl, gpu-tests.txt, reinforce.jsonl, eval-cuda.json,
# compare.jsonl, compare.md, logs) and, unpacked, compare.md, gpu-tests.txt and gpu-check.jsonl.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUNDLE=${1:-$(ls dist/seal-bundle-*.tgz 2>/dev/null | head -1)}
DEST=${2:-${OUT:-/tmp/seal-gpu-out}}
# Every file goes to a work folder; DEST gets few files (the device tool brings back at most 8):
# gpu-results.tgz (all of them), compare.md, gpu-tests.txt, gpu-check.jsonl.
OUT=$(mktemp -d /tmp/seal-gpu-work.XXXXXX)
[ -f "$BUNDLE" ] || { echo "no bundle: build one with ./mvnw -Pbundle -pl seal -am package -DskipTests" >&2; exit 2; }
mkdir -p "$DEST" /tmp/seal-bundle
tar -xzf "$BUNDLE" -C /tmp/seal-bundle
export SEAL=$(ls -d /tmp/seal-bundle/*/bin/seal | head -1)
export SEAL_DATA_HOME=${SEAL_DATA_HOME:-$ROOT}
export SEAL_CUDA_CACHE=/tmp/seal-cuda-cache
# NVRTC and cuBLAS as pip wheels (nvidia-cuda-nvrtc, nvidia-cublas) live wherever this host's Python keeps its packages
# (a venv, conda, /usr/local): ask Python, and search those folders first.
NVLIBS=$(python3 -c 'import glob, os, site
dirs = site.getsitepackages() + [site.getusersitepackages()]
print(":".join(d for b in dirs for d in sorted(glob.glob(os.path.join(b, "nvidia", "*", "lib"))) if os.path.isdir(d)))' 2>/dev/null)
export SEAL_CUDA_LIBRARY_PATH="${SEAL_CUDA_LIBRARY_PATH:+$SEAL_CUDA_LIBRARY_PATH:}$NVLIBS"
echo "SEAL_CUDA_LIBRARY_PATH=$SEAL_CUDA_LIBRARY_PATH"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/device.txt"
date -u +%FT%TZ | tee -a "$OUT/device.txt"
rc=0
echo "== gpu-check"
"$SEAL" gpu-check | tee "$OUT/gpu-check.jsonl" || rc=1
if [ -d dist/gpu-tests ]; then
  echo "== the gpu-tagged JUnit tests, with the bundle's Java (dist/gpu-tests from bench/gpu/make-gpu-tests.sh)"
  B=$(dirname "$(dirname "$SEAL")")
  "$B/runtime/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Dseal.home="$SEAL_DATA_HOME" \
    -cp "$B/app/seal.jar:$B/app/lib/*:dist/gpu-tests/*" sealjvm.bindings.EmulatorChildMain \
    sealjvm.bindings.GpuSmokeTest sealjvm.tensor.cuda.CudaOpsTest sealjvm.seal.GpuChecksTest > "$OUT/gpu-tests.raw" 2>"$OUT/gpu-tests.err"
  python3 - "$OUT" <<'PY' || rc=1
import base64, sys
out = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(out + "/gpu-tests.raw") if l.startswith("@@seal-cuda-emulator-result ")]
lines, bad = [], 0
for status, name, msg in rows:
    status = status.split()[-1]
    lines.append("%-10s %s" % (status, name))
    if status != "SUCCESSFUL":
        bad += 1
        lines.append("    " + base64.b64decode(msg).decode("utf-8", "replace").replace("\n", "\n    ")[:3000])
lines.append("%d tests, %d not successful" % (len(rows), bad))
open(out + "/gpu-tests.txt", "w").write("\n".join(lines) + "\n")
print("\n".join(l for l in lines if not l.startswith("    ")))
sys.exit(1 if bad or not rows else 0)
PY
else
  echo "== (no dist/gpu-tests: run bench/gpu/make-gpu-tests.sh before carrying dist/ to run the JUnit gpu tests here)"
fi
echo "== REINFORCE rollouts/s (bundled gpt2-brown, facts, K=8): model on the GPU, then on the CPU"
for d in cuda cpu; do
  "$SEAL" bench reinforce --device $d --episodes 20 --warmup 3 2>>"$OUT/reinforce.err" | tail -1 | tee -a "$OUT/reinforce.jsonl" || rc=1
done
echo "== a short SEAL training run with --device cuda (checkpoint, metrics, eval)"
rm -rf /tmp/seal-run-cuda
"$SEAL" train --task facts --out /tmp/seal-run-cuda --episodes 5 --device cuda --no-progress > "$OUT/train-cuda.log" 2>&1 \
  && "$SEAL" eval --run /tmp/seal-run-cuda --device cuda --episodes 20 | tee "$OUT/eval-cuda.json" || rc=1
echo "== compare with PyTorch"
PYTHONUNBUFFERED=1 python3 bench/gpu/compare_gpu.py --markdown --out "$OUT/compare.jsonl" | tee "$OUT/compare.md" || rc=1
tar -czf "$DEST/gpu-results.tgz" -C "$OUT" .
for f in compare.md gpu-tests.txt gpu-check.jsonl; do [ -f "$OUT/$f" ] && cp "$OUT/$f" "$DEST/"; done
echo "results: $DEST ($(ls "$DEST" | tr '\n' ' '))"
exit $rc
