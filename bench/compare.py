"""Side-by-side CPU benchmark: SEAL on the JVM vs PyTorch (OpenBLAS build) vs numpy/OpenBLAS sgemm.

Run through bench/compare.sh (which unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this command only and sets the
thread count). Every figure is the median of timed runs after warm-up; our figures come from the last JSON line of
`bin/seal bench ...`. Ratios: matmul = our GFLOP/s / OpenBLAS GFLOP/s (higher is better); forward = our time /
PyTorch's time (lower is better).
"""
import argparse
import ctypes
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEAL = os.path.join(ROOT, "bin", "seal")

# (label, M, K, N, tied-head form A·Wᵀ with W (N,K))
MATMULS = [
    ("c_attn 128x768·768x2304", 128, 768, 2304, False),
    ("c_fc 128x768·768x3072", 128, 768, 3072, False),
    ("mlp.c_proj 128x3072·3072x768", 128, 3072, 768, False),
    ("lm_head 1x768·(50257x768)ᵀ", 1, 768, 50257, True),
    ("lm_head 128x768·(50257x768)ᵀ", 128, 768, 50257, True),
]
GPT2 = dict(layers=12, embd=768, heads=12, vocab=50257, positions=1024)


def timeit(fn, warmup, iters):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def openblas_info():
    """The OpenBLAS library numpy/torch loaded, its core (kernel) name and config."""
    info = []
    with open("/proc/self/maps") as f:
        libs = sorted({l.split()[-1] for l in f if "openblas" in l.lower() and l.split()[-1].startswith("/")})
    for lib in libs:
        try:
            h = ctypes.CDLL(lib)
            h.openblas_get_corename.restype = ctypes.c_char_p
            h.openblas_get_config.restype = ctypes.c_char_p
            info.append("%s: core=%s, threads=%d, config=%s" % (lib, h.openblas_get_corename().decode(),
                        h.openblas_get_num_threads(), h.openblas_get_config().decode()))
        except (OSError, AttributeError) as e:
            info.append("%s: (%s)" % (lib, e))
    return info


def seal(args):
    out = subprocess.run([SEAL, "bench"] + [str(a) for a in args], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---- PyTorch GPT-2 (GPT2LMHeadModel semantics, float32, inference mode) ----

class TorchGpt2:
    def __init__(self, layers, embd, heads, vocab, positions, seed=1):
        g = torch.Generator().manual_seed(seed)
        r = lambda *s: torch.randn(*s, generator=g) * 0.02
        C = embd
        self.C, self.H = C, heads
        self.wte, self.wpe = r(vocab, C), r(positions, C)
        self.blocks = [dict(ln1w=torch.ones(C), ln1b=torch.zeros(C), attnw=r(C, 3 * C), attnb=torch.zeros(3 * C),
                            projw=r(C, C), projb=torch.zeros(C), ln2w=torch.ones(C), ln2b=torch.zeros(C),
                            fcw=r(C, 4 * C), fcb=torch.zeros(4 * C), fcprojw=r(4 * C, C), fcprojb=torch.zeros(C))
                       for _ in range(layers)]
        self.lnfw, self.lnfb = torch.ones(C), torch.zeros(C)

    def forward(self, ids, cache=None):
        """ids (T,) -> logits (T, V); cache: list of (k, v) per layer, (H, past, D), updated in place (list)."""
        T, C, H = ids.shape[0], self.C, self.H
        D = C // H
        past = 0 if cache is None or cache[0] is None else cache[0][0].shape[1]
        x = self.wte[ids] + self.wpe[past:past + T]
        for l, p in enumerate(self.blocks):
            a = F.layer_norm(x, (C,), p["ln1w"], p["ln1b"], 1e-5)
            qkv = torch.addmm(p["attnb"], a, p["attnw"])
            q, k, v = (t.view(T, H, D).transpose(0, 1) for t in qkv.split(C, dim=1))
            if cache is not None:
                if cache[l] is not None:
                    k = torch.cat([cache[l][0], k], dim=1)
                    v = torch.cat([cache[l][1], v], dim=1)
                cache[l] = (k, v)
            s = (q @ k.transpose(-1, -2)) / math.sqrt(D)
            Tk = k.shape[1]
            mask = torch.ones(T, Tk, dtype=torch.bool).tril(diagonal=Tk - T)
            s = s.masked_fill(~mask, float("-inf"))
            att = (torch.softmax(s, dim=-1) @ v).transpose(0, 1).reshape(T, C)
            x = x + torch.addmm(p["projb"], att, p["projw"])
            m = F.layer_norm(x, (C,), p["ln2w"], p["ln2b"], 1e-5)
            m = F.gelu(torch.addmm(p["fcb"], m, p["fcw"]), approximate="tanh")
            x = x + torch.addmm(p["fcprojb"], m, p["fcprojw"])
        x = F.layer_norm(x, (C,), self.lnfw, self.lnfb, 1e-5)
        return x @ self.wte.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer iterations (noisier)")
    ap.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    a = ap.parse_args()
    N = a.threads
    torch.set_num_threads(N)
    it_mm, it_fw = (5, 3) if a.quick else (20, 10)

    print("machine: %s, %d cpus, %s" % (platform.processor() or platform.machine(), os.cpu_count(), cpu_model()))
    print("date: %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"))
    print("torch %s, numpy %s, threads %d" % (torch.__version__, np.__version__, N))
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
    for line in openblas_info():
        print("openblas: " + line)
    print("torch BLAS: " + ", ".join(l.strip() for l in torch.__config__.show().splitlines() if "BLAS" in l or "CPU capability" in l))
    rows = []

    # ---- matmul ----
    rng = np.random.default_rng(1)
    for label, M, K, Nn, tied in MATMULS:
        A = rng.standard_normal((M, K), dtype=np.float32)
        W = rng.standard_normal((Nn, K) if tied else (K, Nn), dtype=np.float32)
        Wn = W.T if tied else W
        flops = 2.0 * M * K * Nn
        out = np.empty((M, Nn), np.float32)
        med_np, _ = timeit(lambda: np.matmul(A, Wn, out=out), 3, it_mm)
        At, Wt = torch.from_numpy(A), torch.from_numpy(Wn)
        med_t, _ = timeit(lambda: torch.matmul(At, Wt), 3, it_mm)
        ours = seal(["matmul", "--m", M, "--k", K, "--n", Nn, "--threads", N, "--warmup", 5, "--warmup-ms", 5000, "--iters", it_mm]
                    + (["--transposed"] if tied else []))
        gf_np, gf_t = flops / med_np / 1e6, flops / med_t / 1e6
        rows.append(dict(what="matmul " + label, ours_ms=ours["median_ms"], torch_ms=med_t, blas_ms=med_np,
                         ours_gflops=ours["gflops"], torch_gflops=gf_t, blas_gflops=gf_np,
                         ratio=ours["gflops"] / gf_np, ratio_kind="GFLOP/s vs OpenBLAS", target=">= 0.6", ok=ours["gflops"] / gf_np >= 0.6))
        print_row(rows[-1])

    # ---- forward ----
    g = GPT2
    model = TorchGpt2(**g)
    torch_ids = torch.randint(0, g["vocab"], (128,), generator=torch.Generator().manual_seed(2))
    with torch.inference_mode():
        for T, past in [(128, 0), (1, 0), (1, 127)]:
            ids = torch_ids[:T]
            if past == 0:
                med_t, _ = timeit(lambda: model.forward(ids), 2, it_fw)
            else:
                cache = [None] * g["layers"]
                model.forward(torch_ids[:past], cache)
                base = list(cache)
                med_t, _ = timeit(lambda: model.forward(ids, list(base)), 2, it_fw)
            ours = seal(["forward", "--layers", g["layers"], "--embd", g["embd"], "--heads", g["heads"], "--vocab", g["vocab"],
                         "--tokens", T, "--past", past, "--threads", N, "--warmup-ms", 5000, "--warmup", 3 if T > 1 else 10, "--iters", it_fw if T > 1 else 3 * it_fw])
            limit = 0.7 if T > 1 else 0.5
            r = ours["median_ms"] / med_t
            what = "forward T=%d" % T + (" (decode, KV cache %d)" % past if past else "")
            rows.append(dict(what=what, ours_ms=ours["median_ms"], torch_ms=med_t, blas_ms=None, ours_gflops=ours["gflops"],
                             ours_gbps=ours["gbps"], ratio=r, ratio_kind="time vs PyTorch", target="<= %.1f" % limit, ok=r <= limit))
            print_row(rows[-1])

    # ---- training step (forward + backward + AdamW), the bundled model's shape ----
    tg = dict(layers=4, embd=128, heads=4, vocab=50257, positions=256)
    B, T = 8, 256
    tm = TorchGpt2(**tg)
    params = [tm.wte, tm.wpe, tm.lnfw, tm.lnfb] + [t for p in tm.blocks for t in p.values()]
    for t in params:
        t.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    gen = torch.Generator().manual_seed(3)
    xb, yb = torch.randint(0, tg["vocab"], (B, T), generator=gen), torch.randint(0, tg["vocab"], (B, T), generator=gen)

    def torch_step():
        opt.zero_grad(set_to_none=True)
        logits = torch.stack([tm.forward(xb[b]) for b in range(B)])
        loss = F.cross_entropy(logits.view(-1, tg["vocab"]), yb.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    med_t, _ = timeit(torch_step, 1, 3 if a.quick else 5)
    ours = seal(["train", "--layers", tg["layers"], "--embd", tg["embd"], "--heads", tg["heads"], "--vocab", tg["vocab"],
                 "--batch", B, "--tokens", T, "--threads", N, "--warmup", 2, "--warmup-ms", 5000, "--iters", 3 if a.quick else 5])
    r = ours["median_ms"] / med_t
    rows.append(dict(what="train step B=8 T=256 (gpt2-brown shape)", ours_ms=ours["median_ms"], torch_ms=med_t, blas_ms=None,
                     ours_gflops=ours["gflops"], ratio=r, ratio_kind="time vs PyTorch", target="report", ok=True))
    print_row(rows[-1])

    print()
    print("%-44s %10s %10s %10s %9s %9s  %s" % ("", "ours ms", "torch ms", "blas ms", "ratio", "target", ""))
    for r in rows:
        print("%-44s %10.2f %10.2f %10s %9.3f %9s  %s" % (r["what"], r["ours_ms"], r["torch_ms"],
              "%.2f" % r["blas_ms"] if r["blas_ms"] is not None else "-", r["ratio"], r["target"], "ok" if r["ok"] else "SHORT"))
    if a.markdown:
        print()
        print("| what | ours ms | PyTorch ms | OpenBLAS ms | ours GFLOP/s | OpenBLAS GFLOP/s | ours GB/s | ratio | target |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in rows:
            print("| %s | %.2f | %.2f | %s | %.1f | %s | %s | %.3f (%s) | %s %s |" % (
                r["what"], r["ours_ms"], r["torch_ms"], "%.2f" % r["blas_ms"] if r["blas_ms"] is not None else "–",
                r["ours_gflops"], "%.1f" % r["blas_gflops"] if r.get("blas_gflops") else "–",
                "%.1f" % r["ours_gbps"] if r.get("ours_gbps") else "–", r["ratio"], r["ratio_kind"], r["target"],
                "✓" if r["ok"] else "✗"))
    return 0 if all(r["ok"] for r in rows) else 1


def print_row(r):
    extra = " ours %.1f GB/s" % r["ours_gbps"] if r.get("ours_gbps") else ""
    blas = " openblas %.2f ms (%.1f GFLOP/s)" % (r["blas_ms"], r["blas_gflops"]) if r["blas_ms"] is not None else ""
    print("%s: ours %.2f ms (%.1f GFLOP/s)%s, torch %.2f ms%s -> ratio %.3f (%s, target %s) %s" % (
        r["what"], r["ours_ms"], r["ours_gflops"], extra, r["torch_ms"], blas, r["ratio"], r["ratio_kind"], r["target"],
        "ok" if r["ok"] else "SHORT"), flush=True)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    return l.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    sys.exit(main())
