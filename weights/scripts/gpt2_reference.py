#!/usr/bin/python3
"""Plain-PyTorch GPT-2 reference forward pass with Hugging Face ``GPT2LMHeadModel`` semantics.

No ``transformers`` dependency. The forward pass is written against the same
tensor names and layouts that HF uses in ``model.safetensors``:

* ``wte.weight`` [V, C], ``wpe.weight`` [P, C]
* ``h.{i}.ln_1.weight/bias`` [C]
* ``h.{i}.attn.c_attn.weight`` [C, 3C] / ``.bias`` [3C]   (HF Conv1D: y = x @ W + b)
* ``h.{i}.attn.c_proj.weight`` [C, C] / ``.bias`` [C]
* ``h.{i}.ln_2.weight/bias`` [C]
* ``h.{i}.mlp.c_fc.weight`` [C, 4C] / ``.bias`` [4C]
* ``h.{i}.mlp.c_proj.weight`` [4C, C] / ``.bias`` [C]
* ``ln_f.weight/bias`` [C]
* optional ``lm_head.weight`` [V, C]; otherwise the head is tied to ``wte.weight``.

Names may carry a ``transformer.`` prefix (as in ``GPT2LMHeadModel.state_dict()``);
``attn.bias`` / ``attn.masked_bias`` buffers are accepted and ignored (the causal
mask is always applied).

Semantics follow ``transformers.models.gpt2.modeling_gpt2`` (eager attention):

* pre-LN blocks: x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)); then ln_f.
* LayerNorm: (x - mean) / sqrt(var_biased + eps) * w + b, eps = config.layer_norm_epsilon
  (eps is added to the variance *inside* the sqrt, as torch.nn.LayerNorm does).
* attention: q, k, v = split(c_attn(x), C, dim=-1); heads are split as
  [B, T, H, D] -> [B, H, T, D]; scores = q @ k^T / sqrt(D) (D = head_dim, not C);
  causal mask (HF fills masked scores with finfo.min; we use -inf, which gives
  exactly the same softmax because exp underflows to 0 either way); softmax over
  the last dim; merge heads back to [B, T, C]; c_proj.
* MLP: c_proj(gelu_new(c_fc(x))) with
  gelu_new(x) = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))).
* positions are 0..T-1 (no padding / no past), no dropout.
* logits = ln_f(x) @ lm_head^T (no bias).
"""
import math

import torch

__all__ = ["gelu_new", "layer_norm", "canonical_name", "normalize_state", "gpt2_forward",
           "init_gpt2_params"]


def gelu_new(x):
    """HF ``NewGELUActivation`` (``ACT2FN['gelu_new']``), the tanh approximation."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def layer_norm(x, weight, bias, eps):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased variance, as torch.nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def canonical_name(name):
    return name[len("transformer."):] if name.startswith("transformer.") else name


def normalize_state(state):
    """Strip an optional ``transformer.`` prefix; drop the attention mask buffers."""
    out = {}
    for name, t in state.items():
        key = canonical_name(name)
        if key.endswith(".attn.bias") or key.endswith(".attn.masked_bias"):
            continue
        if key in out:
            raise ValueError("duplicate tensor after prefix stripping: " + name)
        out[key] = t
    return out


def conv1d(x, weight, bias):
    """HF ``Conv1D``: weight is stored [in, out], y = x @ W + b."""
    return x @ weight + bias


def attention(x, p, prefix, n_head):
    B, T, C = x.shape
    D = C // n_head
    qkv = conv1d(x, p[prefix + "c_attn.weight"], p[prefix + "c_attn.bias"])  # [B, T, 3C]
    q, k, v = qkv.split(C, dim=2)

    def heads(t):
        return t.view(B, T, n_head, D).permute(0, 2, 1, 3)  # [B, H, T, D]

    q, k, v = heads(q), heads(k), heads(v)
    scores = (q @ k.transpose(-1, -2)) / (float(D) ** 0.5)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    scores = scores.masked_fill(~causal, float("-inf"))
    probs = torch.softmax(scores, dim=-1)
    out = (probs @ v).permute(0, 2, 1, 3).contiguous().view(B, T, C)
    return conv1d(out, p[prefix + "c_proj.weight"], p[prefix + "c_proj.bias"])


def gpt2_forward(state, config, input_ids, dtype=torch.float64):
    """Return logits [B, T, vocab] computed in ``dtype`` (float64 by default).

    ``state`` maps tensor names (HF layout, optional ``transformer.`` prefix) to tensors
    in any floating dtype; they are cast to ``dtype`` first, so callers should pass the
    weights *as stored* (already rounded to F16/BF16 when that is the storage dtype).
    """
    p = {k: v.to(dtype) for k, v in normalize_state(state).items()}
    n_layer, n_head, C = config["n_layer"], config["n_head"], config["n_embd"]
    eps = config["layer_norm_epsilon"]
    if C % n_head:
        raise ValueError("n_embd must be divisible by n_head")
    ids = torch.as_tensor(input_ids, dtype=torch.long)
    if ids.dim() != 2:
        raise ValueError("input_ids must be [B, T]")
    B, T = ids.shape
    if T > config["n_positions"]:
        raise ValueError("sequence longer than n_positions")

    x = p["wte.weight"][ids] + p["wpe.weight"][torch.arange(T)][None, :, :]
    for i in range(n_layer):
        pre = "h.%d." % i
        a = layer_norm(x, p[pre + "ln_1.weight"], p[pre + "ln_1.bias"], eps)
        x = x + attention(a, p, pre + "attn.", n_head)
        m = layer_norm(x, p[pre + "ln_2.weight"], p[pre + "ln_2.bias"], eps)
        m = conv1d(m, p[pre + "mlp.c_fc.weight"], p[pre + "mlp.c_fc.bias"])
        m = conv1d(gelu_new(m), p[pre + "mlp.c_proj.weight"], p[pre + "mlp.c_proj.bias"])
        x = x + m
    x = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], eps)
    head = p.get("lm_head.weight", p["wte.weight"])  # tied unless lm_head.weight is present
    return x @ head.t()


def init_gpt2_params(config, generator, std=0.02, untied_head=False):
    """Random float32 parameters in HF layout (no prefix, no buffers).

    Weights ~ N(0, std) as HF's ``_init_weights``; unlike HF, biases (N(0, 0.02)) and
    LayerNorm parameters (weight 1 + 0.1 N(0,1), bias 0.1 N(0,1)) are random too, so that
    every parameter influences the logits. Creation order is fixed (deterministic for a
    given generator seed).
    """
    V, P, C = config["vocab_size"], config["n_positions"], config["n_embd"]
    I = config.get("n_inner") or 4 * C

    def normal(*shape, s):
        return torch.randn(*shape, generator=generator, dtype=torch.float32) * s

    def ln(prefix, out):
        out[prefix + ".weight"] = 1.0 + normal(C, s=0.1)
        out[prefix + ".bias"] = normal(C, s=0.1)

    p = {}
    p["wte.weight"] = normal(V, C, s=std)
    p["wpe.weight"] = normal(P, C, s=std)
    for i in range(config["n_layer"]):
        pre = "h.%d." % i
        ln(pre + "ln_1", p)
        p[pre + "attn.c_attn.weight"] = normal(C, 3 * C, s=std)
        p[pre + "attn.c_attn.bias"] = normal(3 * C, s=0.02)
        p[pre + "attn.c_proj.weight"] = normal(C, C, s=std)
        p[pre + "attn.c_proj.bias"] = normal(C, s=0.02)
        ln(pre + "ln_2", p)
        p[pre + "mlp.c_fc.weight"] = normal(C, I, s=std)
        p[pre + "mlp.c_fc.bias"] = normal(I, s=0.02)
        p[pre + "mlp.c_proj.weight"] = normal(I, C, s=std)
        p[pre + "mlp.c_proj.bias"] = normal(C, s=0.02)
    ln("ln_f", p)
    if untied_head:
        p["lm_head.weight"] = normal(V, C, s=std)
    return p


if __name__ == "__main__":
    # Small self-test: gelu_new matches torch's tanh GELU; causal prefix consistency.
    x = torch.linspace(-6, 6, 1001, dtype=torch.float64)
    assert torch.allclose(gelu_new(x), torch.nn.functional.gelu(x, approximate="tanh"), atol=1e-12)
    cfg = dict(vocab_size=11, n_positions=8, n_embd=8, n_head=2, n_layer=1, layer_norm_epsilon=1e-5)
    g = torch.Generator().manual_seed(0)
    st = init_gpt2_params(cfg, g)
    ids = torch.randint(0, 11, (2, 6), generator=g)
    full = gpt2_forward(st, cfg, ids)
    part = gpt2_forward(st, cfg, ids[:, :3])
    assert torch.allclose(full[:, :3], part, atol=1e-12)
    print("gpt2_reference self-test ok")
