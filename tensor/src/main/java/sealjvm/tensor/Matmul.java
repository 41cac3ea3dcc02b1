package sealjvm.tensor;

import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix products GPT-2 needs, register-tiled on the Vector API and split over the pool.
 * <ul>
 *   <li>{@link #matmul}: {@code out = inp · W + b}, W stored [in, out] (Hugging Face Conv1D).</li>
 *   <li>{@link #matmulTransposed}: {@code out = inp · Wᵀ + b}, W stored [out, in] (the tied LM head, wte).</li>
 * </ul>
 * Inputs with more than two dimensions are treated as (rows, last dim).
 */
public final class Matmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Matmul() {}

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public static void matmul(Tensor out, Tensor inp, Tensor w, Tensor bias) { gemm(out, inp, w, bias, NONE); }

    /** out (M,N) = gelu(inp (M,K) · w (K,N) + bias (N)), GPT-2's tanh GELU fused into the store (as {@link Kernels#gelu}). */
    public static void matmulGelu(Tensor out, Tensor inp, Tensor w, Tensor bias) { gemm(out, inp, w, bias, GELU); }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N): the residual add fused into the store; out must not alias inp. */
    public static void matmulResidual(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        if (out.segment().asOverlappingSlice(inp.segment()).isPresent()) throw new IllegalArgumentException("residual out aliases inp");
        gemm(out, inp, w, bias, RESIDUAL);
    }

    static final int NONE = 0, GELU = 1, RESIDUAL = 2;
    /** Columns per micro-tile (four vectors), k-depth of one packed panel, rows per micro-tile. */
    static final int NR = 4 * L, KC = 256, MR = 4;
    /** Columns per task of the few-row (decode) path: eight vectors. */
    static final int NV = 8 * L;
    /** Below this many rows the weight is streamed straight from memory (a matrix-vector product), not packed. */
    static final int GEMM_MIN_ROWS = 4;

    private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[KC * NR]);
    private static final ThreadLocal<float[][]> CBUF = ThreadLocal.withInitial(() -> new float[1][0]);

    /*
     * Every output element is one fused-multiply-add chain, acc = bias; acc = fma(a[i,k], w[k,j], acc) for
     * k = 0..K-1 in order, then the epilogue. All paths below (packed tiles, row tails, the decode path, vector
     * and scalar column tails) compute exactly that, and work is split over columns only, so the result is
     * bit-identical whatever the thread count or the tile an element lands in.
     */
    private static void gemm(Tensor out, Tensor inp, Tensor w, Tensor bias, int epi) {
        int K = w.dim(0), N = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        if (M < GEMM_MIN_ROWS) {
            int strips = N / NV;
            Parallel.forChunks(strips, 1, (s0, s1) -> {
                for (int s = s0; s < s1; s++) for (int i = 0; i < M; i++) rowStrip8(o, a, ws, bs, i, s * NV, K, N, epi);
            });
            narrowColumns(o, a, ws, bs, M, K, N, strips * NV, epi);
            return;
        }
        int strips = N / NR;
        Parallel.forChunks(strips, 1, (s0, s1) -> {
            float[] pack = PACK.get();
            float[][] cb = CBUF.get();
            if (cb[0].length < M * NR) cb[0] = new float[M * NR];
            float[] c = cb[0];
            for (int s = s0; s < s1; s++) {
                int j = s * NR;
                for (int k0 = 0; k0 < K; k0 += KC) {
                    int kc = Math.min(KC, K - k0);
                    for (int kk = 0; kk < kc; kk++) {
                        long src = ((long) (k0 + kk) * N + j) * 4;
                        int dst = kk * NR;
                        FloatVector.fromMemorySegment(S, ws, src, LE).intoArray(pack, dst);
                        FloatVector.fromMemorySegment(S, ws, src + 4L * L, LE).intoArray(pack, dst + L);
                        FloatVector.fromMemorySegment(S, ws, src + 8L * L, LE).intoArray(pack, dst + 2 * L);
                        FloatVector.fromMemorySegment(S, ws, src + 12L * L, LE).intoArray(pack, dst + 3 * L);
                    }
                    boolean first = k0 == 0, last = k0 + kc == K;
                    int i = 0;
                    for (; i + MR <= M; i += MR) tile4(o, a, pack, c, bs, i, j, k0, kc, K, N, first, last, epi);
                    for (; i < M; i++) tile1(o, a, pack, c, bs, i, j, k0, kc, K, N, first, last, epi);
                }
            }
        });
        narrowColumns(o, a, ws, bs, M, K, N, strips * NR, epi);
    }

    private static FloatVector init(MemorySegment b, float[] c, int ci, int j, boolean first) {
        if (!first) return FloatVector.fromArray(S, c, ci);
        return b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
    }

    private static void put(FloatVector v, MemorySegment o, float[] c, int ci, long oi, boolean last, int epi) {
        if (!last) { v.intoArray(c, ci); return; }
        long off = oi * 4;
        switch (epi) {
            case GELU -> v = Kernels.gelu(v);
            case RESIDUAL -> v = FloatVector.fromMemorySegment(S, o, off, LE).add(v);
            default -> { }
        }
        v.intoMemorySegment(o, off, LE);
    }

    // rows i..i+3, columns j..j+NR-1, k-panel k0..k0+kc-1 (packed [kc][NR]); partial sums live in c between panels.
    private static void tile4(MemorySegment o, MemorySegment a, float[] p, float[] c, MemorySegment b, int i, int j, int k0, int kc,
                              int K, int N, boolean first, boolean last, int epi) {
        int r0 = i * NR, r1 = r0 + NR, r2 = r1 + NR, r3 = r2 + NR;
        FloatVector c00 = init(b, c, r0, j, first), c01 = init(b, c, r0 + L, j + L, first),
                c02 = init(b, c, r0 + 2 * L, j + 2 * L, first), c03 = init(b, c, r0 + 3 * L, j + 3 * L, first);
        FloatVector c10 = init(b, c, r1, j, first), c11 = init(b, c, r1 + L, j + L, first),
                c12 = init(b, c, r1 + 2 * L, j + 2 * L, first), c13 = init(b, c, r1 + 3 * L, j + 3 * L, first);
        FloatVector c20 = init(b, c, r2, j, first), c21 = init(b, c, r2 + L, j + L, first),
                c22 = init(b, c, r2 + 2 * L, j + 2 * L, first), c23 = init(b, c, r2 + 3 * L, j + 3 * L, first);
        FloatVector c30 = init(b, c, r3, j, first), c31 = init(b, c, r3 + L, j + L, first),
                c32 = init(b, c, r3 + 2 * L, j + 2 * L, first), c33 = init(b, c, r3 + 3 * L, j + 3 * L, first);
        long a0 = ((long) i * K + k0) * 4, a1 = a0 + 4L * K, a2 = a1 + 4L * K, a3 = a2 + 4L * K;
        for (int kk = 0; kk < kc; kk++) {
            int q = kk * NR;
            FloatVector w0 = FloatVector.fromArray(S, p, q), w1 = FloatVector.fromArray(S, p, q + L),
                    w2 = FloatVector.fromArray(S, p, q + 2 * L), w3 = FloatVector.fromArray(S, p, q + 3 * L);
            long ko = 4L * kk;
            FloatVector x = FloatVector.broadcast(S, a.get(F32, a0 + ko));
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a.get(F32, a1 + ko));
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a.get(F32, a2 + ko));
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a.get(F32, a3 + ko));
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
        }
        long o0 = (long) i * N + j, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
        put(c00, o, c, r0, o0, last, epi); put(c01, o, c, r0 + L, o0 + L, last, epi);
        put(c02, o, c, r0 + 2 * L, o0 + 2 * L, last, epi); put(c03, o, c, r0 + 3 * L, o0 + 3 * L, last, epi);
        put(c10, o, c, r1, o1, last, epi); put(c11, o, c, r1 + L, o1 + L, last, epi);
        put(c12, o, c, r1 + 2 * L, o1 + 2 * L, last, epi); put(c13, o, c, r1 + 3 * L, o1 + 3 * L, last, epi);
        put(c20, o, c, r2, o2, last, epi); put(c21, o, c, r2 + L, o2 + L, last, epi);
        put(c22, o, c, r2 + 2 * L, o2 + 2 * L, last, epi); put(c23, o, c, r2 + 3 * L, o2 + 3 * L, last, epi);
        put(c30, o, c, r3, o3, last, epi); put(c31, o, c, r3 + L, o3 + L, last, epi);
        put(c32, o, c, r3 + 2 * L, o3 + 2 * L, last, epi); put(c33, o, c, r3 + 3 * L, o3 + 3 * L, last, epi);
    }

    private static void tile1(MemorySegment o, MemorySegment a, float[] p, float[] c, MemorySegment b, int i, int j, int k0, int kc,
                              int K, int N, boolean first, boolean last, int epi) {
        int r0 = i * NR;
        FloatVector c0 = init(b, c, r0, j, first), c1 = init(b, c, r0 + L, j + L, first),
                c2 = init(b, c, r0 + 2 * L, j + 2 * L, first), c3 = init(b, c, r0 + 3 * L, j + 3 * L, first);
        long a0 = ((long) i * K + k0) * 4;
        for (int kk = 0; kk < kc; kk++) {
            int q = kk * NR;
            FloatVector x = FloatVector.broadcast(S, a.get(F32, a0 + 4L * kk));
            c0 = FloatVector.fromArray(S, p, q).fma(x, c0);
            c1 = FloatVector.fromArray(S, p, q + L).fma(x, c1);
            c2 = FloatVector.fromArray(S, p, q + 2 * L).fma(x, c2);
            c3 = FloatVector.fromArray(S, p, q + 3 * L).fma(x, c3);
        }
        long o0 = (long) i * N + j;
        put(c0, o, c, r0, o0, last, epi); put(c1, o, c, r0 + L, o0 + L, last, epi);
        put(c2, o, c, r0 + 2 * L, o0 + 2 * L, last, epi); put(c3, o, c, r0 + 3 * L, o0 + 3 * L, last, epi);
    }

    // Decode path: one row against an 8-vector strip of w streamed from memory, row by row of w.
    private static void rowStrip8(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int j, int K, int N, int epi) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (b == null) {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(S);
        } else {
            long bo = (long) j * 4, v = 4L * L;
            c0 = FloatVector.fromMemorySegment(S, b, bo, LE); c1 = FloatVector.fromMemorySegment(S, b, bo + v, LE);
            c2 = FloatVector.fromMemorySegment(S, b, bo + 2 * v, LE); c3 = FloatVector.fromMemorySegment(S, b, bo + 3 * v, LE);
            c4 = FloatVector.fromMemorySegment(S, b, bo + 4 * v, LE); c5 = FloatVector.fromMemorySegment(S, b, bo + 5 * v, LE);
            c6 = FloatVector.fromMemorySegment(S, b, bo + 6 * v, LE); c7 = FloatVector.fromMemorySegment(S, b, bo + 7 * v, LE);
        }
        long a0 = (long) i * K * 4, v = 4L * L;
        for (int k = 0; k < K; k++) {
            FloatVector x = FloatVector.broadcast(S, a.get(F32, a0 + 4L * k));
            long wo = ((long) k * N + j) * 4;
            c0 = FloatVector.fromMemorySegment(S, w, wo, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, w, wo + v, LE).fma(x, c1);
            c2 = FloatVector.fromMemorySegment(S, w, wo + 2 * v, LE).fma(x, c2);
            c3 = FloatVector.fromMemorySegment(S, w, wo + 3 * v, LE).fma(x, c3);
            c4 = FloatVector.fromMemorySegment(S, w, wo + 4 * v, LE).fma(x, c4);
            c5 = FloatVector.fromMemorySegment(S, w, wo + 5 * v, LE).fma(x, c5);
            c6 = FloatVector.fromMemorySegment(S, w, wo + 6 * v, LE).fma(x, c6);
            c7 = FloatVector.fromMemorySegment(S, w, wo + 7 * v, LE).fma(x, c7);
        }
        long oo = (long) i * N + j;
        put(c0, o, null, 0, oo, true, epi); put(c1, o, null, 0, oo + L, true, epi);
        put(c2, o, null, 0, oo + 2 * L, true, epi); put(c3, o, null, 0, oo + 3 * L, true, epi);
        put(c4, o, null, 0, oo + 4 * L, true, epi); put(c5, o, null, 0, oo + 5 * L, true, epi);
        put(c6, o, null, 0, oo + 6 * L, true, epi); put(c7, o, null, 0, oo + 7 * L, true, epi);
    }

    // Columns j0..N-1 (fewer than a tile): one vector at a time, then scalar fma chains; split over rows.
    private static void narrowColumns(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int M, int K, int N, int j0, int epi) {
        if (j0 >= N) return;
        Parallel.forChunks(M, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                long a0 = (long) i * K;
                int j = j0;
                for (; j + L <= N; j += L) {
                    FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
                    for (int k = 0; k < K; k++) {
                        acc = FloatVector.fromMemorySegment(S, w, ((long) k * N + j) * 4, LE)
                                .fma(FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k)), acc);
                    }
                    put(acc, o, null, 0, (long) i * N + j, true, epi);
                }
                for (; j < N; j++) {
                    float s = b == null ? 0f : b.getAtIndex(F32, j);
                    for (int k = 0; k < K; k++) s = Math.fma(w.getAtIndex(F32, (long) k * N + j), a.getAtIndex(F32, a0 + k), s);
                    long oi = (long) i * N + j;
                    if (epi == GELU) s = Kernels.geluScalar(s);
                    else if (epi == RESIDUAL) s = o.getAtIndex(F32, oi) + s;
                    o.setAtIndex(F32, oi, s);
                }
            }
        });
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null. */
    public static void matmulTransposed(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        int N = w.dim(0), K = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        // Every element: L lane-partial fma chains over k in vector steps, a fixed pairwise lane sum (hsum),
        // the scalar k tail in order, then the bias: the same whatever the tile or the thread count.
        // A task owns TB rows of w (TB x K stays in L2) and runs every input row against them, 4x4 at a time.
        int blocks = (N + TB - 1) / TB;
        Parallel.forChunks(blocks, 1, (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int nEnd = Math.min(N, (blk + 1) * TB);
                int n0 = blk * TB;
                if (M < 4) { // decode: stream eight rows of w at once (memory-bound)
                    for (; n0 + 8 <= nEnd; n0 += 8) for (int i = 0; i < M; i++) dots1x8(o, a, ws, bs, i, n0, K, N);
                }
                for (int n = n0; n < nEnd; n += 4) {
                    if (n + 4 <= nEnd) {
                        int i = 0;
                        for (; i + 4 <= M; i += 4) dots4x4(o, a, ws, bs, i, n, K, N);
                        for (; i < M; i++) dots1x4(o, a, ws, bs, i, n, K, N);
                    } else {
                        for (int i = 0; i < M; i++) for (int nn = n; nn < nEnd; nn++) {
                            float s = dot(a, (long) i * K, ws, (long) nn * K, K);
                            o.setAtIndex(F32, (long) i * N + nn, bs == null ? s : s + bs.getAtIndex(F32, nn));
                        }
                    }
                }
            }
        });
    }

    /** Rows of w per task of {@link #matmulTransposed}. */
    static final int TB = 64;

    private static void dots4x4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long x0 = (long) i * K * 4, x1 = x0 + 4L * K, x2 = x1 + 4L * K, x3 = x2 + 4L * K;
        long w0 = (long) n * K * 4, w1 = w0 + 4L * K, w2 = w1 + 4L * K, w3 = w2 + 4L * K;
        int kv = K - K % L;
        for (long k = 0; k < 4L * kv; k += 4L * L) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, w, w0 + k, LE);
            FloatVector v1 = FloatVector.fromMemorySegment(S, w, w1 + k, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, w, w2 + k, LE);
            FloatVector v3 = FloatVector.fromMemorySegment(S, w, w3 + k, LE);
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            c00 = a0.fma(v0, c00); c01 = a0.fma(v1, c01); c02 = a0.fma(v2, c02); c03 = a0.fma(v3, c03);
            FloatVector a1 = FloatVector.fromMemorySegment(S, a, x1 + k, LE);
            c10 = a1.fma(v0, c10); c11 = a1.fma(v1, c11); c12 = a1.fma(v2, c12); c13 = a1.fma(v3, c13);
            FloatVector a2 = FloatVector.fromMemorySegment(S, a, x2 + k, LE);
            c20 = a2.fma(v0, c20); c21 = a2.fma(v1, c21); c22 = a2.fma(v2, c22); c23 = a2.fma(v3, c23);
            FloatVector a3 = FloatVector.fromMemorySegment(S, a, x3 + k, LE);
            c30 = a3.fma(v0, c30); c31 = a3.fma(v1, c31); c32 = a3.fma(v2, c32); c33 = a3.fma(v3, c33);
        }
        finish4(o, a, w, b, i, n, K, N, kv, hsum(c00), hsum(c01), hsum(c02), hsum(c03));
        finish4(o, a, w, b, i + 1, n, K, N, kv, hsum(c10), hsum(c11), hsum(c12), hsum(c13));
        finish4(o, a, w, b, i + 2, n, K, N, kv, hsum(c20), hsum(c21), hsum(c22), hsum(c23));
        finish4(o, a, w, b, i + 3, n, K, N, kv, hsum(c30), hsum(c31), hsum(c32), hsum(c33));
    }

    private static void dots1x4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        long x0 = (long) i * K * 4;
        long w0 = (long) n * K * 4, w1 = w0 + 4L * K, w2 = w1 + 4L * K, w3 = w2 + 4L * K;
        int kv = K - K % L;
        for (long k = 0; k < 4L * kv; k += 4L * L) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            c0 = a0.fma(FloatVector.fromMemorySegment(S, w, w0 + k, LE), c0);
            c1 = a0.fma(FloatVector.fromMemorySegment(S, w, w1 + k, LE), c1);
            c2 = a0.fma(FloatVector.fromMemorySegment(S, w, w2 + k, LE), c2);
            c3 = a0.fma(FloatVector.fromMemorySegment(S, w, w3 + k, LE), c3);
        }
        finish4(o, a, w, b, i, n, K, N, kv, hsum(c0), hsum(c1), hsum(c2), hsum(c3));
    }

    private static void dots1x8(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        long x0 = (long) i * K * 4, r = 4L * K;
        long w0 = (long) n * K * 4;
        int kv = K - K % L;
        for (long k = 0; k < 4L * kv; k += 4L * L) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            long q = w0 + k;
            c0 = a0.fma(FloatVector.fromMemorySegment(S, w, q, LE), c0);
            c1 = a0.fma(FloatVector.fromMemorySegment(S, w, q + r, LE), c1);
            c2 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 2 * r, LE), c2);
            c3 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 3 * r, LE), c3);
            c4 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 4 * r, LE), c4);
            c5 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 5 * r, LE), c5);
            c6 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 6 * r, LE), c6);
            c7 = a0.fma(FloatVector.fromMemorySegment(S, w, q + 7 * r, LE), c7);
        }
        finish4(o, a, w, b, i, n, K, N, kv, hsum(c0), hsum(c1), hsum(c2), hsum(c3));
        finish4(o, a, w, b, i, n + 4, K, N, kv, hsum(c4), hsum(c5), hsum(c6), hsum(c7));
    }

    // Row i, columns n..n+3: lane sums, scalar k tail, bias.
    private static void finish4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, int kv,
                                float s0, float s1, float s2, float s3) {
        // (vectors are reduced by the caller: a FloatVector passed to a method that is not inlined gets boxed)
        long oi = (long) i * N + n;
        finish1(o, a, w, b, i, n, K, kv, oi, s0);
        finish1(o, a, w, b, i, n + 1, K, kv, oi + 1, s1);
        finish1(o, a, w, b, i, n + 2, K, kv, oi + 2, s2);
        finish1(o, a, w, b, i, n + 3, K, kv, oi + 3, s3);
    }

    private static void finish1(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int kv, long oi, float s) {
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, (long) i * K + k), w.getAtIndex(F32, (long) n * K + k), s);
        if (b != null) s += b.getAtIndex(F32, n);
        o.setAtIndex(F32, oi, s);
    }

    private static final VectorShuffle<Float> H1 = half(1), H2 = half(2), H3 = half(3), H4 = half(4);

    private static VectorShuffle<Float> half(int step) {
        int d = Math.max(1, L >> step);
        return VectorShuffle.fromOp(S, lane -> lane ^ d);
    }

    /**
     * Sum of the lanes in a fixed pairwise order (reduceLanes leaves the order to the JIT, and the
     * interpreter's order may differ from compiled code's: results must not depend on warm-up).
     */
    static float hsum(FloatVector v) {
        if (L == 16) {
            v = v.add(v.rearrange(H1));
            v = v.add(v.rearrange(H2));
            v = v.add(v.rearrange(H3));
            v = v.add(v.rearrange(H4));
            return v.lane(0);
        }
        float[] t = v.toArray();
        for (int w = L / 2; w >= 1; w /= 2) for (int j = 0; j < w; j++) t[j] += t[j + w];
        return t[0];
    }

    /** Dot product of two float runs of length K starting at element offsets x and y. */
    static float dot(MemorySegment a, long x, MemorySegment b, long y, int K) {
        FloatVector acc = FloatVector.zero(S);
        int kv = K - K % L;
        for (int k = 0; k < kv; k += L) {
            acc = FloatVector.fromMemorySegment(S, a, (x + k) * 4, LE).fma(FloatVector.fromMemorySegment(S, b, (y + k) * 4, LE), acc);
        }
        float s = hsum(acc);
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, x + k), b.getAtIndex(F32, y + k), s);
        return s;
    }

    static int rows(Tensor inp, int K, String what) {
        if (inp.dim(-1) != K) {
            throw new IllegalArgumentException(what + " last dimension " + inp.dim(-1) + " does not match the weight's inner dimension " + K);
        }
        return Math.toIntExact(inp.size() / K);
    }

    static void checkOut(Tensor out, int M, int N) {
        if (out.size() != (long) M * N || out.dim(-1) != N) {
            throw new IllegalArgumentException("out " + out + " is not (" + M + "," + N + ")");
        }
    }
}
