#!/usr/bin/python3
"""Check a Hugging Face GPT-2 directory written by the Java side (e.g. `bin/seal pretrain`) against PyTorch.

Usage:  /usr/bin/python3 weights/scripts/check_model.py MODEL_DIR LOGITS.npy ID,ID,...

LOGITS.npy comes from `bin/seal logits --model MODEL_DIR --ids ID,ID,... --out LOGITS.npy`. The script reads
config.json and model.safetensors with the independent numpy reader of make_fixtures.py, runs the float64
reference forward pass (gpt2_reference.py, Hugging Face GPT2LMHeadModel semantics) and prints the largest
absolute difference of the logits; it exits 1 above 1e-3 (float32 vs float64 over a whole model).
"""
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_reference as ref  # noqa: E402
from make_fixtures import read_safetensors  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    model_dir, logits_file, ids = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    with open(os.path.join(model_dir, "model.safetensors"), "rb") as f:
        tensors = read_safetensors(f.read())
    state = {name: torch.from_numpy(np.array(arr)) for name, (dtype, arr) in tensors.items()}
    want = ref.gpt2_forward(state, cfg, [ids]).numpy()[0]
    got = np.load(logits_file)
    err = float(np.abs(got - want).max())
    print(json.dumps({"model": model_dir, "tokens": len(ids), "max_abs_diff": err, "logits_max_abs": float(np.abs(want).max())}))
    sys.exit(0 if err <= 1e-3 else 1)


if __name__ == "__main__":
    main()
