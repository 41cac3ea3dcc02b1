package sealjvm.tensor;

import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
    public static void matmul(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        int K = w.dim(0), N = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        int NB = 2 * L;
        int tiles = N / NB;
        // Each task owns a strip of NB columns: the strip of W (K x NB) stays in cache across all rows.
        Parallel.forChunks(tiles, 1, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int j = t * NB;
                int i = 0;
                for (; i + 4 <= M; i += 4) tile4x2(o, a, ws, bs, i, j, K, N);
                for (; i < M; i++) tile1x2(o, a, ws, bs, i, j, K, N);
            }
        });
        int jTail = tiles * NB;
        if (jTail < N) {
            Parallel.forChunks(M, 16, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    for (int j = jTail; j < N; j++) {
                        float s = bs == null ? 0f : bs.getAtIndex(F32, j);
                        for (int k = 0; k < K; k++) s += a.getAtIndex(F32, (long) i * K + k) * ws.getAtIndex(F32, (long) k * N + j);
                        o.setAtIndex(F32, (long) i * N + j, s);
                    }
                }
            });
        }
    }

    private static void tile4x2(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int j, int K, int N) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
        if (b == null) {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(S);
        } else {
            c00 = c10 = c20 = c30 = FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
            c01 = c11 = c21 = c31 = FloatVector.fromMemorySegment(S, b, (long) (j + L) * 4, LE);
        }
        long a0 = (long) i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        for (int k = 0; k < K; k++) {
            long wo = ((long) k * N + j) * 4;
            FloatVector w0 = FloatVector.fromMemorySegment(S, w, wo, LE);
            FloatVector w1 = FloatVector.fromMemorySegment(S, w, wo + 4L * L, LE);
            FloatVector x0 = FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k));
            FloatVector x1 = FloatVector.broadcast(S, a.getAtIndex(F32, a1 + k));
            FloatVector x2 = FloatVector.broadcast(S, a.getAtIndex(F32, a2 + k));
            FloatVector x3 = FloatVector.broadcast(S, a.getAtIndex(F32, a3 + k));
            c00 = w0.fma(x0, c00); c01 = w1.fma(x0, c01);
            c10 = w0.fma(x1, c10); c11 = w1.fma(x1, c11);
            c20 = w0.fma(x2, c20); c21 = w1.fma(x2, c21);
            c30 = w0.fma(x3, c30); c31 = w1.fma(x3, c31);
        }
        long r = ((long) i * N + j) * 4, rowBytes = 4L * N, v = 4L * L;
        c00.intoMemorySegment(o, r, LE); c01.intoMemorySegment(o, r + v, LE);
        c10.intoMemorySegment(o, r + rowBytes, LE); c11.intoMemorySegment(o, r + rowBytes + v, LE);
        c20.intoMemorySegment(o, r + 2 * rowBytes, LE); c21.intoMemorySegment(o, r + 2 * rowBytes + v, LE);
        c30.intoMemorySegment(o, r + 3 * rowBytes, LE); c31.intoMemorySegment(o, r + 3 * rowBytes + v, LE);
    }

    private static void tile1x2(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int j, int K, int N) {
        FloatVector c0 = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
        FloatVector c1 = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) (j + L) * 4, LE);
        long a0 = (long) i * K;
        for (int k = 0; k < K; k++) {
            long wo = ((long) k * N + j) * 4;
            FloatVector x = FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k));
            c0 = FloatVector.fromMemorySegment(S, w, wo, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, w, wo + 4L * L, LE).fma(x, c1);
        }
        long r = ((long) i * N + j) * 4;
        c0.intoMemorySegment(o, r, LE);
        c1.intoMemorySegment(o, r + 4L * L, LE);
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null. */
    public static void matmulTransposed(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        int N = w.dim(0), K = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        int blocks = (N + 3) / 4;
        // Each task owns blocks of 4 rows of W (4 x K stays in L1) and runs them against every input row.
        Parallel.forChunks(blocks, 8, (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int n = blk * 4;
                if (n + 4 <= N) {
                    int i = 0;
                    for (; i + 2 <= M; i += 2) dots2x4(o, a, ws, bs, i, n, K, N);
                    for (; i < M; i++) dots1x4(o, a, ws, bs, i, n, K, N);
                } else {
                    for (int i = 0; i < M; i++) for (int nn = n; nn < N; nn++) {
                        float s = dot(a, (long) i * K, ws, (long) nn * K, K);
                        o.setAtIndex(F32, (long) i * N + nn, bs == null ? s : s + bs.getAtIndex(F32, nn));
                    }
                }
            }
        });
    }

    private static void dots2x4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        long x0 = (long) i * K * 4, x1 = x0 + 4L * K;
        long w0 = (long) n * K * 4, w1 = w0 + 4L * K, w2 = w1 + 4L * K, w3 = w2 + 4L * K;
        int kv = K - K % L;
        for (long k = 0; k < 4L * kv; k += 4L * L) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            FloatVector a1 = FloatVector.fromMemorySegment(S, a, x1 + k, LE);
            FloatVector v0 = FloatVector.fromMemorySegment(S, w, w0 + k, LE);
            FloatVector v1 = FloatVector.fromMemorySegment(S, w, w1 + k, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, w, w2 + k, LE);
            FloatVector v3 = FloatVector.fromMemorySegment(S, w, w3 + k, LE);
            c00 = a0.fma(v0, c00); c01 = a0.fma(v1, c01); c02 = a0.fma(v2, c02); c03 = a0.fma(v3, c03);
            c10 = a1.fma(v0, c10); c11 = a1.fma(v1, c11); c12 = a1.fma(v2, c12); c13 = a1.fma(v3, c13);
        }
        float[] s = {VectorMath.sum(c00), VectorMath.sum(c01),
                VectorMath.sum(c02), VectorMath.sum(c03),
                VectorMath.sum(c10), VectorMath.sum(c11),
                VectorMath.sum(c12), VectorMath.sum(c13)};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 4; c++) {
                float v = s[r * 4 + c];
                for (int k = kv; k < K; k++) v += a.getAtIndex(F32, (long) (i + r) * K + k) * w.getAtIndex(F32, (long) (n + c) * K + k);
                if (b != null) v += b.getAtIndex(F32, n + c);
                o.setAtIndex(F32, (long) (i + r) * N + n + c, v);
            }
        }
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
        float[] s = {VectorMath.sum(c0), VectorMath.sum(c1),
                VectorMath.sum(c2), VectorMath.sum(c3)};
        for (int c = 0; c < 4; c++) {
            float v = s[c];
            for (int k = kv; k < K; k++) v += a.getAtIndex(F32, (long) i * K + k) * w.getAtIndex(F32, (long) (n + c) * K + k);
            if (b != null) v += b.getAtIndex(F32, n + c);
            o.setAtIndex(F32, (long) i * N + n + c, v);
        }
    }

    /** Dot product of two float runs of length K starting at element offsets x and y. */
    static float dot(MemorySegment a, long x, MemorySegment b, long y, int K) {
        FloatVector acc = FloatVector.zero(S);
        int kv = K - K % L;
        for (int k = 0; k < kv; k += L) {
            acc = FloatVector.fromMemorySegment(S, a, (x + k) * 4, LE).fma(FloatVector.fromMemorySegment(S, b, (y + k) * 4, LE), acc);
        }
        float s = VectorMath.sum(acc);
        for (int k = kv; k < K; k++) s += a.getAtIndex(F32, x + k) * b.getAtIndex(F32, y + k);
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
