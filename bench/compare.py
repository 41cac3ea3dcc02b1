"""Side-by-side CPU benchmark: SEAL on the JVM vs ONNX Runtime, Jlama (native and Vector API) and PyTorch, one run.

Run through bench/compare.sh (which builds bench/peers, unsets OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for this command
only and sets the thread count). Steps:

1. The model: bench/peers/export.py writes GPT-2-124M-shaped random float32 weights once (bench/peers/target/gpt2-random:
   safetensors + config.json for ours and Jlama, gpt2.onnx for ONNX Runtime, PyTorch's logits for 128 token ids); every
   engine below loads that directory, so all of them run the same weights.
2. The OpenBLAS kernel: Debian's OpenBLAS picks its kernel (OPENBLAS_CORETYPE) from a CPU table that may not know this
   CPU and then falls back to a generic one. Each kernel of the build that this CPU can execute is timed on the matmul
   shapes below, each in its own process (the variable is read when the library loads; a kernel that dies on an
   illegal instruction is reported, not fatal); the fastest (geometric mean of GFLOP/s) is used for the PyTorch column,
   and PyTorch is timed again with the default kernel for the last column.
3. Rounds (--rounds, default 2), each timing every engine once, one process at a time: our engine, ONNX Runtime and
   both Jlamas through bench/peers' PeerBench (one JVM each; ours twice: its weights packed once at load, F32_PACKED, the
   "ours" column, and plain F32, packed on every product; logits checked against PyTorch's first, and a step whose
   logits disagree is reported wrong and not timed), PyTorch on both kernels, and our matmuls through `bin/seal bench
   matmul` (W packed once for the ours column, on every call for the F32 one). Every figure is the median of timed runs after warm-up; a cell shows each round's median.
   Then ours only: batched generation (`bin/seal bench generate`, B = 1, 4, 16 prompts continued together) on random
   weights of the same shape; its rows give ms per run and, in the target column, tokens/s.
4. The table: each row's figures, the fastest correct peer (by the lower of its rounds' medians) and our time
   divided by that peer's (below 1: ours is faster); `target` keeps the acceptance targets (matmul: our GFLOP/s
   >= 0.9 x PyTorch's on OpenBLAS's fastest kernel; forward T=128, T=1 and a decode step: our time <= 1.0 x ONNX
   Runtime's).
"""
import argparse
import ctypes
import datetime
import hashlib
import inspect
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEAL = os.path.join(ROOT, "bin", "seal")
PEERS = os.path.join(HERE, "peers")
JAVA = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "java")

# --dry-run: tiny shapes, to check this script's plumbing in seconds; its numbers mean nothing.
DRY = "--dry-run" in sys.argv
# (label, M, K, N, tied-head form A·Wᵀ with W (N,K))
MATMULS = [("c_attn 128x64·64x192", 128, 64, 192, False), ("lm_head 1x64·(500x64)ᵀ", 1, 64, 500, True)] if DRY else [
    ("c_attn 128x768·768x2304", 128, 768, 2304, False),
    ("c_fc 128x768·768x3072", 128, 768, 3072, False),
    ("mlp.c_proj 128x3072·3072x768", 128, 3072, 768, False),
    ("lm_head 1x768·(50257x768)ᵀ", 1, 768, 50257, True),
    ("lm_head 128x768·(50257x768)ᵀ", 128, 768, 50257, True),
]
GPT2 = dict(layers=12, embd=768, heads=12, vocab=50257, positions=1024)
MODEL_SHAPE = dict(layers=2, embd=64, heads=4, vocab=500, positions=256) if DRY else GPT2
MODEL_DIR = os.path.join(PEERS, "target", "gpt2-random-dry" if DRY else "gpt2-random")
# PeerBench's steps: (label, past, new tokens)
STEPS = [("forward T=128", 0, 128), ("forward T=1", 0, 1), ("decode after 127", 127, 1)]
# Batched generation, ours only (`bin/seal bench generate`: BatchGenerator, B random prompts of PROMPT tokens, NEW sampled
# tokens each, random weights of MODEL_SHAPE): the cell is ms per run, the target column its tokens/s (B·NEW / time).
GEN_BATCHES, GEN_PROMPT, GEN_NEW = [1, 4, 16], 16, (4 if DRY else 32)
GEN_ROW = "generate B=%d, %d+%d tokens"
GEN_ROWS = [GEN_ROW % (b, GEN_PROMPT, GEN_NEW) for b in GEN_BATCHES]
TOLERANCE = 1e-3
# The x86-64 kernels of OpenBLAS's DYNAMIC_ARCH builds worth probing, with the /proc/cpuinfo flags each needs.
# Older SSE kernels differ little from Prescott; Bulldozer's sgemm uses FMA4, which Intel CPUs lack.
KERNELS = [
    ("Prescott", ["pni"]),
    ("Core2", ["ssse3"]),
    ("Nehalem", ["sse4_2"]),
    ("Sandybridge", ["avx"]),
    ("Haswell", ["avx2", "fma"]),
    ("Zen", ["avx2", "fma"]),
    ("Bulldozer", ["avx", "fma4"]),
    ("SkylakeX", ["avx512f", "avx512bw", "avx512dq", "avx512vl"]),
    ("Cooperlake", ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ("SapphireRapids", ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16", "avx512_fp16", "amx_bf16"]),
]
COLUMNS = [("ours", "ours (F32_PACKED)"), ("ours-f32", "ours, F32 (packs per product)"), ("onnxruntime", "ONNX Runtime"), ("jlama-native", "Jlama (native)"), ("jlama-vector", "Jlama (Vector API)"),
           ("torch", "PyTorch"), ("torch-default", "OpenBLAS default kernel")]


def timeit(fn, warmup, iters, max_s=30.0):
    """Median and minimum (ms) of `iters` runs after `warmup`; a slow step stops after 3 timed runs once max_s is spent."""
    t_end = time.perf_counter() + max_s
    for _ in range(warmup):
        fn()
        if time.perf_counter() > t_end:
            break
    ts, t_end = [], time.perf_counter() + max_s
    while len(ts) < iters and (len(ts) < min(3, iters) or time.perf_counter() < t_end):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts), min(ts)


def short(matmul):
    """'c_attn', 'head T=1', ...: a matmul's column name in the kernel probe's table."""
    label, M = matmul[0], matmul[1]
    return "head T=%d" % M if label.startswith("lm_head") else label.split()[0]


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def openblas_libs():
    with open("/proc/self/maps") as f:
        return sorted({l.split()[-1] for l in f if "openblas" in l.lower() and l.split()[-1].startswith("/")})


def openblas_info():
    """The OpenBLAS library numpy/torch loaded, its core (kernel) name and config."""
    info = []
    for lib in openblas_libs():
        try:
            h = ctypes.CDLL(lib)
            h.openblas_get_corename.restype = ctypes.c_char_p
            h.openblas_get_config.restype = ctypes.c_char_p
            info.append(dict(lib=lib, core=h.openblas_get_corename().decode(), threads=h.openblas_get_num_threads(),
                             config=h.openblas_get_config().decode()))
        except (OSError, AttributeError) as e:
            info.append(dict(lib=lib, error=str(e)))
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


# ---- workers: each runs in a process of its own, with the OPENBLAS_CORETYPE it was started with ----

def probe_worker(a):
    """sgemm (numpy -> OpenBLAS) on the matmul shapes: one JSON line with the kernel OpenBLAS loaded and each shape's ms."""
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)
    info = openblas_info()
    rng = np.random.default_rng(1)
    ms = {}
    for label, M, K, N, tied in MATMULS:
        A = rng.standard_normal((M, K), dtype=np.float32)
        W = rng.standard_normal((N, K) if tied else (K, N), dtype=np.float32)
        Wn = W.T if tied else W
        out = np.empty((M, N), np.float32)
        ms[label] = timeit(lambda: np.matmul(A, Wn, out=out), 1, a.iters, max_s=5)[0]
    print(json.dumps(dict(core=info[0].get("core", "?") if info else "?", openblas=info, sgemm_ms=ms)), flush=True)


def torch_worker(a):
    """PyTorch with the kernel this process loaded: the matmuls, the forward steps on the exported model (logits checked
    against the reference first) and, with --train, the training step. One JSON line per figure."""
    sys.path.insert(0, PEERS)
    from export import load_model
    torch.set_num_threads(a.threads)
    emit = lambda **kw: print(json.dumps(kw), flush=True)
    core = openblas_info()[0].get("core", "?") if openblas_libs() else "?"
    emit(kind="describe", core=core, torch=torch.__version__)
    rng = np.random.default_rng(1)
    for label, M, K, N, tied in MATMULS:
        A = torch.from_numpy(rng.standard_normal((M, K), dtype=np.float32))
        W = torch.from_numpy(rng.standard_normal((N, K) if tied else (K, N), dtype=np.float32))
        Wn = W.t() if tied else W
        med, mn = timeit(lambda: torch.matmul(A, Wn), 3, a.iters_mm, max_s=a.max_s)
        emit(kind="time", row="matmul " + label, median_ms=med, min_ms=mn)

    model = load_model(a.model)
    ids = torch.tensor(json.load(open(os.path.join(a.model, "ids.json"))))
    ref = torch.from_numpy(np.fromfile(os.path.join(a.model, "reference.f32"), "<f4").reshape(len(ids), -1))
    with torch.inference_mode():
        for label, past, T in STEPS:
            new = ids[past:past + T]
            if past == 0:
                fn = lambda: model.forward(new)
            else:
                cache = [None] * len(model.blocks)
                model.forward(ids[:past], cache)
                base = list(cache)
                fn = lambda: model.forward(new, list(base))
            err = (fn() - ref[past:past + T]).abs().max().item()
            emit(kind="check", row=label, max_abs_err=err, ok=err <= TOLERANCE)
            if err <= TOLERANCE:
                med, mn = timeit(fn, 2 if T > 1 else 10, a.iters_fw if T > 1 else 3 * a.iters_fw, max_s=a.max_s)
                emit(kind="time", row=label, median_ms=med, min_ms=mn)
    if a.train:
        med = torch_train_step(a.threads, 3 if a.quick else 5)
        emit(kind="time", row=TRAIN_ROW, median_ms=med, min_ms=med)


TRAIN_ROW = "train step B=8 T=256 (gpt2-brown shape)"
TRAIN = dict(layers=4, embd=128, heads=4, vocab=50257, positions=256)


def torch_train_step(threads, iters):
    """Forward + backward + AdamW of the bundled model's shape, as `bin/seal bench train` times it."""
    B, T = 8, 256
    tm = TorchGpt2(**TRAIN)
    params = [tm.wte, tm.wpe, tm.lnfw, tm.lnfb] + [t for p in tm.blocks for t in p.values()]
    for t in params:
        t.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    gen = torch.Generator().manual_seed(3)
    xb, yb = torch.randint(0, TRAIN["vocab"], (B, T), generator=gen), torch.randint(0, TRAIN["vocab"], (B, T), generator=gen)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = torch.stack([tm.forward(xb[b]) for b in range(B)])
        loss = F.cross_entropy(logits.view(-1, TRAIN["vocab"]), yb.view(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    return timeit(step, 1, iters, max_s=120)[0]


# ---- the run ----

def cpu_info():
    """model name, family/model/stepping and flags of the first CPU in /proc/cpuinfo."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if not l.strip():
                    break
                k, _, v = l.partition(":")
                info[k.strip()] = v.strip()
    except OSError:
        pass
    return info


def worker_env(coretype):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    return env


def run_json(cmd, env=None, timeout=None):
    """Runs a worker; returns (JSON lines it printed, None) or (those lines, why it failed)."""
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return parse_lines(out), "timed out after %d s" % timeout
    lines = parse_lines(p.stdout)
    if p.returncode < 0:
        return lines, "crashed (%s)" % signal.Signals(-p.returncode).name
    if p.returncode != 0:
        tail = [l for l in p.stderr.strip().splitlines() if not l.startswith("WARNING")][-1:] or ["exit %d" % p.returncode]
        return lines, "failed: " + tail[0][:200]
    return lines, None


def parse_lines(out):
    lines = []
    for l in out.splitlines():
        if l.startswith("{"):
            try:
                lines.append(json.loads(l))
            except ValueError:
                pass
    return lines


def probe_kernels(a, flags):
    """Times sgemm under each kernel this OpenBLAS has and this CPU can run; returns (results, default core, best core)."""
    me = [sys.executable, os.path.abspath(__file__), "--probe-worker", "--iters", str(2 if a.quick else 3)] + (["--dry-run"] if DRY else [])
    results = []
    lines, err = run_json(me, env=worker_env(None), timeout=600)
    default = lines[0]["core"] if lines else None
    results.append(dict(kernel="default (%s)" % default, core=default, ms=lines[0]["sgemm_ms"] if lines else None, status=err or "ok"))
    for name, need in KERNELS:
        missing = [f for f in need if f not in flags]
        if missing:
            results.append(dict(kernel=name, status="skipped: CPU lacks " + " ".join(missing)))
            continue
        env = worker_env(name)
        env["OPENBLAS_VERBOSE"] = "2"   # OpenBLAS then says "Core not found" when the build has no such kernel
        lines, err = run_json(me, env=env, timeout=600)
        if err:
            results.append(dict(kernel=name, status=err))
        elif lines[0]["core"].lower() != name.lower():
            results.append(dict(kernel=name, status="not in this build (OpenBLAS loaded %s)" % lines[0]["core"]))
        else:
            results.append(dict(kernel=name, core=name, ms=lines[0]["sgemm_ms"], status="ok"))
    for r in results:
        if r.get("ms"):
            r["gflops"] = {lbl: 2.0 * M * K * N / r["ms"][lbl] / 1e6 for lbl, M, K, N, _ in MATMULS}
            r["geomean"] = math.exp(statistics.mean(math.log(g) for g in r["gflops"].values()))
    ok = [r for r in results[1:] if r.get("geomean")]
    best = max(ok, key=lambda r: r["geomean"])["core"] if ok else default
    return results, default, best


def ensure_model():
    """bench/peers/export.py's directory, rewritten when the script or the shape changed."""
    src = open(os.path.join(PEERS, "export.py"), "rb").read() + inspect.getsource(TorchGpt2).encode()
    stamp = hashlib.sha256(src + json.dumps(MODEL_SHAPE, sort_keys=True).encode()).hexdigest()
    stamp_file = os.path.join(MODEL_DIR, "stamp")
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        return
    print("model: exporting %s (once; reused while bench/peers/export.py is unchanged)" % MODEL_DIR, flush=True)
    args = [sys.executable, os.path.join(PEERS, "export.py"), MODEL_DIR] + [x for k, v in MODEL_SHAPE.items() for x in ("--" + k, str(v))]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    with open(stamp_file, "w") as f:
        f.write(stamp)


def run_peer(peer, a):
    """One PeerBench JVM: {'describe', 'checks': {step: err/ok}, 'times': {step: ms}, 'error'}."""
    cp = os.path.join(PEERS, "target", "bench-peers.jar") + ":" + os.path.join(PEERS, "target", "lib", "*")
    cmd = [JAVA, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m",
           "-Djava.util.concurrent.ForkJoinPool.common.parallelism=%d" % max(1, a.threads - 1),
           "-cp", cp, "sealjvm.bench.peers.PeerBench", "--peer", peer, "--model", MODEL_DIR, "--threads", str(a.threads),
           "--iters", str(3 if a.quick else 10), "--warmup-ms", str(2000 if a.quick else 5000), "--max-ms", str(int(a.max_s * 1000)),
           "--tolerance", str(TOLERANCE)]
    lines, err = run_json(cmd, timeout=600)
    res = dict(checks={}, times={}, error=err)
    for l in lines:
        if l["kind"] == "describe":
            res["describe"] = l["describe"]
        elif l["kind"] == "check":
            res["checks"][l["step"]] = l
        elif l["kind"] == "time":
            res["times"][l["step"]] = l["median_ms"]
        elif l["kind"] == "error":
            res["error"] = l["error"]
    return res


def run_torch(core, a):
    me = [sys.executable, os.path.abspath(__file__), "--torch-worker", "--model", MODEL_DIR, "--threads", str(a.threads),
          "--iters-mm", str(5 if a.quick else 20), "--iters-fw", str(3 if a.quick else 10), "--max-s", str(a.max_s)]
    me += (["--train"] if a.train else []) + (["--quick"] if a.quick else []) + (["--dry-run"] if DRY else [])
    lines, err = run_json(me, env=worker_env(core), timeout=1800)
    res = dict(checks={}, times={}, error=err)
    for l in lines:
        if l["kind"] == "describe":
            res["describe"] = "PyTorch %s, OpenBLAS kernel %s" % (l["torch"], l["core"])
        elif l["kind"] == "check":
            res["checks"][l["row"]] = l
        elif l["kind"] == "time":
            res["times"][l["row"]] = l["median_ms"]
    return res


def run_ours_matmuls(a, weights, train):
    """`bin/seal bench matmul` on each shape with W held as `weights` (f32_packed: packed once before the timing; f32:
    packed on every call), and the training step when `train`."""
    times = {}
    for label, M, K, N, tied in MATMULS:
        try:
            r = seal(["matmul", "--m", M, "--k", K, "--n", N, "--threads", a.threads, "--warmup", 5, "--warmup-ms", 1000 if DRY else 5000,
                      "--iters", 5 if a.quick else 20, "--weights", weights] + (["--transposed"] if tied else []))
            times["matmul " + label] = r["median_ms"]
        except subprocess.CalledProcessError as e:
            times["matmul " + label] = "failed: " + (e.stderr.strip().splitlines() or ["exit %d" % e.returncode])[-1][:200]
    if train:
        r = seal(["train", "--layers", TRAIN["layers"], "--embd", TRAIN["embd"], "--heads", TRAIN["heads"], "--vocab", TRAIN["vocab"],
                  "--batch", 8, "--tokens", 256, "--threads", a.threads, "--warmup", 2, "--warmup-ms", 5000, "--iters", 3 if a.quick else 5])
        times[TRAIN_ROW] = r["median_ms"]
    return times


def run_ours_generate(a):
    """`bin/seal bench generate` for each B: {row: median ms of one run (prefill + GEN_NEW sampled steps)}."""
    times = {}
    shape = dict(MODEL_SHAPE)
    for B, row in zip(GEN_BATCHES, GEN_ROWS):
        try:
            r = seal(["generate", "--layers", shape["layers"], "--embd", shape["embd"], "--heads", shape["heads"], "--vocab", shape["vocab"],
                      "--positions", shape["positions"], "--batch", B, "--prompt-tokens", GEN_PROMPT, "--new-tokens", GEN_NEW, "--weights", "f32_packed",
                      "--threads", a.threads, "--warmup", 1 if a.quick else 2, "--warmup-ms", 1000 if DRY else 5000, "--iters", 3 if a.quick else 5])
            times[row] = r["median_ms"]
        except subprocess.CalledProcessError as e:
            times[row] = "failed: " + (e.stderr.strip().splitlines() or ["exit %d" % e.returncode])[-1][:200]
    return times


def rows_of(a):
    rows = [label for label, _, _ in STEPS] + ["matmul " + m[0] for m in MATMULS] + GEN_ROWS
    return rows + ([TRAIN_ROW] if a.train else [])


def cell(rounds, col, row):
    """Per-round medians of one cell, or the reason it has none: 'wrong (...)' if any round's logits disagreed,
    'cannot run: ...' / 'failed: ...' if the engine did not run, '–' if it does not do this row."""
    if col in ("onnxruntime", "jlama-native", "jlama-vector") and row not in [s[0] for s in STEPS]:
        return [], "–"
    vals, wrong, why = [], None, None
    for rnd in rounds:
        r = rnd.get(col)
        if r is None:
            continue
        chk, t = r["checks"].get(row), r["times"].get(row)
        if chk is not None and not chk["ok"]:
            wrong = max(wrong or 0.0, chk["max_abs_err"])
        elif isinstance(t, (int, float)):
            vals.append(float(t))
        elif isinstance(t, str):
            why = why or t
        elif r.get("error"):
            why = why or (r["error"] if r["error"].startswith("cannot run") else "failed: " + r["error"])
    if wrong is not None:
        return [], "wrong (max abs err %.3g)" % wrong
    return (vals, None) if vals else ([], why or "–")


def fmt_cell(vals, why):
    return " / ".join("%.2f" % v for v in vals) if vals else why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer iterations (noisier)")
    ap.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    ap.add_argument("--rounds", type=int, default=2, help="times every engine this many times, one after the other")
    ap.add_argument("--train", action="store_true", help="add the training-step row (ours vs PyTorch, several minutes)")
    ap.add_argument("--dry-run", action="store_true", help="tiny shapes: checks the plumbing only")
    ap.add_argument("--max-s", type=float, default=30.0, help="per step: stop timing a slow engine after this long (and 3 runs)")
    ap.add_argument("--probe-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--torch-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--iters", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--iters-mm", type=int, default=20, help=argparse.SUPPRESS)
    ap.add_argument("--iters-fw", type=int, default=10, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.probe_worker:
        return probe_worker(a) or 0
    if a.torch_worker:
        return torch_worker(a) or 0
    if a.quick:
        a.max_s = min(a.max_s, 10.0)

    cpu = cpu_info()
    flags = set(cpu.get("flags", "").split())
    print("cpu: %s (family %s, model %s, stepping %s), %d cpus, %s" % (cpu.get("model name", "?"), cpu.get("cpu family", "?"),
          cpu.get("model", "?"), cpu.get("stepping", "?"), os.cpu_count(), platform.machine()))
    print("date: %s; load average (1, 5, 15 min): %s" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), load_average()))
    print("threads %d, rounds %d%s; torch %s, numpy %s, %s" % (a.threads, a.rounds, ", quick" if a.quick else "", torch.__version__,
          np.__version__, subprocess.run([JAVA, "-version"], capture_output=True, text=True).stderr.splitlines()[0]))
    if DRY:
        print("DRY RUN: tiny shapes, the numbers mean nothing")
    ensure_model()

    results, default, best = probe_kernels(a, flags)
    print("\nOpenBLAS kernels (OPENBLAS_CORETYPE), numpy sgemm GFLOP/s, %d threads:" % a.threads)
    print("  %-22s %s  %8s  %s" % ("kernel", " ".join("%12s" % short(m) for m in MATMULS), "geomean", ""))
    for r in results:
        if r.get("gflops"):
            print("  %-22s %s  %8.1f  %s" % (r["kernel"], " ".join("%12.1f" % g for g in r["gflops"].values()), r["geomean"],
                                             "<- fastest" if r.get("core") == best and r["kernel"] == best else ""))
        else:
            print("  %-22s %s" % (r["kernel"], r["status"]))
    print("PyTorch column: OpenBLAS kernel %s (fastest); last column: the default kernel, %s%s" % (
        best, default, " (the same kernel: not timed twice)" if best == default else ""), flush=True)

    rounds = []
    for n in range(1, a.rounds + 1):
        rnd = {}
        print("\nround %d" % n, flush=True)
        for peer in ("ours", "ours-f32", "onnxruntime", "jlama-native", "jlama-vector"):
            rnd[peer] = run_peer(peer, a)
            report(peer, rnd[peer])
        rnd["torch"] = run_torch(best, a)
        report("torch", rnd["torch"])
        if best != default:
            rnd["torch-default"] = run_torch(default, replace_args(a, train=False))
            report("torch-default", rnd["torch-default"])
        for col, weights in (("ours", "f32_packed"), ("ours-f32", "f32")):
            ours_mm = run_ours_matmuls(a, weights, a.train and col == "ours")
            rnd[col]["times"].update(ours_mm)
            print("  ours matmuls, %s: " % weights + ", ".join("%s %s" % (k.split()[1], "%.2f ms" % v if isinstance(v, float) else v)
                                                          for k, v in ours_mm.items()), flush=True)
        ours_gen = run_ours_generate(a)
        rnd["ours"]["times"].update(ours_gen)
        print("  ours generate: " + ", ".join("%s %s" % (k.split(",")[0].split()[1], "%.1f tokens/s" % gen_tokens_per_s(k, v)
                                                          if isinstance(v, float) else v) for k, v in ours_gen.items()), flush=True)
        rounds.append(rnd)

    names = dict(COLUMNS)
    names["torch"] = "PyTorch (OpenBLAS %s)" % best
    names["torch-default"] = "OpenBLAS default kernel (%s)" % default
    if best == default:
        for rnd in rounds:
            rnd["torch-default"] = rnd["torch"]
    table = []
    all_ok = True
    for row in rows_of(a):
        cells = {col: cell(rounds, col, row) for col, _ in COLUMNS}
        peers = [(min(v), col) for col, (v, _) in cells.items() if col not in ("ours", "ours-f32") and v]
        ours = min(cells["ours"][0]) if cells["ours"][0] else None
        fastest = min(peers) if peers else None
        ratio = "%.2f (%s)" % (ours / fastest[0], names[fastest[1]]) if ours and fastest else "–"
        target, ok = target_of(row, ours, min(cells["torch"][0]) if cells["torch"][0] else None,
                               min(cells["onnxruntime"][0]) if cells["onnxruntime"][0] else None)
        all_ok &= ok is not False
        table.append([row] + [fmt_cell(*cells[col]) for col, _ in COLUMNS] + [ratio, target])
    load = load_average()
    busy = load != "?" and float(load.split()[1]) > (os.cpu_count() or 1)
    print("\ndone %s; load average (1, 5, 15 min): %s%s" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), load,
          " — more runnable threads than cores: other work shared the CPUs, the figures are noisy" if busy else ""))
    header = ["ms (round 1 / round 2)" if a.rounds == 2 else "ms (rounds)"] + [names[c] for c, _ in COLUMNS] + ["ours ÷ fastest correct peer", "target"]
    print()
    widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
    for r in [header] + table:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    if a.markdown:
        print()
        print("| " + " | ".join(header) + " |")
        print("|---|" + "---:|" * len(COLUMNS) + "---|---|")
        for r in table:
            print("| " + " | ".join(str(c).replace("|", "\\|") for c in r) + " |")
    return 0 if all_ok else 1


def replace_args(a, **kw):
    b = argparse.Namespace(**vars(a))
    for k, v in kw.items():
        setattr(b, k, v)
    return b


def gen_tokens_per_s(row, ms):
    """Tokens/s of a generate row's run: B·GEN_NEW tokens in ms."""
    return GEN_BATCHES[GEN_ROWS.index(row)] * GEN_NEW / (ms / 1e3)


def target_of(row, ours, torch_ms, onnx_ms):
    """The acceptance targets: matmul our GFLOP/s >= 0.9x PyTorch's on OpenBLAS's fastest kernel; each forward row our
    time <= 1.0x ONNX Runtime's; for a generate row (ours only, no target) its tokens/s."""
    if row in GEN_ROWS:
        return ("%.1f tokens/s" % gen_tokens_per_s(row, ours), None) if ours is not None else ("–", None)
    if row.startswith("matmul"):
        if ours is None or torch_ms is None:
            return "–", None
        r = torch_ms / ours
        return "%.2f >= 0.9 GFLOP/s vs OpenBLAS best %s" % (r, "✓" if r >= 0.9 else "✗"), r >= 0.9
    if row.startswith("forward") or row.startswith("decode"):
        if ours is None or onnx_ms is None:
            return "–", None
        r = ours / onnx_ms
        return "%.2f <= 1.0 time vs ONNX Runtime %s" % (r, "✓" if r <= 1.0 else "✗"), r <= 1.0
    return "report", None


def report(col, r):
    checks = ", ".join("%s %s (%.2g)" % (k, "ok" if c["ok"] else "WRONG", c["max_abs_err"]) for k, c in r["checks"].items())
    times = ", ".join("%s %.2f ms" % (k, v) for k, v in r["times"].items() if isinstance(v, float) and not k.startswith("matmul"))
    print("  %-14s %s%s%s%s" % (col, r.get("describe", ""), "; checks: " + checks if checks else "", "; " + times if times else "",
                                "; " + r["error"] if r.get("error") else ""), flush=True)


if __name__ == "__main__":
    sys.exit(main())
