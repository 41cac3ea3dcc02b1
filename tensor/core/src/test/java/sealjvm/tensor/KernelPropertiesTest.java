package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Each Vector API kernel against its scalar twin, over random shapes including odd sizes and 1. */
class KernelPropertiesTest {

    static float[] randn(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** |got - want| ≤ tol·(1 + |want|) for every element, with the first offender in the message. */
    static void assertClose(float[] want, Tensor got, double tol, String what) {
        float[] g = got.toArray();
        assertEquals(want.length, g.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(g[i] - want[i]);
            if (!(err <= tol * (1 + Math.abs(want[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + g[i] + ", twin says " + want[i] + " (err " + err + ")");
            }
        }
    }

    /** The vectorized top-1 check against the scalar loop it replaced: ties pass, a NaN or a larger element fails. */
    @Property(tries = 200)
    void noneAboveMatchesTheScalarLoop(@ForAll @IntRange(min = 1, max = 100) int n, @ForAll @IntRange(min = 0, max = 3) int special,
                                       @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, n, 1);
        int at = r.nextInt(n);
        float x = switch (special) {
            case 0 -> a[at];                                    // a tie with the maximum, or a smaller element
            case 1 -> { float mx = Float.NEGATIVE_INFINITY; for (float v : a) mx = Math.max(mx, v); yield mx; }
            case 2 -> { a[at] = Float.NaN; yield Float.POSITIVE_INFINITY; }
            default -> (float) r.nextGaussian();
        };
        boolean want = true;
        for (int v = 0; v < n && want; v++) want = a[v] <= x;
        try (Arena arena = Arena.ofShared()) {
            assertEquals(want, Kernels.noneAbove(Tensor.of(arena, a, n), x), "n=" + n + ", case " + special);
        }
    }

    @Property(tries = 60)
    void matmulMatchesTwin(@ForAll @IntRange(min = 1, max = 37) int M, @ForAll @IntRange(min = 1, max = 150) int K,
                           @ForAll @IntRange(min = 1, max = 150) int N, @ForAll boolean withBias, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 1), b = withBias ? randn(r, N, 1) : null;
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, M, N);
            Matmul.matmul(out, Tensor.of(arena, a, M, K), Tensor.of(arena, w, K, N), b == null ? null : Tensor.of(arena, b, N));
            assertClose(ScalarKernels.matmul(a, w, b, M, K, N), out, 2e-6 * Math.sqrt(K) * 4, "matmul " + M + "x" + K + "x" + N);
        }
    }

    @Property(tries = 60)
    void matmulTransposedMatchesTwin(@ForAll @IntRange(min = 1, max = 37) int M, @ForAll @IntRange(min = 1, max = 150) int K,
                                     @ForAll @IntRange(min = 1, max = 150) int N, @ForAll boolean withBias, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, N * K, 1), b = withBias ? randn(r, N, 1) : null;
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, M, N);
            Matmul.matmulTransposed(out, Tensor.of(arena, a, M, K), Tensor.of(arena, w, N, K), b == null ? null : Tensor.of(arena, b, N));
            assertClose(ScalarKernels.matmulTransposed(a, w, b, M, K, N), out, 2e-6 * Math.sqrt(K) * 4, "matmulT " + M + "x" + K + "x" + N);
        }
    }

    @Property(tries = 40)
    void addMatchesTwin(@ForAll @IntRange(min = 1, max = 10000) int n, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, n, 3), b = randn(r, n, 3);
        try (Arena arena = Arena.ofShared()) {
            Tensor ta = Tensor.of(arena, a, n);
            Kernels.add(ta, ta, Tensor.of(arena, b, n)); // in place, as the residual stream uses it
            assertClose(ScalarKernels.add(a, b), ta, 0, "add " + n);
        }
    }

    @Property(tries = 40)
    void layernormMatchesTwin(@ForAll @IntRange(min = 1, max = 20) int N, @ForAll @IntRange(min = 1, max = 200) int C, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] x = randn(r, N * C, 2), w = randn(r, C, 1), b = randn(r, C, 1);
        for (int i = 0; i < x.length; i++) x[i] += 3; // an offset makes a naive one-pass variance fail
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, N, C);
            Kernels.layernorm(out, Tensor.of(arena, x, N, C), Tensor.of(arena, w, C), Tensor.of(arena, b, C), 1e-5f);
            assertClose(ScalarKernels.layernorm(x, w, b, N, C, 1e-5f), out, 2e-5, "layernorm " + N + "x" + C);
        }
    }

    @Property(tries = 40)
    void geluMatchesTwin(@ForAll @IntRange(min = 1, max = 5000) int n, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] x = randn(r, n, 4);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, n);
            Kernels.gelu(out, Tensor.of(arena, x, n));
            assertClose(ScalarKernels.gelu(x), out, 2e-6, "gelu " + n);
        }
    }

    @Property(tries = 40)
    void softmaxMatchesTwin(@ForAll @IntRange(min = 1, max = 9) int N, @ForAll @IntRange(min = 1, max = 700) int V, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] x = randn(r, N * V, 10);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, N, V);
            Kernels.softmax(out, Tensor.of(arena, x, N, V));
            assertClose(ScalarKernels.softmax(x, N, V), out, 1e-5, "softmax " + N + "x" + V);
        }
    }

    @Property(tries = 40)
    void logSumExpMatchesTwin(@ForAll @IntRange(min = 1, max = 9) int N, @ForAll @IntRange(min = 1, max = 700) int V, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] x = randn(r, N * V, 10);
        try (Arena arena = Arena.ofShared()) {
            float[] got = new float[N];
            Kernels.logSumExp(got, Tensor.of(arena, x, N, V));
            float[] want = ScalarKernels.logSumExp(x, N, V);
            for (int i = 0; i < N; i++) assertEquals(want[i], got[i], 1e-5 * (1 + Math.abs(want[i])), "row " + i);
        }
    }

    @Property(tries = 40)
    void embeddingMatchesTwin(@ForAll @IntRange(min = 1, max = 20) int T, @ForAll @IntRange(min = 1, max = 90) int C,
                              @ForAll @IntRange(min = 0, max = 5) int pos0, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        int V = 1 + r.nextInt(50), P = pos0 + T + r.nextInt(3);
        float[] wte = randn(r, V * C, 1), wpe = randn(r, P * C, 1);
        int[] ids = r.ints(T, 0, V).toArray();
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, 1, T, C);
            Kernels.embedding(out, ids, 1, T, Tensor.of(arena, wte, V, C), Tensor.of(arena, wpe, P, C), pos0);
            assertClose(ScalarKernels.embedding(ids, wte, wpe, C, pos0), out, 0, "embedding");
            int[] bad = ids.clone();
            bad[T - 1] = V;
            assertThrows(IllegalArgumentException.class,
                    () -> Kernels.embedding(out, bad, 1, T, Tensor.of(arena, wte, V, C), Tensor.of(arena, wpe, P, C), pos0));
        }
    }

    @Property(tries = 50)
    void attentionMatchesTwin(@ForAll @IntRange(min = 1, max = 3) int B, @ForAll @IntRange(min = 1, max = 4) int nHead,
                              @ForAll @IntRange(min = 1, max = 40) int hs, @ForAll @IntRange(min = 1, max = 12) int Tq,
                              @ForAll @IntRange(min = 0, max = 9) int pos0, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        int C = nHead * hs, Tk = pos0 + Tq + r.nextInt(3);
        float[] q = randn(r, B * Tq * C, 1), k = randn(r, B * Tk * C, 1), v = randn(r, B * Tk * C, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, B, Tq, C);
            Kernels.attention(out, Tensor.of(arena, q, B, Tq, C), Tensor.of(arena, k, B, Tk, C), Tensor.of(arena, v, B, Tk, C), nHead, pos0);
            assertClose(ScalarKernels.attention(q, k, v, B, Tq, Tk, C, nHead, pos0), out, 1e-5, "attention");
        }
    }

    /**
     * The prefill path (16 or more queries, head size a multiple of 16: keys transposed, scores 16 keys at a time,
     * two queries per pass over the values) against the scalar twin, and bit for bit against the same queries run one
     * at a time (the decode path), odd query counts and cached positions included.
     */
    @Property(tries = 25)
    void attentionPrefillEqualsOneQueryAtATime(@ForAll @IntRange(min = 1, max = 2) int B, @ForAll @IntRange(min = 1, max = 3) int nHead,
                                               @ForAll @IntRange(min = 1, max = 4) int hs16, @ForAll @IntRange(min = 16, max = 70) int Tq,
                                               @ForAll @IntRange(min = 0, max = 20) int pos0, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        int hs = 16 * hs16, C = nHead * hs, Tk = pos0 + Tq + r.nextInt(3);
        float[] q = randn(r, B * Tq * C, 1), k = randn(r, B * Tk * C, 1), v = randn(r, B * Tk * C, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, B, Tq, C), kt = Tensor.of(arena, k, B, Tk, C), vt = Tensor.of(arena, v, B, Tk, C);
            Kernels.attention(out, Tensor.of(arena, q, B, Tq, C), kt, vt, nHead, pos0);
            assertClose(ScalarKernels.attention(q, k, v, B, Tq, Tk, C, nHead, pos0), out, 1e-5, "attention");
            float[] got = out.toArray();
            for (int t = 0; t < Tq; t++) {
                float[] one = new float[B * C];
                for (int b = 0; b < B; b++) System.arraycopy(q, (b * Tq + t) * C, one, b * C, C);
                Tensor o1 = Tensor.allocate(arena, B, 1, C);
                Kernels.attention(o1, Tensor.of(arena, one, B, 1, C), kt, vt, nHead, pos0 + t);
                float[] want = o1.toArray();
                for (int b = 0; b < B; b++) {
                    for (int c = 0; c < C; c++) {
                        assertEquals(want[b * C + c], got[(b * Tq + t) * C + c], "b " + b + " t " + t + " c " + c);
                    }
                }
            }
        }
    }

    @Property(tries = 30)
    void halfPrecisionConversionsMatchTwins(@ForAll @IntRange(min = 1, max = 3000) int n, @ForAll @IntRange(min = 0, max = 3) int offset,
                                            @ForAll long seed) {
        var r = new SplittableRandom(seed);
        try (Arena arena = Arena.ofShared()) {
            // Every bit pattern is fair game, subnormals, infinities and NaNs included; odd offsets too.
            MemorySegment raw = arena.allocate(2L * n + 2 * offset, 2);
            var u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            short[] bits = new short[n];
            for (int i = 0; i < n; i++) { bits[i] = (short) r.nextInt(); raw.set(u16, 2L * offset + 2L * i, bits[i]); }
            Tensor f16 = Tensor.allocate(arena, n), bf16 = Tensor.allocate(arena, n);
            Convert.f16ToF32(raw, 2L * offset, f16);
            Convert.bf16ToF32(raw, 2L * offset, bf16);
            for (int i = 0; i < n; i++) {
                assertEquals(ScalarKernels.f16(bits[i]), f16.get(i), 0f, "f16 bits " + Integer.toHexString(bits[i] & 0xffff));
                assertEquals(ScalarKernels.bf16(bits[i]), bf16.get(i), 0f, "bf16 bits " + Integer.toHexString(bits[i] & 0xffff));
            }
        }
    }
}
