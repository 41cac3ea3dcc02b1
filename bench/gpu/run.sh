#!/usr/bin/env bash
# Everything issue 5 measures on a GPU host, in one command (the host needs no Java: the bundle brings it).
#   bench/gpu/run.sh [BUNDLE.tgz] [OUT_DIR]
# 1. unpacks the bundle (default: dist/seal-bundle-*.tgz, built by `./mvnw -Pbundle -pl seal -am package -DskipTests`,
#    with SEAL_BUNDLE_WEIGHTS=0 when it has to travel next to a checkout);
# 2. bin/seal gpu-check  — the gpu tests' checks against PyTorch's fixture logits and the CPU engine;
# 3. a SEAL training run with --device cuda (rollouts/s) and the same run on the CPU;
# 4. bench/gpu/compare_gpu.py — our forward/edit benchmarks vs PyTorch eager on the same GPU.
# Results: OUT_DIR/gpu-check.jsonl, OUT_DIR/compare.jsonl, OUT_DIR/compare.md, OUT_DIR/reinforce.json.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUNDLE=${1:-$(ls dist/seal-bundle-*.tgz 2>/dev/null | head -1)}
OUT=${2:-${OUT:-/tmp/seal-gpu-out}}
[ -f "$BUNDLE" ] || { echo "no bundle: build one with ./mvnw -Pbundle -pl seal -am package -DskipTests" >&2; exit 2; }
mkdir -p "$OUT" /tmp/seal-bundle
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
echo "== SEAL facts run, model on the GPU vs on the CPU (rollouts/s)"
for d in cuda cpu; do
  /usr/bin/time -f "%e s wall" "$SEAL" train --task facts --out /tmp/seal-run-$d --episodes 20 --samples 8 --device $d --no-progress \
    > "$OUT/train-$d.log" 2>&1 || rc=1
  tail -2 "$OUT/train-$d.log"
done
python3 - "$OUT" <<'PY'
import json, sys, glob
out = sys.argv[1]
res = {}
for d in ["cuda", "cpu"]:
    try:
        lines = [json.loads(l) for l in open("/tmp/seal-run-%s/metrics.jsonl" % d)]
        secs = sum(l["seconds"] for l in lines[2:]) / max(1, len(lines) - 2)   # skip the first episodes (warm-up)
        res[d] = dict(episodes=len(lines), seconds_per_episode=secs, rollouts_per_s=8 / secs, last=lines[-1])
    except Exception as e:
        res[d] = dict(error=str(e))
print(json.dumps(res))
json.dump(res, open(out + "/reinforce.json", "w"), indent=1)
PY
echo "== compare with PyTorch"
PYTHONUNBUFFERED=1 python3 bench/gpu/compare_gpu.py --markdown --out "$OUT/compare.jsonl" | tee "$OUT/compare.md" || rc=1
exit $rc
