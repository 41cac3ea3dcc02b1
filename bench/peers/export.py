"""Writes the model every column of bench/compare.sh runs: GPT-2-124M-shaped random float32 weights.

    python3 bench/peers/export.py OUT_DIR [--layers 12 --embd 768 --heads 12 --vocab 50257 --positions 1024]

OUT_DIR gets
  config.json, model.safetensors   a Hugging Face GPT-2 directory (tensor names as GPT2Model saves them, no
                                   "transformer." prefix, tied head), which our engine and Jlama both load;
  tokenizer.json                   built from weights/tokenizer (Jlama will not open a directory without one; the
                                   runs pass token ids, so it is never used to encode);
  gpt2.onnx                        the same model for ONNX Runtime (opset 17), with a KV cache input;
  ids.json, reference.f32          the 128 token ids every peer is checked on and PyTorch's logits for them,
                                   (128, vocab) little-endian float32.

Weights are those of compare.py's TorchGpt2 (seed 1: N(0, 0.02) matrices and embeddings); the biases and layernorm
gains/offsets are drawn too (N(0, 0.02), gains 1 + N(0, 0.1)) rather than left at 0 and 1, so that a peer that drops
a bias or the layernorm affine fails the logits check instead of passing it by luck.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from compare import GPT2, TorchGpt2  # noqa: E402

EOT = 50256
TOKENS = 128


def make_model(layers, embd, heads, vocab, positions):
    m = TorchGpt2(layers, embd, heads, vocab, positions, seed=1)
    g = torch.Generator().manual_seed(4)
    for p in m.blocks:
        for k in p:
            if k.startswith("ln"):
                p[k] = (1 + 0.1 * torch.randn(p[k].shape, generator=g)) if k.endswith("w") else 0.02 * torch.randn(p[k].shape, generator=g)
            elif k.endswith("b"):
                p[k] = 0.02 * torch.randn(p[k].shape, generator=g)
    m.lnfw = 1 + 0.1 * torch.randn(embd, generator=g)
    m.lnfb = 0.02 * torch.randn(embd, generator=g)
    return m


# Hugging Face GPT-2 names <- TorchGpt2 keys
BLOCK_NAMES = [("ln_1.weight", "ln1w"), ("ln_1.bias", "ln1b"), ("attn.c_attn.weight", "attnw"), ("attn.c_attn.bias", "attnb"),
               ("attn.c_proj.weight", "projw"), ("attn.c_proj.bias", "projb"), ("ln_2.weight", "ln2w"), ("ln_2.bias", "ln2b"),
               ("mlp.c_fc.weight", "fcw"), ("mlp.c_fc.bias", "fcb"), ("mlp.c_proj.weight", "fcprojw"), ("mlp.c_proj.bias", "fcprojb")]


def named_tensors(m):
    out = {"wte.weight": m.wte, "wpe.weight": m.wpe}
    for l, p in enumerate(m.blocks):
        for hf, k in BLOCK_NAMES:
            out["h.%d.%s" % (l, hf)] = p[k]
    out["ln_f.weight"], out["ln_f.bias"] = m.lnfw, m.lnfb
    return out


def write_safetensors(path, tensors):
    """The safetensors format by hand (8-byte header length, JSON header, raw little-endian data): no extra package."""
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, t in tensors.items():
        b = np.ascontiguousarray(t.detach().numpy(), dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return {k: torch.from_numpy(np.frombuffer(data, "<f4", (v["data_offsets"][1] - v["data_offsets"][0]) // 4, v["data_offsets"][0])
                                .reshape(v["shape"]).copy())
            for k, v in header.items() if k != "__metadata__"}


def load_model(model_dir):
    """The TorchGpt2 of a directory this script wrote (compare.py times PyTorch on it)."""
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    m = TorchGpt2(cfg["n_layer"], cfg["n_embd"], cfg["n_head"], cfg["vocab_size"], cfg["n_positions"], seed=1)
    t = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    m.wte, m.wpe, m.lnfw, m.lnfb = t["wte.weight"], t["wpe.weight"], t["ln_f.weight"], t["ln_f.bias"]
    for l, p in enumerate(m.blocks):
        for hf, k in BLOCK_NAMES:
            p[k] = t["h.%d.%s" % (l, hf)]
    return m


def write_tokenizer(path):
    vocab = json.load(open(os.path.join(ROOT, "weights", "tokenizer", "vocab.json"), encoding="utf-8"))
    with open(os.path.join(ROOT, "weights", "tokenizer", "merges.txt"), encoding="utf-8") as f:
        merges = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#version")]
    tok = {"version": "1.0", "added_tokens": [{"id": EOT, "content": "<|endoftext|>", "special": True}],
           "normalizer": None, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
           "model": {"type": "BPE", "vocab": vocab, "merges": merges}}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False)


class OnnxGpt2(torch.nn.Module):
    """TorchGpt2's computation with the KV cache as a tensor: (ids (T,), past (L, 2, H, P, D)) -> (logits (T, V),
    present (L, 2, H, P+T, D)). P = 0 is a plain forward; the graph concatenates the new keys and values onto past,
    as Hugging Face's ONNX exports of GPT-2 do."""

    def __init__(self, m):
        super().__init__()
        self.C, self.H = m.C, m.H
        self.wte = torch.nn.Parameter(m.wte, requires_grad=False)
        self.wpe = torch.nn.Parameter(m.wpe, requires_grad=False)
        self.lnf = torch.nn.ParameterList([torch.nn.Parameter(m.lnfw, requires_grad=False), torch.nn.Parameter(m.lnfb, requires_grad=False)])
        self.blocks = torch.nn.ModuleList()
        for p in m.blocks:
            b = torch.nn.Module()
            for k, v in p.items():
                b.register_parameter(k, torch.nn.Parameter(v, requires_grad=False))
            self.blocks.append(b)

    def forward(self, ids, past):
        T, C, H = ids.shape[0], self.C, self.H
        D = C // H
        P = past.shape[3]
        pos = torch.arange(T) + P
        x = self.wte[ids] + self.wpe[pos]
        mask = torch.arange(P + T).unsqueeze(0) <= pos.unsqueeze(1)
        present = []
        for l, p in enumerate(self.blocks):
            a = F.layer_norm(x, (C,), p.ln1w, p.ln1b, 1e-5)
            qkv = torch.addmm(p.attnb, a, p.attnw)
            q, k, v = (t.reshape(T, H, D).transpose(0, 1) for t in qkv.split(C, dim=1))
            k = torch.cat([past[l, 0], k], dim=1)
            v = torch.cat([past[l, 1], v], dim=1)
            present.append(torch.stack([k, v]))
            s = (q @ k.transpose(-1, -2)) / math.sqrt(D)
            s = s.masked_fill(~mask, float("-inf"))
            att = (torch.softmax(s, dim=-1) @ v).transpose(0, 1).reshape(T, C)
            x = x + torch.addmm(p.projb, att, p.projw)
            h = F.layer_norm(x, (C,), p.ln2w, p.ln2b, 1e-5)
            h = F.gelu(torch.addmm(p.fcb, h, p.fcw), approximate="tanh")
            x = x + torch.addmm(p.fcprojb, h, p.fcprojw)
        x = F.layer_norm(x, (C,), self.lnf[0], self.lnf[1], 1e-5)
        return x @ self.wte.t(), torch.stack(present)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    for k, v in GPT2.items():
        ap.add_argument("--" + k, type=int, default=v)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    m = make_model(a.layers, a.embd, a.heads, a.vocab, a.positions)
    write_safetensors(os.path.join(a.out, "model.safetensors"), named_tensors(m))
    cfg = {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "bos_token_id": EOT, "eos_token_id": EOT,
           "layer_norm_epsilon": 1e-5, "model_type": "gpt2", "n_ctx": a.positions, "n_embd": a.embd, "n_head": a.heads,
           "n_layer": a.layers, "n_positions": a.positions, "tie_word_embeddings": True, "torch_dtype": "float32", "vocab_size": a.vocab}
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    write_tokenizer(os.path.join(a.out, "tokenizer.json"))

    ids = torch.randint(0, a.vocab, (TOKENS,), generator=torch.Generator().manual_seed(2))
    with open(os.path.join(a.out, "ids.json"), "w") as f:
        json.dump(ids.tolist(), f)
    with torch.inference_mode():
        ref = m.forward(ids)
    ref.numpy().astype("<f4").tofile(os.path.join(a.out, "reference.f32"))

    om = OnnxGpt2(m).eval()
    D = a.embd // a.heads
    past = torch.zeros(a.layers, 2, a.heads, 3, D)
    with torch.no_grad():
        # The graph itself must agree with TorchGpt2 before anything is timed on it.
        got, _ = om(ids[:5], torch.zeros(a.layers, 2, a.heads, 0, D))
        err = (got - ref[:5]).abs().max().item()
        if not err < 1e-4:
            sys.exit("export: the ONNX module's logits differ from TorchGpt2's by %.3g" % err)
        torch.onnx.export(om, (ids[:4], past), os.path.join(a.out, "gpt2.onnx.tmp"), opset_version=17,
                          input_names=["input_ids", "past"], output_names=["logits", "present"],
                          dynamic_axes={"input_ids": {0: "T"}, "past": {3: "P"}, "logits": {0: "T"}, "present": {3: "P+T"}})
    os.replace(os.path.join(a.out, "gpt2.onnx.tmp"), os.path.join(a.out, "gpt2.onnx"))
    print("export: %s (layers %d, embd %d, vocab %d)" % (a.out, a.layers, a.embd, a.vocab))


if __name__ == "__main__":
    main()
