"""GPU side by side: SEAL on the JVM's CUDA backend vs PyTorch eager on the same GPU.

Run on a GPU host by bench/gpu/run.sh (mode `bench`; it unpacks the bundle and sets SEAL). Same shapes, and precision
settings paired like for like, each row labelled with both sides' arithmetic:
  fp32  ours --precision fp32 (CUBLAS_COMPUTE_32F, default math: no TF32, attention GEMMs included)
        PyTorch: allow_tf32 = False for matmul and cuDNN, float32_matmul_precision "highest"; attention = SDPA in fp32
  tf32  ours --precision tf32 (CUBLAS_COMPUTE_32F_FAST_TF32 for every GEMM, the attention's two included)
        PyTorch: allow_tf32 = True for matmul and cuDNN, precision "high"; attention written as two matmuls around a
        softmax (so its GEMMs are TF32 too, as ours; SDPA's fused kernels would not follow allow_tf32)
  bf16  ours --precision bf16 (CUBLAS_COMPUTE_32F_FAST_16BF: bf16 GEMM inputs, fp32 accumulation, fp32 storage)
        PyTorch: torch.autocast(bfloat16): bf16 GEMM inputs AND outputs, bf16 attention (SDPA). PyTorch has no eager mode
        with fp32 storage and bf16 GEMM inputs, so this row is labelled "bf16 GEMM inputs vs autocast": not the same
        arithmetic outside the GEMMs.
Decode rows give PyTorch a static KV cache (preallocated per layer, written in place at the position), as ours is, so the
ratio compares engines, not cache strategies.

The PyTorch half runs in its own process (`--torch-part`), which exits before our first `bin/seal bench` starts: on a GPU
in exclusive-process compute mode (nvidia-smi --query-gpu=compute_mode) two processes cannot both hold a context, and even
in the default mode our timings then do not share the GPU with PyTorch's context. Every figure is device time from CUDA
events, median of timed runs after warm-up. Each row is printed as a JSON line and appended to --out as soon as it is
measured; --markdown prints the table at the end, and --render FILE prints it from such a file (no torch needed) for a run
that was cut off. Ratios: forward = our time / PyTorch's (target <= 1.0 for B=8 x T=1024 fp32); edit = our apply+revert
bandwidth / our device copy bandwidth (target >= 0.6).
"""
import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

SEAL = os.environ.get("SEAL", "bin/seal")
# --dry-run: tiny shapes, PyTorch on the CPU, ours on whatever driver is found (the CUDA emulator): checks this
# script's plumbing without a GPU; its numbers mean nothing.
DRY = "--dry-run" in sys.argv
DEV = "cpu" if DRY else "cuda"
GPT2 = dict(layers=2, embd=64, heads=4, vocab=500, positions=64) if DRY else dict(layers=12, embd=768, heads=12, vocab=50257, positions=1024)
FORWARD_SHAPES = [(2, 16, 0), (1, 1, 15)] if DRY else [(8, 1024, 0), (1, 1, 127), (8, 1, 1023)]
EDIT_MATS = [("mlp.c_fc", 64, 256)] if DRY else [("attn.c_attn", 768, 2304), ("mlp.c_fc", 768, 3072), ("mlp.c_proj", 3072, 768)]
PRECISIONS = {
    "fp32": dict(label="fp32", attention="sdpa",
                 ours="CUBLAS_COMPUTE_32F, default math (no TF32), every GEMM",
                 torch="allow_tf32=False (matmul, cuDNN), precision highest; SDPA fp32"),
    "tf32": dict(label="tf32", attention="matmul",
                 ours="CUBLAS_COMPUTE_32F_FAST_TF32, every GEMM incl. attention",
                 torch="allow_tf32=True (matmul, cuDNN), precision high; attention as TF32 matmuls + softmax"),
    "bf16": dict(label="bf16 GEMM inputs vs autocast", attention="sdpa",
                 ours="CUBLAS_COMPUTE_32F_FAST_16BF: bf16 GEMM inputs, fp32 accumulation and storage",
                 torch="autocast(bfloat16): bf16 GEMM inputs and outputs, SDPA in bf16"),
}


def forward_key(prec, B, T, past):
    return "forward %s B=%d T=%d past=%d" % (prec, B, T, past)


def edit_key(label, rows, cols):
    return "edit %s %dx%d" % (label, rows, cols)


# ------------------------------------------------------------------ the PyTorch half (its own process) ----------

def torch_part(out_path, iters):
    import torch
    import torch.nn.functional as F

    def emit(row):
        with open(out_path, "a") as f:
            f.write(json.dumps(row) + "\n")

    def cuda_time(fn, warmup, n):
        for _ in range(warmup):
            fn()
        if DRY:
            ts = []
            for _ in range(n):
                t0 = time.perf_counter()
                fn()
                ts.append((time.perf_counter() - t0) * 1e3)
            return statistics.median(ts)
        torch.cuda.synchronize()
        ts = []
        for _ in range(n):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            fn()
            e.record()
            e.synchronize()
            ts.append(s.elapsed_time(e))
        return statistics.median(ts)

    def set_precision(prec):
        tf32 = prec == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        if hasattr(torch, "set_float32_matmul_precision"):
            torch.set_float32_matmul_precision("high" if tf32 else "highest")

    def attention(q, k, v, causal, impl):
        """SDPA (what transformers' GPT-2 uses) or two matmuls around a softmax (their GEMMs follow allow_tf32)."""
        if impl == "sdpa" and hasattr(F, "scaled_dot_product_attention"):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        if causal:
            T, L = s.shape[-2], s.shape[-1]
            s = s.masked_fill(~torch.ones(T, L, dtype=torch.bool, device=s.device).tril(L - T), float("-inf"))
        return torch.softmax(s, dim=-1) @ v

    class TorchGpt2:
        """GPT2LMHeadModel's computation (gelu tanh, tied head), batched, with a static KV cache."""

        def __init__(self, layers, embd, heads, vocab, positions, seed=1):
            g = torch.Generator(device=DEV).manual_seed(seed)
            r = lambda *s: torch.randn(*s, generator=g, device=DEV) * 0.02
            C = embd
            self.C, self.H, self.L = C, heads, layers
            self.wte, self.wpe = r(vocab, C), r(positions, C)
            z = lambda n: torch.zeros(n, device=DEV)
            o = lambda n: torch.ones(n, device=DEV)
            self.blocks = [dict(ln1w=o(C), ln1b=z(C), attnw=r(C, 3 * C), attnb=z(3 * C), projw=r(C, C), projb=z(C), ln2w=o(C), ln2b=z(C),
                                fcw=r(C, 4 * C), fcb=z(4 * C), fcprojw=r(4 * C, C), fcprojb=z(C)) for _ in range(layers)]
            self.lnfw, self.lnfb = o(C), z(C)

        def static_cache(self, B, length, dtype):
            """Per layer (k, v), each (B, H, length, D), allocated once; forward writes its positions in place."""
            D = self.C // self.H
            return [(torch.zeros(B, self.H, length, D, device=DEV, dtype=dtype), torch.zeros(B, self.H, length, D, device=DEV, dtype=dtype))
                    for _ in range(self.L)]

        def forward(self, ids, impl, cache=None, past=0):
            B, T = ids.shape
            C, H = self.C, self.H
            D = C // H
            assert past == 0 or T == 1, "decode rows are one token after the cache: no mask needed"
            x = self.wte[ids] + self.wpe[past:past + T]
            for l, p in enumerate(self.blocks):
                a = F.layer_norm(x, (C,), p["ln1w"], p["ln1b"], 1e-5)
                qkv = torch.addmm(p["attnb"], a.view(B * T, C), p["attnw"]).view(B, T, 3 * C)
                q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
                if cache is not None:
                    kc, vc = cache[l]
                    kc[:, :, past:past + T].copy_(k)
                    vc[:, :, past:past + T].copy_(v)
                    k, v = kc[:, :, :past + T], vc[:, :, :past + T]
                att = attention(q, k, v, past == 0, impl)
                att = att.transpose(1, 2).reshape(B * T, C)
                x = x + torch.addmm(p["projb"], att, p["projw"]).view(B, T, C)
                m = F.layer_norm(x, (C,), p["ln2w"], p["ln2b"], 1e-5)
                m = F.gelu(torch.addmm(p["fcb"], m.view(B * T, C), p["fcw"]), approximate="tanh")
                x = x + torch.addmm(p["fcprojb"], m, p["fcprojw"]).view(B, T, C)
            x = F.layer_norm(x, (C,), self.lnfw, self.lnfb, 1e-5)
            return x @ self.wte.t()

    head = dict(torch=torch.__version__, cuda=torch.version.cuda,
                gpu="dry run (PyTorch on the CPU)" if DRY else torch.cuda.get_device_name(0))
    emit(dict(torch_header=head))
    g = GPT2
    model = TorchGpt2(**g)
    gen = torch.Generator(device=DEV).manual_seed(2)
    with torch.inference_mode():
        for prec, spec in PRECISIONS.items():
            set_precision(prec)
            bf16 = prec == "bf16"
            ctx = (lambda: torch.autocast(DEV, dtype=torch.bfloat16)) if bf16 else (lambda: torch.autocast(DEV, enabled=False))
            for B, T, past in FORWARD_SHAPES:
                ids = torch.randint(0, g["vocab"], (B, T), device=DEV, generator=gen)
                with ctx():
                    if past == 0:
                        fn = lambda: model.forward(ids, spec["attention"])
                    else:
                        cache = model.static_cache(B, past + T, torch.bfloat16 if bf16 else torch.float32)
                        model.forward(torch.randint(0, g["vocab"], (B, past), device=DEV, generator=gen), spec["attention"], cache, 0)
                        fn = lambda: model.forward(ids, spec["attention"], cache, past)
                    ms = cuda_time(fn, 3, iters)
                impl = spec["attention"] if hasattr(F, "scaled_dot_product_attention") else "matmul (this torch has no SDPA)"
                emit(dict(key=forward_key(prec, B, T, past), torch_ms=ms, attention=impl,
                          kv_cache="static, written in place" if past else "none (prefill)"))
        set_precision("fp32")
        for label, rows_, cols in EDIT_MATS:
            W = torch.randn(rows_, cols, device=DEV) * 0.02
            A, Bm = torch.randn(rows_, 8, device=DEV), torch.randn(8, cols, device=DEV) * 0.01
            snap, other = torch.empty_like(W), torch.empty_like(W)

            def apply_revert():
                snap.copy_(W)
                W.addmm_(A, Bm, alpha=0.5)
                W.copy_(snap)
            t_ar = cuda_time(apply_revert, 5, 100)
            t_cp = cuda_time(lambda: other.copy_(W), 5, 100)
            emit(dict(key=edit_key(label, rows_, cols), torch_ms=t_ar, torch_copy_gbps=2 * rows_ * cols * 4 / t_cp / 1e6))


# ------------------------------------------------------------------ ours, and the table ----------

def seal(args, timeout):
    """The last JSON line of `bin/seal bench ARGS`, or a dict with "error"."""
    try:
        p = subprocess.run([SEAL, "bench"] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(error="bin/seal bench %s: timed out after %d s" % (" ".join(map(str, args)), timeout))
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        return dict(error="bin/seal bench %s failed (exit %d): %s" % (" ".join(map(str, args)), p.returncode,
                                                                      (p.stderr.strip().splitlines() or ["?"])[-1][:300]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def compute_mode():
    if DRY:
        return "n/a (dry run)"
    try:
        return subprocess.run(["nvidia-smi", "--query-gpu=compute_mode", "--format=csv,noheader"], capture_output=True, text=True,
                              timeout=30).stdout.strip() or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown (nvidia-smi failed)"


def fmt(x, spec="%.3f"):
    return "—" if x is None else spec % x


def render(rows, header):
    out = ["", "**%s**, %s, PyTorch %s (CUDA %s), compute mode %s; PyTorch ran in its own process before ours" % (
        header.get("gpu", "?"), header.get("date", "?"), header.get("torch", "?"), header.get("cuda", "?"), header.get("compute_mode", "?")), "",
        "| what | precision | ours ms | PyTorch ms | ratio | target | ok |", "|---|---|---|---|---|---|---|"]
    legend = {}
    for r in rows:
        if "what" not in r:
            continue
        prec = r.get("precision", "")
        if r.get("ours_arith"):
            legend[prec] = "ours %s; PyTorch %s (attention: %s)" % (r["ours_arith"], r["torch_arith"], r.get("torch_attention"))
        ok = r.get("ok")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            r["what"], prec, fmt(r.get("ours_ms")), fmt(r.get("torch_ms")),
            "%s (%s)" % (fmt(r.get("ratio"), "%.2f"), r.get("ratio_kind", "")) if r.get("error") is None else "**error**: " + r["error"],
            "—" if r.get("target") is None else r["target"], "—" if ok is None else ("yes" if ok else "**no**")))
    out.append("")
    for prec, text in legend.items():
        out.append("- **%s**: %s." % (prec, text))
    out.append("- decode rows (past > 0): both sides keep a preallocated KV cache written in place (PyTorch: a static cache).")
    if header.get("torch_error"):
        out.append("- PyTorch half: %s." % header["torch_error"])
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--quick", action="store_true", help="5 timed runs instead of 20")
    ap.add_argument("--out", help="append every row as a JSON line to this file, as soon as it is measured")
    ap.add_argument("--dry-run", action="store_true", help="tiny shapes, PyTorch on the CPU: test the script, not the GPU")
    ap.add_argument("--torch-part", metavar="FILE", help="(internal) measure the PyTorch half only, appending JSON lines to FILE")
    ap.add_argument("--torch-timeout", type=int, default=150, help="seconds for the PyTorch process (default 150)")
    ap.add_argument("--seal-timeout", type=int, default=120, help="seconds per bin/seal bench call (default 120)")
    ap.add_argument("--render", metavar="FILE", help="print the markdown table of a --out file (no measuring, no torch)")
    a = ap.parse_args()
    it = 3 if DRY else 5 if a.quick else 20
    if a.torch_part:
        torch_part(a.torch_part, it)
        return
    if a.render:
        rows = [json.loads(l) for l in open(a.render) if l.strip()]
        header = next((r for r in rows if "gpu" in r and "what" not in r), {})
        print(render(rows, header))
        return

    rows = []

    def emit(row):
        rows.append(row)
        print(json.dumps(row), flush=True)
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(row) + "\n")

    header = dict(date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), compute_mode=compute_mode())
    # 1. PyTorch, in a process that ends (and releases its CUDA context) before ours start.
    tmp = tempfile.NamedTemporaryFile(prefix="compare-torch-", suffix=".jsonl", delete=False).name
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-part", tmp] + (["--dry-run"] if DRY else []) + (["--quick"] if a.quick else [])
    torch_error = None
    try:
        p = subprocess.run(cmd, timeout=a.torch_timeout, capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stdout + p.stderr)
            torch_error = "PyTorch process failed (exit %d): %s" % (p.returncode, (p.stderr.strip().splitlines() or ["?"])[-1][:300])
    except subprocess.TimeoutExpired:
        torch_error = "PyTorch process timed out after %d s" % a.torch_timeout
    theirs = {}
    for l in open(tmp):
        r = json.loads(l)
        if "torch_header" in r:
            header.update(r["torch_header"])
        else:
            theirs[r["key"]] = r
    os.unlink(tmp)
    header.setdefault("gpu", "?")
    if torch_error:
        header["torch_error"] = torch_error
    emit(header)
    # 2. Ours, one bin/seal bench per row; a failed or timed-out call is a row with "error", the others still run.
    g = GPT2
    for prec, spec in PRECISIONS.items():
        for B, T, past in FORWARD_SHAPES:
            key = forward_key(prec, B, T, past)
            t = theirs.get(key, {})
            ours = seal(["forward", "--device", "cuda", "--precision", prec, "--batch", B, "--tokens", T, "--past", past,
                         "--layers", g["layers"], "--embd", g["embd"], "--heads", g["heads"], "--vocab", g["vocab"],
                         "--positions", g["positions"], "--warmup", 1 if DRY else 3, "--warmup-ms", 0 if DRY else 2000, "--iters", it],
                        a.seal_timeout)
            ours_ms, torch_ms = ours.get("median_ms"), t.get("torch_ms")
            r = ours_ms / torch_ms if ours_ms is not None and torch_ms else None
            target = 1.0 if (B, T, prec) == (8, 1024, "fp32") or (DRY and past == 0 and prec == "fp32") else None
            emit(dict(what="forward B=%d T=%d past=%d" % (B, T, past), precision=spec["label"], ours_arith=spec["ours"],
                      torch_arith=spec["torch"], torch_attention=t.get("attention"), torch_kv_cache=t.get("kv_cache"),
                      ours_ms=ours_ms, torch_ms=torch_ms, ratio=r, ratio_kind="time vs PyTorch eager", target=target,
                      ok=None if target is None or r is None else r <= target,
                      error=ours.get("error") or (None if torch_ms is not None else "no PyTorch figure" + (": " + torch_error if torch_error else ""))))
    # ---- edit apply + revert vs device copy bandwidth, GPT-2-124M matrices (fp32) ----
    for label, rows_, cols in EDIT_MATS:
        t = theirs.get(edit_key(label, rows_, cols), {})
        ours = seal(["edit", "--device", "cuda", "--rows", rows_, "--cols", cols, "--rank", 8, "--iters", 20 if DRY else 100], a.seal_timeout)
        ratio = ours.get("ratio")
        emit(dict(what="edit apply+revert %s %dx%d r=8" % (label, rows_, cols), precision="fp32", ours_ms=ours.get("apply_revert_ms"),
                  torch_ms=t.get("torch_ms"), ours_gbps=ours.get("apply_revert_gbps"), copy_gbps=ours.get("copy_gbps"),
                  torch_copy_gbps=t.get("torch_copy_gbps"), ratio=ratio, ratio_kind="apply+revert GB/s vs device copy GB/s",
                  target=0.6, ok=None if ratio is None else ratio >= 0.6 and bool(ours.get("revert_exact")),
                  revert_exact=ours.get("revert_exact"), error=ours.get("error")))
    if a.markdown:
        print(render(rows, header))


if __name__ == "__main__":
    main()
