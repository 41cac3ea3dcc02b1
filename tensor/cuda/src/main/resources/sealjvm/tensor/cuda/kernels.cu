// CUDA C kernels of the GPT-2 forward, the low-rank edits and AdamW. Compiled at run time by NVRTC for the
// device's compute capability (sealjvm.tensor.cuda.KernelModule caches the cubin on disk by hash).
// GEMMs are not here: they go to cuBLAS (sealjvm.tensor.cuda.CudaOps).
//
// Rules every kernel follows, so that the CPU emulator (tools/cuda-emulator) can run this file unchanged:
//  - extern "C" __global__, parameters float* / const float* / int* / const int* / int / long long / float;
//  - static __shared__ arrays only (no dynamic shared memory);
//  - __syncthreads() and warp shuffles are reached by every thread of the block (no early return before them:
//    out-of-range threads carry a `valid` flag instead).
// Indices that can pass 2^31 (B·T·V logits, B·H·T·L scores) are long long.

#define FULL_MASK 0xffffffffu
#ifndef INFINITY   // NVRTC has no <math.h>; the emulator and nvcc do
#define INFINITY __int_as_float(0x7f800000)
#endif

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum (or max) over the whole block; every thread gets the result. blockDim.x must be a multiple of 32.
__device__ float block_reduce(float v, bool isMax) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = isMax ? warp_max(v) : warp_sum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    // Every warp reduces the partials itself: no second broadcast through shared memory is needed.
    float x = lane < warps ? partial[lane] : (isMax ? -INFINITY : 0.0f);
    x = isMax ? warp_max(x) : warp_sum(x);
    __syncthreads(); // partial[] is reused by the next call
    return x;
}

__device__ __forceinline__ float gelu_tanh(float x) {
    // GPT-2's "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    float u = 0.7978845608028654f * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1.0f + tanhf(u));
}

// ---------------------------------------------------------------------------------------------------------------
// Embedding: ids (B,T), wte (V,C), wpe (P,C) -> out (B,T,C); position of token t is pos0 + t.
// Grid-stride over B·T·C elements.
extern "C" __global__ void embedding_forward(float* out, const int* ids, const float* wte, const float* wpe,
                                             int BT, int T, int C, int pos0) {
    long long n = (long long)BT * C;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        int bt = (int)(i / C), c = (int)(i % C), t = bt % T;
        out[i] = wte[(long long)ids[bt] * C + c] + wpe[(long long)(pos0 + t) * C + c];
    }
}

// LayerNorm: inp (N,C) -> out (N,C), one warp per row, two-pass mean/variance (as torch). out may equal inp.
extern "C" __global__ void layernorm_forward(float* out, const float* inp, const float* weight, const float* bias,
                                             int N, int C, float eps) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    bool valid = row < N;
    const float* x = inp + (long long)(valid ? row : 0) * C;
    float s = 0.0f;
    if (valid) for (int i = lane; i < C; i += 32) s += x[i];
    float mean = warp_sum(s) / C;
    float v = 0.0f;
    if (valid) for (int i = lane; i < C; i += 32) { float d = x[i] - mean; v += d * d; }
    float rstd = rsqrtf(warp_sum(v) / C + eps);
    if (valid) {
        float* o = out + (long long)row * C;
        for (int i = lane; i < C; i += 32) o[i] = (x[i] - mean) * rstd * weight[i] + bias[i];
    }
}

// out (M,N): every row = bias (N). Precedes a GEMM with beta = 1, which then adds inp·W: the bias costs no pass.
extern "C" __global__ void broadcast_rows(float* out, const float* bias, int M, int N) {
    long long n = (long long)M * N;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = bias[i % N];
}

// out (M,N) += bias (N) broadcast over rows.
extern "C" __global__ void add_bias(float* out, const float* bias, int M, int N) {
    long long n = (long long)M * N;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] += bias[i % N];
}

// out = gelu(out), elementwise over n.
extern "C" __global__ void gelu_inplace(float* out, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = gelu_tanh(out[i]);
}

// out = a + b, elementwise over n (out may alias a or b).
extern "C" __global__ void add(float* out, const float* a, const float* b, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] = a[i] + b[i];
}

// out *= s, elementwise over n.
extern "C" __global__ void scale_inplace(float* out, float s, long long n) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        out[i] *= s;
}

// ---------------------------------------------------------------------------------------------------------------
// Attention in three steps around two cuBLAS batched GEMMs (scores = q·kᵀ, out = p·v):
//   split_qkv      qkv (B,T,3C) -> q (B,H,T,hd); k, v into the cache (B,H,cap,hd) at positions pos0..pos0+T-1
//   softmax_causal scores (B·H,T,L) -> probabilities, L = pos0 + T keys, query t sees keys 0..pos0+t
//   merge_heads    o (B,H,T,hd) -> out (B,T,C)
extern "C" __global__ void split_qkv(float* q, float* kcache, float* vcache, const float* qkv,
                                     int B, int T, int C, int H, int cap, int pos0) {
    long long n = (long long)B * T * C;
    int hd = C / H;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        int c = (int)(i % C);
        long long bt = i / C;
        int t = (int)(bt % T), b = (int)(bt / T), h = c / hd, d = c % hd;
        const float* src = qkv + bt * 3 * C;
        long long bh = (long long)b * H + h;
        q[(bh * T + t) * hd + d] = src[c];
        long long kv = (bh * cap + pos0 + t) * hd + d;
        kcache[kv] = src[C + c];
        vcache[kv] = src[2 * C + c];
    }
}

// One warp per row of scores (B·H·T rows of L): p_j = exp(scale·s_j − max) / Σ for j ≤ pos0 + t, else 0.
extern "C" __global__ void softmax_causal(float* scores, int rows, int T, int L, int pos0, float scale) {
    int lane = threadIdx.x & 31;
    int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    bool valid = row < rows;
    float* s = scores + (long long)(valid ? row : 0) * L;
    int last = valid ? pos0 + row % T : -1;   // keys 0..last are visible
    float m = -INFINITY;
    for (int j = lane; j <= last; j += 32) m = fmaxf(m, s[j] * scale);
    m = warp_max(m);
    float sum = 0.0f;
    for (int j = lane; j <= last; j += 32) { float e = expf(s[j] * scale - m); s[j] = e; sum += e; }
    sum = warp_sum(sum);
    float inv = 1.0f / sum;
    if (valid) for (int j = lane; j < L; j += 32) s[j] = j <= last ? s[j] * inv : 0.0f;
}

extern "C" __global__ void merge_heads(float* out, const float* o, int B, int T, int C, int H) {
    long long n = (long long)B * T * C;
    int hd = C / H;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        int c = (int)(i % C);
        long long bt = i / C;
        int t = (int)(bt % T), b = (int)(bt / T), h = c / hd, d = c % hd;
        out[i] = o[(((long long)b * H + h) * T + t) * hd + d];
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Scoring: log p(target) of selected rows of logits (n,V), one block per row; top1 = 1 when no logit exceeds
// the target's (ties count), as sealjvm.seal.task.Scoring does on the CPU.
extern "C" __global__ void row_logprob(float* logp, int* top1, const float* logits, const int* targets, int n, int V) {
    int row = blockIdx.x;   // gridDim.x == n
    const float* x = logits + (long long)row * V;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < V; j += blockDim.x) m = fmaxf(m, x[j]);
    m = block_reduce(m, true);
    float s = 0.0f;
    for (int j = threadIdx.x; j < V; j += blockDim.x) s += expf(x[j] - m);
    s = block_reduce(s, false);
    if (threadIdx.x == 0) {
        float target = x[targets[row]];
        logp[row] = target - (m + logf(s));
        top1[row] = m <= target ? 1 : 0;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Merged low-rank edit: W (rows,cols) += s·A (rows,r)·B (r,cols), and snapshot = W as it was (skipped when null).
// Same fma order as sealjvm.tensor.LowRank on the CPU: w = fma(b_kj, s·a_ik, w) for k = 0..r-1, so both
// devices produce the same bits. Grid (⌈cols/blockDim⌉, rows).
extern "C" __global__ void lowrank_apply(float* w, float* snapshot, const float* a, const float* b, float s,
                                         int rows, int cols, int r) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i = blockIdx.y;
    if (j >= cols || i >= rows) return;
    long long e = (long long)i * cols + j;
    float v = w[e];
    if (snapshot) snapshot[e] = v;
    const float* ai = a + (long long)i * r;
    for (int k = 0; k < r; k++) v = fmaf(b[(long long)k * cols + j], s * ai[k], v);
    w[e] = v;
}

// ---------------------------------------------------------------------------------------------------------------
// AdamW as torch.optim.AdamW (and sealjvm.gpt2.train.AdamW): p ← p·keep; m, v moments;
// p ← p − stepSize · m / (√v / bc2Sqrt + eps), stepSize = lr / (1 − β1^t), bc2Sqrt = √(1 − β2^t).
extern "C" __global__ void adamw(float* p, const float* g, float* m, float* v, long long n,
                                 float keep, float b1, float b2, float eps, float stepSize, float bc2Sqrt) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float gi = g[i];
        float mi = b1 * m[i] + (1.0f - b1) * gi;
        float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * keep - stepSize * mi / (sqrtf(vi) / bc2Sqrt + eps);
    }
}
