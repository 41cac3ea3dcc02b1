#!/usr/bin/python3
"""PEFT LoRA adapters for the bundled tiny model and the logits of the PEFT-merged model (`bin/seal ... --adapter`).

Usage:  /usr/bin/python3 weights/scripts/make_peft_fixture.py      (writes weights/fixtures/peft/)

peft is not needed: the script writes the adapter folders exactly as `PeftModel.save_pretrained` lays them out and
merges them by PEFT's own rule, in float64 torch:

* `adapter_model.safetensors` keys are `base_model.model.<module>.lora_A.weight` [r, in] and `...lora_B.weight`
  [out, r], the adapter name (".default") removed — `get_peft_model_state_dict` in peft/utils/save_and_load.py;
  `lora_A`/`lora_B` are `nn.Linear(in, r)` / `nn.Linear(r, out)` (`LoraLayer.update_layer`, peft/tuners/lora/layer.py).
* scaling = lora_alpha / r, or lora_alpha / sqrt(r) with `use_rslora` (`LoraLayer.update_layer`).
* merge (`Linear.get_delta_weight` + `merge`, peft/tuners/lora/layer.py): W += transpose(B @ A, fan_in_fan_out) *
  scaling; GPT-2's `Conv1D` keeps W as [in, out], which PEFT handles with `fan_in_fan_out=True` (the transpose).

Adapter `lora-a` (r=4, alpha=8, target_modules ["c_attn"]: both blocks' attention input projection, F32) and adapter
`lora-b-rslora` (r=2, alpha=4, use_rslora, two modules named in full, stored F16) both name their base model by a
path relative to the adapter folder ("../../../models/gpt2-tiny-random"). `logits_a.npy` is the base model with
lora-a merged, `logits_ab.npy` with lora-a then lora-b-rslora merged, float32 [T, vocab] of `ids.json`'s tokens,
computed in float64 by gpt2_reference.py from the weights as stored.
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_reference as ref  # noqa: E402
from make_fixtures import json_bytes, npy_bytes, read_safetensors, safetensors_bytes, write_model_dir  # noqa: E402

ROOT = os.path.dirname(HERE)
BASE = os.path.join(ROOT, "models", "gpt2-tiny-random")
OUT = os.path.join(ROOT, "fixtures", "peft")
IDS = [464, 2068, 7586, 21831, 18045]  # "The quick brown fox jumps"

ADAPTERS = [
    # name, r, alpha, use_rslora, target_modules (as written in adapter_config.json), modules adapted, storage dtype
    ("lora-a", 4, 8.0, False, ["c_attn"], ["transformer.h.0.attn.c_attn", "transformer.h.1.attn.c_attn"], torch.float32),
    ("lora-b-rslora", 2, 4.0, True, ["transformer.h.0.mlp.c_fc", "transformer.h.1.mlp.c_proj"],
     ["transformer.h.0.mlp.c_fc", "transformer.h.1.mlp.c_proj"], torch.float16),
]


def main():
    cfg = json.load(open(os.path.join(BASE, "config.json")))
    with open(os.path.join(BASE, "model.safetensors"), "rb") as f:
        stored = read_safetensors(f.read())
    state = {name: torch.from_numpy(np.array(arr)).to(torch.float64) for name, (dtype, arr) in stored.items()}
    gen = torch.Generator().manual_seed(20261206)
    os.makedirs(OUT, exist_ok=True)
    for k, (name, r, alpha, rslora, target_modules, modules, dtype) in enumerate(ADAPTERS):
        scaling = alpha / math.sqrt(r) if rslora else alpha / r
        tensors = {}
        for module in modules:
            key = module[len("transformer."):] + ".weight" if module[len("transformer."):] + ".weight" in state else module + ".weight"
            w = state[key]                                      # Conv1D: [in, out]
            fan_in, fan_out = w.shape
            a = (torch.randn(r, fan_in, generator=gen) * 0.1).to(dtype)    # lora_A.weight [r, in]
            b = (torch.randn(fan_out, r, generator=gen) * 0.1).to(dtype)   # lora_B.weight [out, r]
            tensors["base_model.model." + module + ".lora_A.weight"] = a
            tensors["base_model.model." + module + ".lora_B.weight"] = b
            delta = (b.to(torch.float64) @ a.to(torch.float64)).T * scaling   # transpose(B @ A, fan_in_fan_out=True)
            state[key] = w + delta
        config = {
            "base_model_name_or_path": "../../../models/gpt2-tiny-random",
            "bias": "none",
            "fan_in_fan_out": True,
            "inference_mode": True,
            "lora_alpha": alpha,
            "lora_dropout": 0.0,
            "peft_type": "LORA",
            "r": r,
            "target_modules": target_modules,
            "task_type": "CAUSAL_LM",
            "use_rslora": rslora,
        }
        write_model_dir(os.path.join(OUT, name), {
            "adapter_config.json": json_bytes(config),
            "adapter_model.safetensors": safetensors_bytes(tensors),
        })
        logits = ref.gpt2_forward(state, cfg, [IDS]).numpy()[0].astype(np.float32)
        with open(os.path.join(OUT, "logits_" + "ab"[:k + 1] + ".npy"), "wb") as f:
            f.write(npy_bytes(logits))
    with open(os.path.join(OUT, "ids.json"), "wb") as f:
        f.write(json_bytes({"ids": IDS, "text": "The quick brown fox jumps"}))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
