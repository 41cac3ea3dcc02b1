package sealjvm.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import sealjvm.bindings.Cublas;
import sealjvm.bindings.Cuda;
import sealjvm.bindings.cublas_api_h;
import sealjvm.bindings.cuda_h;
import sealjvm.tensor.Precision;

/**
 * The device versions of {@code Kernels}, {@code Matmul} and {@code LowRank}: same names, same row-major
 * shapes, {@link DeviceTensor}s instead of {@code Tensor}s. GEMMs go to cuBLAS (column-major: a row-major
 * C = A·B is computed as Cᵀ = Bᵀ·Aᵀ, which is the same memory), everything else to {@code kernels.cu}.
 * Every call is queued on the device's stream and returns at once.
 */
public final class CudaOps {
    private static final int THREADS = 256;
    private final CudaDevice dev;
    private final KernelModule k;
    private final int maxBlocks;

    CudaOps(CudaDevice dev) {
        this.dev = dev;
        this.k = dev.kernels();
        this.maxBlocks = Math.max(1, dev.multiprocessors) * 16;
    }

    private int blocks(long n) { return (int) Math.max(1, Math.min(maxBlocks, (n + THREADS - 1) / THREADS)); }

    private void launch(String kernel, int gx, int gy, int bx, Object... args) {
        dev.makeCurrent();
        k.launch(dev.stream(), kernel, gx, gy, bx, args);
    }

    // ---- GEMM ------------------------------------------------------------------------------------------------

    /**
     * Row-major C (M,N) = alpha · op(A) · op(B) + beta · C, op(A) (M,K), op(B) (K,N). A is stored (M,K), or (K,M)
     * when {@code transA}; B is stored (K,N), or (N,K) when {@code transB}. Pointers are CUdeviceptrs.
     */
    public void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha, long a, long b, float beta, long c) {
        gemmBatched(transA, transB, M, N, K, alpha, a, 0, b, 0, beta, c, 0, 1);
    }

    /** {@link #gemm} over {@code batch} matrices at the given element strides. */
    public void gemmBatched(boolean transA, boolean transB, int M, int N, int K, float alpha, long a, long strideA,
                            long b, long strideB, float beta, long c, long strideC, int batch) {
        if (M == 0 || N == 0 || batch == 0) return;
        dev.makeCurrent();
        int opN = cublas_api_h.CUBLAS_OP_N(), opT = cublas_api_h.CUBLAS_OP_T(), f32 = cublas_api_h.CUDA_R_32F();
        // Column-major: Cᵀ (N,M) = op(B)ᵀ · op(A)ᵀ. Row-major B (K,N) is column-major Bᵀ (N×K, ld N): no transpose.
        int opB = transB ? opT : opN, ldb = transB ? K : N;
        int opA = transA ? opT : opN, lda = transA ? M : K;
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment al = ar.allocateFrom(ValueLayout.JAVA_FLOAT, alpha), be = ar.allocateFrom(ValueLayout.JAVA_FLOAT, beta);
            MemorySegment pa = MemorySegment.ofAddress(a), pb = MemorySegment.ofAddress(b), pc = MemorySegment.ofAddress(c);
            int ct = computeType(dev.precision()), algo = cublas_api_h.CUBLAS_GEMM_DEFAULT();
            if (batch == 1) {
                Cublas.check(cublas_api_h.cublasGemmEx(dev.cublas(), opB, opA, N, M, K, al, pb, f32, ldb, pa, f32, lda,
                        be, pc, f32, N, ct, algo), "cublasGemmEx(" + M + "x" + K + "x" + N + ")");
            } else {
                Cublas.check(cublas_api_h.cublasGemmStridedBatchedEx(dev.cublas(), opB, opA, N, M, K, al, pb, f32, ldb, strideB,
                        pa, f32, lda, strideA, be, pc, f32, N, strideC, batch, ct, algo),
                        "cublasGemmStridedBatchedEx(" + batch + " x " + M + "x" + K + "x" + N + ")");
            }
        }
    }

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public void matmul(DeviceTensor out, DeviceTensor inp, DeviceTensor w, DeviceTensor bias) {
        int[] mkn = check(out, inp, w, false);
        if (bias != null) launch("broadcast_rows", blocks(out.size()), 1, THREADS, out, bias, mkn[0], mkn[2]);
        gemm(false, false, mkn[0], mkn[2], mkn[1], 1f, inp.ptr(), w.ptr(), bias != null ? 1f : 0f, out.ptr());
    }

    /** out (M,N) = gelu(inp · w + bias). */
    public void matmulGelu(DeviceTensor out, DeviceTensor inp, DeviceTensor w, DeviceTensor bias) {
        matmul(out, inp, w, bias);
        gelu(out);
    }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N): the residual add rides on the GEMM's beta = 1. */
    public void matmulResidual(DeviceTensor out, DeviceTensor inp, DeviceTensor w, DeviceTensor bias) {
        int[] mkn = check(out, inp, w, false);
        if (bias != null) launch("add_bias", blocks(out.size()), 1, THREADS, out, bias, mkn[0], mkn[2]);
        gemm(false, false, mkn[0], mkn[2], mkn[1], 1f, inp.ptr(), w.ptr(), 1f, out.ptr());
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ (+ bias): the tied LM head with {@code wte} (V,C). */
    public void matmulTransposed(DeviceTensor out, DeviceTensor inp, DeviceTensor w, DeviceTensor bias) {
        int[] mkn = check(out, inp, w, true);
        if (bias != null) launch("broadcast_rows", blocks(out.size()), 1, THREADS, out, bias, mkn[0], mkn[2]);
        gemm(false, true, mkn[0], mkn[2], mkn[1], 1f, inp.ptr(), w.ptr(), bias != null ? 1f : 0f, out.ptr());
    }

    // Shapes as (M,K,N); out and inp may have any leading dims (rows = size / last dim).
    private static int[] check(DeviceTensor out, DeviceTensor inp, DeviceTensor w, boolean transposed) {
        int K = inp.dim(-1), N = out.dim(-1);
        long M = inp.size() / K;
        int wk = transposed ? w.dim(1) : w.dim(0), wn = transposed ? w.dim(0) : w.dim(1);
        if (w.rank() != 2 || wk != K || wn != N || out.size() / N != M) {
            throw new IllegalArgumentException("matmul" + (transposed ? "Transposed" : "") + " shapes: out " + out + " inp " + inp + " w " + w);
        }
        return new int[] {Math.toIntExact(M), K, N};
    }

    // ---- elementwise and normalisation -----------------------------------------------------------------------

    /** out (N,C) = layernorm(inp) · weight + bias; out may be inp. */
    public void layernorm(DeviceTensor out, DeviceTensor inp, DeviceTensor weight, DeviceTensor bias, float eps) {
        int C = inp.dim(-1);
        int N = Math.toIntExact(inp.size() / C);
        if (out.size() != inp.size() || weight.size() != C || bias.size() != C) {
            throw new IllegalArgumentException("layernorm shapes: out " + out + " inp " + inp + " weight " + weight + " bias " + bias);
        }
        int rowsPerBlock = 4;   // one warp per row
        launch("layernorm_forward", (N + rowsPerBlock - 1) / rowsPerBlock, 1, 32 * rowsPerBlock, out, inp, weight, bias, N, C, eps);
    }

    public void gelu(DeviceTensor t) { launch("gelu_inplace", blocks(t.size()), 1, THREADS, t, t.size()); }

    public void add(DeviceTensor out, DeviceTensor a, DeviceTensor b) {
        if (a.size() != out.size() || b.size() != out.size()) throw new IllegalArgumentException("add shapes: " + out + " " + a + " " + b);
        launch("add", blocks(out.size()), 1, THREADS, out, a, b, out.size());
    }

    public void scale(DeviceTensor t, float s) { launch("scale_inplace", blocks(t.size()), 1, THREADS, t, s, t.size()); }

    /** out (B·T, C) = wte[ids] + wpe[pos0 + t]; ids is a device buffer of B·T int32. */
    public void embedding(DeviceTensor out, DeviceTensor ids, int B, int T, DeviceTensor wte, DeviceTensor wpe, int pos0) {
        int C = wte.dim(1);
        if (out.size() != (long) B * T * C) throw new IllegalArgumentException("embedding output " + out + " is not (" + B + "," + T + "," + C + ")");
        launch("embedding_forward", blocks(out.size()), 1, THREADS, out, ids, wte, wpe, B * T, T, C, pos0);
    }

    // ---- attention -------------------------------------------------------------------------------------------

    /** Queries per step of {@link #attention}: scores never cover keys that no query of the step can see. */
    public static final int QUERY_CHUNK = 128;

    /** Scratch floats {@link #attention} needs for the scores of B·H heads, T new tokens at positions pos0... */
    public static long attentionScratch(int B, int H, int T, int pos0) {
        return (long) B * H * Math.min(T, QUERY_CHUNK) * (pos0 + T);
    }

    /**
     * Causal self-attention of T new tokens per sequence at positions pos0.. over the cache.
     * qkv (B,T,3C) -> out (B,T,C); k, v of the new tokens are written into kCache, vCache (B,H,cap,hd).
     * Scratch: q and o (B·T·C each) and scores ({@link #attentionScratch}).
     */
    public void attention(DeviceTensor out, DeviceTensor qkv, DeviceTensor kCache, DeviceTensor vCache, int B, int T, int C, int H,
                          int cap, int pos0, DeviceTensor q, DeviceTensor o, DeviceTensor scores) {
        attention(out, qkv, kCache, vCache, B, T, C, H, cap, pos0, q, o, scores, QUERY_CHUNK);
    }

    /**
     * {@link #attention} taking the queries {@code chunk} at a time: the queries q0..q1-1 of a step see keys
     * 0..pos0+q1-1 only, so a prefill of T = 1024 in steps of 128 computes 56% of the full T×T scores (the rest
     * is masked anyway) and its scratch is T/128 times smaller.
     */
    public void attention(DeviceTensor out, DeviceTensor qkv, DeviceTensor kCache, DeviceTensor vCache, int B, int T, int C, int H,
                          int cap, int pos0, DeviceTensor q, DeviceTensor o, DeviceTensor scores, int chunk) {
        int hd = C / H;
        long n = (long) B * T * C;
        if (chunk < 1) throw new IllegalArgumentException("query chunk must be >= 1, got " + chunk);
        if (scores.size() < (long) B * H * Math.min(T, chunk) * (pos0 + T) || q.size() < n || o.size() < n) {
            throw new IllegalArgumentException("attention scratch too small for B=" + B + " T=" + T + " pos0=" + pos0);
        }
        launch("split_qkv", blocks(n), 1, THREADS, q, kCache, vCache, qkv, B, T, C, H, cap, pos0);
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int q0 = 0; q0 < T; q0 += chunk) {
            int tc = Math.min(chunk, T - q0), L = pos0 + q0 + tc;   // keys this step's queries can see
            long qOff = (long) q0 * hd * Float.BYTES;
            // scores (tc,L) = q[q0..] (tc,hd) · k (L,hd)ᵀ for each of the B·H heads
            gemmBatched(false, true, tc, L, hd, 1f, q.ptr() + qOff, (long) T * hd, kCache.ptr(), (long) cap * hd,
                    0f, scores.ptr(), (long) tc * L, B * H);
            int rows = B * H * tc, perBlock = 4;
            launch("softmax_causal", (rows + perBlock - 1) / perBlock, 1, 32 * perBlock, scores, rows, tc, L, pos0 + q0, scale);
            // o[q0..] (tc,hd) = p (tc,L) · v (L,hd)
            gemmBatched(false, false, tc, hd, L, 1f, scores.ptr(), (long) tc * L, vCache.ptr(), (long) cap * hd,
                    0f, o.ptr() + qOff, (long) T * hd, B * H);
        }
        launch("merge_heads", blocks(n), 1, THREADS, out, o, B, T, C, H);
    }

    // ---- scoring ---------------------------------------------------------------------------------------------

    /** Per row of logits (n,V): log p(target) and whether the target is top-1 (int 0/1). */
    public void rowLogProb(DeviceTensor logp, DeviceTensor top1, DeviceTensor logits, DeviceTensor targets, int n) {
        int V = logits.dim(-1);
        if (n > 0) launch("row_logprob", n, 1, THREADS, logp, top1, logits, targets, n, V);
    }

    // ---- edits and optimizer ---------------------------------------------------------------------------------

    /**
     * W (in,out) += s · A (in,r) · B (r,out), snapshotting W first when {@code snapshot} is non-null: the same
     * fma order as the CPU's {@code LowRank.applyWithSnapshot}, so both give the same bits.
     */
    public void lowRankApply(DeviceTensor w, DeviceTensor a, DeviceTensor b, float s, DeviceTensor snapshot) {
        int in = w.dim(0), out = w.dim(1), r = a.dim(1);
        if (a.dim(0) != in || b.dim(0) != r || b.dim(1) != out || (snapshot != null && snapshot.size() != w.size())) {
            throw new IllegalArgumentException("low-rank update shapes: W " + w + " A " + a + " B " + b + " snapshot " + snapshot);
        }
        if (in > 65535) throw new IllegalArgumentException("low-rank update: " + in + " rows exceed the grid's 65535");
        launch("lowrank_apply", (out + THREADS - 1) / THREADS, in, THREADS, w, snapshot, a, b, s, in, out, r);
    }

    /** dst = src, byte for byte (device to device). */
    public void copy(DeviceTensor dst, DeviceTensor src) {
        if (dst.size() != src.size()) throw new IllegalArgumentException("copy of " + src + " into " + dst);
        dev.makeCurrent();
        Cuda.check(cuda_h.cuMemcpyDtoD_v2(dst.ptr(), src.ptr(), dst.byteSize()), "cuMemcpyDtoD_v2");
    }

    /** One AdamW step over n elements (torch.optim.AdamW's formula, see kernels.cu). */
    public void adamw(DeviceTensor p, DeviceTensor g, DeviceTensor m, DeviceTensor v, float keep, float beta1, float beta2,
                      float eps, float stepSize, float bc2Sqrt) {
        long n = p.size();
        if (g.size() != n || m.size() != n || v.size() != n) throw new IllegalArgumentException("adamw sizes differ");
        launch("adamw", blocks(n), 1, THREADS, p, g, m, v, n, keep, beta1, beta2, eps, stepSize, bc2Sqrt);
    }

    /** The cublasComputeType_t of a GEMM precision. */
    static int computeType(Precision p) {
        return switch (p) {
            case FP32 -> cublas_api_h.CUBLAS_COMPUTE_32F();
            case TF32 -> cublas_api_h.CUBLAS_COMPUTE_32F_FAST_TF32();
            case BF16 -> cublas_api_h.CUBLAS_COMPUTE_32F_FAST_16BF();
        };
    }
}
