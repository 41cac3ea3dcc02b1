package sealjvm.tensor;

import static sealjvm.tensor.Matmul.GELU;
import static sealjvm.tensor.Matmul.GEMM_MIN_ROWS;
import static sealjvm.tensor.Matmul.KC;
import static sealjvm.tensor.Matmul.L;
import static sealjvm.tensor.Matmul.LANES;
import static sealjvm.tensor.Matmul.LE;
import static sealjvm.tensor.Matmul.NONE;
import static sealjvm.tensor.Matmul.NR;
import static sealjvm.tensor.Matmul.NV;
import static sealjvm.tensor.Matmul.RESIDUAL;
import static sealjvm.tensor.Matmul.ROW;
import static sealjvm.tensor.Matmul.S;
import static sealjvm.tensor.Matmul.TB;
import static sealjvm.tensor.Matmul.TROWS;
import static sealjvm.tensor.Matmul.laneSum;
import static sealjvm.tensor.Q8Matrix.BLOCK;
import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Matmul}'s products with the weight in Q8_0 ({@link Q8Matrix}): each vector of int8 is loaded, converted to
 * float32 lanes and multiplied by its block's scale in registers, then enters the same fma chain as a float32 weight.
 *
 * <p>As {@link HalfMatmul}, every path mirrors its float32 twin operation for operation (same fma chains in the same
 * k order, same lane partials and fixed lane sum, work split over output columns only), so the result is
 * bit-identical to {@link Matmul} on the dequantized weights ({@link Q8Matrix#widenInto}) and the same for any
 * thread count. (llama.cpp instead sums q·x per block and scales the block sum, which needs quantized activations
 * or another summation order; dequantizing each weight keeps the float32 kernels' order and costs one multiply.)
 */
public final class Q8Matmul {
    private Q8Matmul() {}

    /** Bytes, as many lanes as a float vector: a quarter of its bit width. */
    private static final VectorSpecies<Byte> Q = VectorSpecies.of(byte.class, VectorShape.forBitSize(S.vectorBitSize() / 4));

    static {
        // A vector of k must never straddle two blocks of the transposed layout.
        if (BLOCK % L != 0) throw new ExceptionInInitializerError("Q8_0 block " + BLOCK + " is not a multiple of " + L + " float lanes");
    }

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public static void matmul(Tensor out, Tensor inp, Q8Matrix w, Tensor bias) { gemm(out, inp, w, bias, NONE); }

    /** out (M,N) = gelu(inp (M,K) · w (K,N) + bias (N)), as {@link Matmul#matmulGelu}. */
    public static void matmulGelu(Tensor out, Tensor inp, Q8Matrix w, Tensor bias) { gemm(out, inp, w, bias, GELU); }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N); out must not alias inp. */
    public static void matmulResidual(Tensor out, Tensor inp, Q8Matrix w, Tensor bias) {
        if (out.segment().asOverlappingSlice(inp.segment()).isPresent()) throw new IllegalArgumentException("residual out aliases inp");
        gemm(out, inp, w, bias, RESIDUAL);
    }

    /**
     * dst[d .. d+n) = row k of a DOWN_COLUMNS (K,N) matrix at columns j.., dequantized; n a multiple of L.
     * Each column has its own scale, so the scales are a vector load as well. No vector crosses this method's
     * boundary (see {@link HalfMatmul#widen}).
     */
    static void dequantRow(MemorySegment q, MemorySegment sc, int k, int j, int N, float[] dst, int d, int n) {
        long qo = (long) k * N + j, so = ((long) (k / BLOCK) * N + j) * 4;
        for (int v = 0; v < n; v += L) {
            ((FloatVector) ByteVector.fromMemorySegment(Q, q, qo + v, LE).convertShape(VectorOperators.B2F, S, 0))
                    .mul(FloatVector.fromMemorySegment(S, sc, so + 4L * v, LE)).intoArray(dst, d + v);
        }
    }

    /** dst[d .. d+n) = row r of an ALONG_ROWS (N,K) matrix at k0.., dequantized; k0 and n multiples of L. */
    static void dequantAlong(MemorySegment q, MemorySegment sc, int r, int k0, int K, float[] dst, int d, int n) {
        long qo = (long) r * K + k0, s0 = (long) r * ((K + BLOCK - 1) / BLOCK);
        for (int v = 0; v < n; v += L) {
            float s = sc.getAtIndex(F32, s0 + (k0 + v) / BLOCK);
            ((FloatVector) ByteVector.fromMemorySegment(Q, q, qo + v, LE).convertShape(VectorOperators.B2F, S, 0)).mul(s).intoArray(dst, d + v);
        }
    }

    private static void gemm(Tensor out, Tensor inp, Q8Matrix w, Tensor bias, int epi) {
        if (w.blocks() != Q8Matrix.Blocks.DOWN_COLUMNS) throw new IllegalArgumentException("matmul needs a (K,N) Q8Matrix blocked DOWN_COLUMNS, got " + w);
        int K = w.dim(0), N = w.dim(1);
        int M = Matmul.rows(inp, K, "inp");
        Matmul.checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), q = w.quants(), sc = w.scales(), bs = bias == null ? null : bias.segment();
        if (M < GEMM_MIN_ROWS) {
            int strips = N / NV;
            float[] ah = Matmul.heapRows(a, M, K);
            Parallel.forChunks(strips, 1, (s0, s1) -> {
                for (int s = s0; s < s1; s++) for (int i = 0; i < M; i++) rowStrip8(o, ah, q, sc, bs, i, s * NV, K, N, epi);
            });
            narrowColumns(o, a, w, bs, M, K, N, strips * NV, epi);
            return;
        }
        int strips = N / NR;
        // Prefill: dequantize the weight panel while packing it; the register tiles then run on floats as in Matmul.
        Matmul.prefillStrips(o, a, bs, M, K, N, strips, epi, (pack, d0, j, k0, kc) -> {
            for (int kk = 0; kk < kc; kk++) dequantRow(q, sc, k0 + kk, j, N, pack, d0 + kk * NR, NR);
        });
        narrowColumns(o, a, w, bs, M, K, N, strips * NR, epi);
    }

    // Decode path: one row against an 8-vector strip of w (K,N) streamed row by row; per block of 32 rows the
    // strip's 8 scale vectors stay in registers, and each int8 vector becomes q·d just before its fma.
    private static void rowStrip8(MemorySegment o, float[] ah, MemorySegment q, MemorySegment sc, MemorySegment b, int i, int j, int K,
                                  int N, int epi) {
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
        int x0 = i * K;
        for (int k0 = 0; k0 < K; k0 += BLOCK) {
            long so = ((long) (k0 / BLOCK) * N + j) * 4, v4 = 4L * L;
            FloatVector d0 = FloatVector.fromMemorySegment(S, sc, so, LE), d1 = FloatVector.fromMemorySegment(S, sc, so + v4, LE);
            FloatVector d2 = FloatVector.fromMemorySegment(S, sc, so + 2 * v4, LE), d3 = FloatVector.fromMemorySegment(S, sc, so + 3 * v4, LE);
            FloatVector d4 = FloatVector.fromMemorySegment(S, sc, so + 4 * v4, LE), d5 = FloatVector.fromMemorySegment(S, sc, so + 5 * v4, LE);
            FloatVector d6 = FloatVector.fromMemorySegment(S, sc, so + 6 * v4, LE), d7 = FloatVector.fromMemorySegment(S, sc, so + 7 * v4, LE);
            int k1 = Math.min(K, k0 + BLOCK);
            for (int k = k0, step = Matmul.STREAM_STEP; k < k1; k += step) {
                FloatVector x = FloatVector.broadcast(S, ah[x0 + k]);
                long wo = (long) k * N + j;
                c0 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d0).fma(x, c0);
                c1 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d1).fma(x, c1);
                c2 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 2 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d2).fma(x, c2);
                c3 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 3 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d3).fma(x, c3);
                c4 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 4 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d4).fma(x, c4);
                c5 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 5 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d5).fma(x, c5);
                c6 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 6 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d6).fma(x, c6);
                c7 = ((FloatVector) ByteVector.fromMemorySegment(Q, q, wo + 7 * L, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d7).fma(x, c7);
            }
        }
        float[] c = ROW.get();
        c0.intoArray(c, 0); c1.intoArray(c, L); c2.intoArray(c, 2 * L); c3.intoArray(c, 3 * L);
        c4.intoArray(c, 4 * L); c5.intoArray(c, 5 * L); c6.intoArray(c, 6 * L); c7.intoArray(c, 7 * L);
        Matmul.storeRow(o, c, NV, (long) i * N + j, epi);
    }

    /** Dequantized weights per step of the narrow and transposed kernels, per thread: 8 rows of {@link #KB}. */
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[8 * Math.max(NV, 256)]);
    /** k-depth dequantized at a time by the single-row transposed kernel (a multiple of {@link Q8Matrix#BLOCK}). */
    private static final int KB = 256;

    // Columns j0..N-1 (fewer than a tile): one vector at a time, then scalar fma chains; split over rows.
    private static void narrowColumns(MemorySegment o, MemorySegment a, Q8Matrix w, MemorySegment b, int M, int K, int N, int j0, int epi) {
        if (j0 >= N) return;
        MemorySegment q = w.quants(), sc = w.scales();
        Parallel.forChunks(M, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                long a0 = (long) i * K;
                int j = j0;
                float[] d = WIDE.get();
                for (; j + L <= N; j += L) {
                    FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
                    for (int k = 0; k < K; k++) {
                        dequantRow(q, sc, k, j, N, d, 0, L);
                        acc = FloatVector.fromArray(S, d, 0).fma(FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k)), acc);
                    }
                    float[] c = ROW.get();
                    acc.intoArray(c, 0);
                    Matmul.storeRow(o, c, L, (long) i * N + j, epi);
                }
                for (; j < N; j++) {
                    float s = b == null ? 0f : b.getAtIndex(F32, j);
                    for (int k = 0; k < K; k++) s = Math.fma(w.get((long) k * N + j), a.getAtIndex(F32, a0 + k), s);
                    long oi = (long) i * N + j;
                    if (epi == GELU) s = Kernels.geluScalar(s);
                    else if (epi == RESIDUAL) s = o.getAtIndex(F32, oi) + s;
                    o.setAtIndex(F32, oi, s);
                }
            }
        });
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null (the tied LM head). */
    public static void matmulTransposed(Tensor out, Tensor inp, Q8Matrix w, Tensor bias) {
        if (w.blocks() != Q8Matrix.Blocks.ALONG_ROWS) throw new IllegalArgumentException("matmulTransposed needs an (N,K) Q8Matrix blocked ALONG_ROWS, got " + w);
        int N = w.dim(0), K = w.dim(1);
        int M = Matmul.rows(inp, K, "inp");
        Matmul.checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), q = w.quants(), sc = w.scales(), bs = bias == null ? null : bias.segment();
        if (M >= GEMM_MIN_ROWS) {
            int strips = N / NR;
            Matmul.packedStrips(o, a, bs, M, K, N, strips, NONE, (pack, d0, j, k0, kc) -> {
                // Dequantize 16 rows of W at a time into a small buffer, then write them transposed into the panel.
                float[] rows = TROWS.get();
                for (int c0 = 0; c0 < NR; c0 += 16) {
                    for (int c = 0; c < 16; c++) {
                        int kk = kc - kc % L;
                        dequantAlong(q, sc, j + c0 + c, k0, K, rows, c * KC, kk);
                        for (; kk < kc; kk++) rows[c * KC + kk] = w.get((long) (j + c0 + c) * K + k0 + kk);
                    }
                    for (int kk = 0; kk < kc; kk++) {
                        int d = d0 + kk * NR + c0;
                        for (int c = 0; c < 16; c++) pack[d + c] = rows[c * KC + kk];
                    }
                }
            });
            int n0 = strips * NR;
            if (n0 < N) dotsRange(o, a, w, bs, M, K, N, n0);
            return;
        }
        dotsRange(o, a, w, bs, M, K, N, 0);
    }

    // Columns nStart..N-1 of out = inp · wᵀ + b in the dot-product form, as Matmul's: each element is L lane-partial
    // fma chains over k in vector steps, the fixed pairwise lane sum, the scalar k tail in order, then the bias.
    private static void dotsRange(MemorySegment o, MemorySegment a, Q8Matrix w, MemorySegment bs, int M, int K, int N, int nStart) {
        int blocks = (N - nStart + TB - 1) / TB;
        Parallel.forChunks(blocks, 1, (b0, b1) -> {
            float[] t = LANES.get();
            for (int blk = b0; blk < b1; blk++) {
                int nEnd = Math.min(N, nStart + (blk + 1) * TB);
                int n = nStart + blk * TB;
                if (M < 4) { // decode: stream eight rows of w at once (memory-bound)
                    for (; n + 8 <= nEnd; n += 8) for (int i = 0; i < M; i++) dots1x8(o, a, w, bs, i, n, K, N, t);
                }
                for (; n < nEnd; n++) for (int i = 0; i < M; i++) dots1x1(o, a, w, bs, i, n, K, N, t);
            }
        });
    }

    // Rows n..n+7 of w against input row i: per block, the 8 rows' scales broadcast once; per vector step, each
    // row's int8 vector becomes q·d in registers and enters that row's lane-partial fma chain.
    private static void dots1x8(MemorySegment o, MemorySegment a, Q8Matrix w, MemorySegment b, int i, int n, int K, int N, float[] t) {
        MemorySegment q = w.quants(), sc = w.scales();
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        int nb = (K + BLOCK - 1) / BLOCK;
        long x0 = (long) i * K * 4, w0 = (long) n * K, r = K, s0 = (long) n * nb;
        int kv = K - K % L;
        for (int k0 = 0; k0 < kv; k0 += BLOCK) {
            long sb = s0 + k0 / BLOCK;
            float d0 = sc.getAtIndex(F32, sb), d1 = sc.getAtIndex(F32, sb + nb), d2 = sc.getAtIndex(F32, sb + 2L * nb), d3 = sc.getAtIndex(F32, sb + 3L * nb);
            float d4 = sc.getAtIndex(F32, sb + 4L * nb), d5 = sc.getAtIndex(F32, sb + 5L * nb), d6 = sc.getAtIndex(F32, sb + 6L * nb), d7 = sc.getAtIndex(F32, sb + 7L * nb);
            int k1 = Math.min(kv, k0 + BLOCK);
            for (int k = k0, step = L * Matmul.STREAM_STEP; k < k1; k += step) {
                FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + 4L * k, LE);
                long p = w0 + k;
                c0 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d0), c0);
                c1 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d1), c1);
                c2 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 2 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d2), c2);
                c3 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 3 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d3), c3);
                c4 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 4 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d4), c4);
                c5 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 5 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d5), c5);
                c6 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 6 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d6), c6);
                c7 = a0.fma(((FloatVector) ByteVector.fromMemorySegment(Q, q, p + 7 * r, LE).convertShape(VectorOperators.B2F, S, 0)).mul(d7), c7);
            }
        }
        c0.intoArray(t, 0); c1.intoArray(t, L); c2.intoArray(t, 2 * L); c3.intoArray(t, 3 * L);
        c4.intoArray(t, 4 * L); c5.intoArray(t, 5 * L); c6.intoArray(t, 6 * L); c7.intoArray(t, 7 * L);
        for (int c = 0; c < 8; c++) finish1(o, a, w, b, i, n + c, K, N, kv, laneSum(t, c * L));
    }

    private static void dots1x1(MemorySegment o, MemorySegment a, Q8Matrix w, MemorySegment b, int i, int n, int K, int N, float[] t) {
        MemorySegment q = w.quants(), sc = w.scales();
        FloatVector c0 = FloatVector.zero(S);
        long x0 = (long) i * K * 4;
        int kv = K - K % L;
        float[] d = WIDE.get();
        for (int k0 = 0; k0 < kv; k0 += KB) {
            int kb = Math.min(KB, kv - k0);
            dequantAlong(q, sc, n, k0, K, d, 0, kb);
            for (int kk = 0; kk < kb; kk += L) c0 = FloatVector.fromMemorySegment(S, a, x0 + 4L * (k0 + kk), LE).fma(FloatVector.fromArray(S, d, kk), c0);
        }
        c0.intoArray(t, 0);
        finish1(o, a, w, b, i, n, K, N, kv, laneSum(t, 0));
    }

    // Row i, column n: the scalar k tail in order, then the bias.
    private static void finish1(MemorySegment o, MemorySegment a, Q8Matrix w, MemorySegment b, int i, int n, int K, int N, int kv, float s) {
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, (long) i * K + k), w.get((long) n * K + k), s);
        if (b != null) s += b.getAtIndex(F32, n);
        o.setAtIndex(F32, (long) i * N + n, s);
    }
}
