"""GPU side by side: SEAL on the JVM's CUDA backend vs PyTorch eager on the same GPU, in one run.

Run on a GPU host by bench/gpu/run.sh (which unpacks the bundle and sets SEAL). Same shapes, same precision setting:
  fp32  torch.backends.cuda.matmul.allow_tf32 = False     vs  --precision fp32 (CUBLAS_COMPUTE_32F, default math)
  tf32  allow_tf32 = True                                  vs  --precision tf32 (CUBLAS_COMPUTE_32F_FAST_TF32)
  bf16  torch.autocast(cuda, bfloat16) (bf16 GEMM inputs) vs  --precision bf16 (CUBLAS_COMPUTE_32F_FAST_16BF)
Every figure is device time from CUDA events, median of timed runs after warm-up. Prints a JSON line per row and,
with --markdown, the table for bench/README.md. Ratios: forward = our time / PyTorch's (target <= 1.0 for
B=8 x T=1024 fp32); edit = our apply+revert bandwidth / device copy bandwidth (target >= 0.6).
"""
import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys

import torch
import torch.nn.functional as F

SEAL = os.environ.get("SEAL", "bin/seal")
GPT2 = dict(layers=12, embd=768, heads=12, vocab=50257, positions=1024)
# --dry-run: tiny shapes, PyTorch on the CPU, ours on whatever driver is found (the CUDA emulator): checks this
# script's plumbing without a GPU; its numbers mean nothing.
DRY = "--dry-run" in sys.argv
DEV = "cpu" if DRY else "cuda"
if DRY:
    GPT2 = dict(layers=2, embd=64, heads=4, vocab=500, positions=64)


def cuda_time(fn, warmup, iters):
    if DRY:
        import time
        for _ in range(warmup):
            fn()
        ts = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(ts), min(ts)
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ts = []
    for _ in range(iters):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        e.synchronize()
        ts.append(s.elapsed_time(e))
    return statistics.median(ts), min(ts)


def seal(args):
    p = subprocess.run([SEAL, "bench"] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        raise SystemExit("bin/seal bench %s failed" % " ".join(map(str, args)))
    return json.loads(p.stdout.strip().splitlines()[-1])


class TorchGpt2:
    """GPT2LMHeadModel's computation (gelu tanh, tied head), batched, with SDPA attention as transformers uses it."""

    def __init__(self, layers, embd, heads, vocab, positions, seed=1):
        g = torch.Generator(device=DEV).manual_seed(seed)
        r = lambda *s: torch.randn(*s, generator=g, device=DEV) * 0.02
        C = embd
        self.C, self.H = C, heads
        self.wte, self.wpe = r(vocab, C), r(positions, C)
        z = lambda n: torch.zeros(n, device=DEV)
        o = lambda n: torch.ones(n, device=DEV)
        self.blocks = [dict(ln1w=o(C), ln1b=z(C), attnw=r(C, 3 * C), attnb=z(3 * C), projw=r(C, C), projb=z(C), ln2w=o(C), ln2b=z(C),
                            fcw=r(C, 4 * C), fcb=z(4 * C), fcprojw=r(4 * C, C), fcprojb=z(C)) for _ in range(layers)]
        self.lnfw, self.lnfb = o(C), z(C)

    def forward(self, ids, cache=None):
        """ids (B,T) -> logits (B,T,V); cache: per layer (k, v) of (B,H,past,D), replaced in the list."""
        B, T = ids.shape
        C, H = self.C, self.H
        D = C // H
        past = 0 if cache is None or cache[0] is None else cache[0][0].shape[2]
        x = self.wte[ids] + self.wpe[past:past + T]
        for l, p in enumerate(self.blocks):
            a = F.layer_norm(x, (C,), p["ln1w"], p["ln1b"], 1e-5)
            qkv = torch.addmm(p["attnb"], a.view(B * T, C), p["attnw"]).view(B, T, 3 * C)
            q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=2))
            if cache is not None:
                if cache[l] is not None:
                    k = torch.cat([cache[l][0], k], dim=2)
                    v = torch.cat([cache[l][1], v], dim=2)
                cache[l] = (k, v)
            att = sdpa(q, k, v, causal=past == 0)
            att = att.transpose(1, 2).reshape(B * T, C)
            x = x + torch.addmm(p["projb"], att, p["projw"]).view(B, T, C)
            m = F.layer_norm(x, (C,), p["ln2w"], p["ln2b"], 1e-5)
            m = F.gelu(torch.addmm(p["fcb"], m.view(B * T, C), p["fcw"]), approximate="tanh")
            x = x + torch.addmm(p["fcprojb"], m, p["fcprojw"]).view(B, T, C)
        x = F.layer_norm(x, (C,), self.lnfw, self.lnfb, 1e-5)
        return x @ self.wte.t()


def sdpa(q, k, v, causal):
    """F.scaled_dot_product_attention (torch >= 2.0, what transformers' GPT-2 uses); written out on older torch."""
    if hasattr(F, "scaled_dot_product_attention"):
        return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    s = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    if causal:
        T, L = s.shape[-2], s.shape[-1]
        s = s.masked_fill(~torch.ones(T, L, dtype=torch.bool, device=s.device).tril(L - T), float("-inf"))
    return torch.softmax(s, dim=-1) @ v


def set_precision(prec):
    torch.backends.cuda.matmul.allow_tf32 = prec == "tf32"
    torch.backends.cudnn.allow_tf32 = prec == "tf32"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", help="append every row as a JSON line to this file")
    ap.add_argument("--dry-run", action="store_true", help="tiny shapes, PyTorch on the CPU: test the script, not the GPU")
    a = ap.parse_args()
    it = 3 if DRY else 5 if a.quick else 20
    dev = "dry run (PyTorch on the CPU)" if DRY else torch.cuda.get_device_name(0)
    head = dict(gpu=dev, date=datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), torch=torch.__version__, cuda=torch.version.cuda)
    print(json.dumps(head))
    rows = []

    def emit(row):
        rows.append(row)
        print(json.dumps(row), flush=True)
        if a.out:
            with open(a.out, "a") as f:
                f.write(json.dumps(row) + "\n")

    g = GPT2
    model = TorchGpt2(**g)
    gen = torch.Generator(device=DEV).manual_seed(2)
    with torch.inference_mode():
        for prec in ["fp32", "tf32", "bf16"]:
            set_precision(prec)
            ctx = torch.autocast(DEV, dtype=torch.bfloat16) if prec == "bf16" else torch.autocast(DEV, enabled=False)
            shapes = [(2, 16, 0), (1, 1, 15)] if DRY else [(8, 1024, 0), (1, 1, 127), (8, 1, 1023)]
            for B, T, past in shapes:
                ids = torch.randint(0, g["vocab"], (B, T), device=DEV, generator=gen)
                with ctx:
                    if past == 0:
                        fn = lambda: model.forward(ids)
                    else:
                        cache = [None] * g["layers"]
                        model.forward(torch.randint(0, g["vocab"], (B, past), device=DEV, generator=gen), cache)
                        base = list(cache)
                        fn = lambda: model.forward(ids, list(base))
                    med_t, _ = cuda_time(fn, 3, it)
                ours = seal(["forward", "--device", "cuda", "--precision", prec, "--batch", B, "--tokens", T, "--past", past,
                             "--layers", g["layers"], "--embd", g["embd"], "--heads", g["heads"], "--vocab", g["vocab"],
                             "--positions", g["positions"], "--warmup", 1 if DRY else 3, "--warmup-ms", 0 if DRY else 2000, "--iters", it])
                r = ours["median_ms"] / med_t
                target = 1.0 if (B, T, prec) == (8, 1024, "fp32") or (DRY and past == 0 and prec == "fp32") else None
                emit(dict(what="forward B=%d T=%d past=%d" % (B, T, past), precision=prec, ours_ms=ours["median_ms"], torch_ms=med_t,
                          ratio=r, ratio_kind="time vs PyTorch eager", target=target, ok=None if target is None else r <= target))
        set_precision("fp32")
        # ---- edit apply + revert vs device copy bandwidth, GPT-2-124M matrices ----
        mats = [("mlp.c_fc", 64, 256)] if DRY else [("attn.c_attn", 768, 2304), ("mlp.c_fc", 768, 3072), ("mlp.c_proj", 3072, 768)]
        for label, rows_, cols in mats:
            ours = seal(["edit", "--device", "cuda", "--rows", rows_, "--cols", cols, "--rank", 8, "--iters", 20 if DRY else 100])
            W = torch.randn(rows_, cols, device=DEV) * 0.02
            A, Bm = torch.randn(rows_, 8, device=DEV), torch.randn(8, cols, device=DEV) * 0.01
            snap, other = torch.empty_like(W), torch.empty_like(W)

            def torch_apply_revert():
                snap.copy_(W)
                W.addmm_(A, Bm, alpha=0.5)
                W.copy_(snap)
            t_ar, _ = cuda_time(torch_apply_revert, 5, 100)
            t_cp, _ = cuda_time(lambda: other.copy_(W), 5, 100)
            nbytes = rows_ * cols * 4
            emit(dict(what="edit apply+revert %s %dx%d r=8" % (label, rows_, cols), precision="fp32",
                      ours_ms=ours["apply_revert_ms"], torch_ms=t_ar, ours_gbps=ours["apply_revert_gbps"], copy_gbps=ours["copy_gbps"],
                      torch_copy_gbps=2 * nbytes / t_cp / 1e6, ratio=ours["ratio"], ratio_kind="apply+revert GB/s vs device copy GB/s",
                      target=0.6, ok=ours["ratio"] >= 0.6 and ours["revert_exact"], revert_exact=ours["revert_exact"]))
    if a.markdown:
        print("\n**%s**, %s, PyTorch %s (CUDA %s)\n" % (dev, head["date"], torch.__version__, torch.version.cuda))
        print("| what | precision | ours ms | PyTorch ms | ratio | target | ok |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print("| %s | %s | %.3f | %.3f | %.2f (%s) | %s | %s |" % (r["what"], r["precision"], r["ours_ms"], r["torch_ms"], r["ratio"],
                  r["ratio_kind"], "—" if r["target"] is None else r["target"], "—" if r["ok"] is None else ("yes" if r["ok"] else "**no**")))


if __name__ == "__main__":
    main()
