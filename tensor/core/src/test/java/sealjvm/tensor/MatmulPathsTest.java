package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sealjvm.tensor.KernelPropertiesTest.assertClose;
import static sealjvm.tensor.KernelPropertiesTest.randn;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The fused matmul epilogues against their scalar twins, and the promise the RL trainer relies on: a matmul's
 * result is bit-identical whatever the thread count and whichever path (packed tiles, row tails, decode strips,
 * column tails) an element goes through. Shapes cross the tile sizes (MR=4 rows, NR=4 vectors, KC k-panels).
 */
class MatmulPathsTest {

    @Property(tries = 40)
    void matmulGeluMatchesTwin(@ForAll @IntRange(min = 1, max = 19) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                               @ForAll @IntRange(min = 1, max = 300) int N, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 0.2), b = randn(r, N, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.allocate(arena, M, N);
            Matmul.matmulGelu(out, Tensor.of(arena, a, M, K), Tensor.of(arena, w, K, N), Tensor.of(arena, b, N));
            float[] want = ScalarKernels.gelu(ScalarKernels.matmul(a, w, b, M, K, N));
            assertClose(want, out, 2e-6 * Math.sqrt(K) * 4 + 1e-6, "matmulGelu " + M + "x" + K + "x" + N);
        }
    }

    @Property(tries = 40)
    void matmulResidualMatchesTwin(@ForAll @IntRange(min = 1, max = 19) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                   @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean withBias, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 1), b = withBias ? randn(r, N, 1) : null, x = randn(r, M * N, 3);
        try (Arena arena = Arena.ofShared()) {
            Tensor out = Tensor.of(arena, x, M, N);
            Matmul.matmulResidual(out, Tensor.of(arena, a, M, K), Tensor.of(arena, w, K, N), b == null ? null : Tensor.of(arena, b, N));
            float[] want = ScalarKernels.add(x, ScalarKernels.matmul(a, w, b, M, K, N));
            assertClose(want, out, 2e-6 * Math.sqrt(K) * 4, "matmulResidual " + M + "x" + K + "x" + N);
        }
    }

    /**
     * The head packed once (the LM head over many row chunks) gives matmulTransposed's product bit for bit: shapes
     * cross the strip width (N vs NR), the k-panel depth (K vs KC, 128 on a 48 KiB L1), the row tiles and the decode path (M < 4).
     */
    @Property(tries = 60)
    void packedTransposedIsBitIdentical(@ForAll @IntRange(min = 1, max = 21) int M, @ForAll @IntRange(min = 1, max = 600) int K,
                                        @ForAll @IntRange(min = 1, max = 300) int N, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, N * K, 0.2);
        try (Arena arena = Arena.ofShared()) {
            Tensor inp = Tensor.of(arena, a, M, K), wt = Tensor.of(arena, w, N, K);
            Tensor want = Tensor.allocate(arena, M, N), got = Tensor.allocate(arena, M, N);
            Matmul.matmulTransposed(want, inp, wt, null);
            Matmul.Packed packed = Matmul.packTransposed(wt);
            Matmul.matmulTransposed(got, inp, packed);
            assertArrayEquals(want.toArray(), got.toArray(), "packed " + M + "x" + K + "x" + N);
            // A second row block on the same packing (how the LM head uses it).
            Tensor inp2 = Tensor.of(arena, randn(r, M * K, 1), M, K);
            Matmul.matmulTransposed(want, inp2, wt, null);
            Matmul.matmulTransposed(got, inp2, packed);
            assertArrayEquals(want.toArray(), got.toArray(), "packed, second block " + M + "x" + K + "x" + N);
        }
    }

    @Test
    void residualRefusesAliasing() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.allocate(arena, 4, 8), w = Tensor.allocate(arena, 8, 8);
            assertThrows(IllegalArgumentException.class, () -> Matmul.matmulResidual(x, x, w, null));
        }
    }

    /**
     * Rows one at a time (the decode path) give the rows of the batched product (the packed path): exactly for
     * matmul (both are one fma chain per element); for the transposed form the decode path sums lane partials of
     * dot products while the batched one runs fma chains, so they agree to rounding.
     */
    @Property(tries = 20)
    void rowsAloneEqualRowsInABatch(@ForAll @IntRange(min = 4, max = 21) int M, @ForAll @IntRange(min = 1, max = 600) int K,
                                    @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean transposed, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 1), b = randn(r, N, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor ta = Tensor.of(arena, a, M, K), tw = transposed ? Tensor.of(arena, w, N, K) : Tensor.of(arena, w, K, N);
            Tensor tb = Tensor.of(arena, b, N), all = Tensor.allocate(arena, M, N), one = Tensor.allocate(arena, 1, N);
            if (transposed) Matmul.matmulTransposed(all, ta, tw, tb); else Matmul.matmul(all, ta, tw, tb);
            for (int i = 0; i < M; i++) {
                Tensor row = ta.slice((long) i * K, 1, K);
                if (transposed) Matmul.matmulTransposed(one, row, tw, tb); else Matmul.matmul(one, row, tw, tb);
                float[] want = all.slice((long) i * N, N).toArray(), got = one.toArray();
                if (!transposed) assertArrayEquals(want, got, "row " + i);
                else for (int j = 0; j < N; j++) assertEquals(want[j], got[j], 2e-5f * (float) Math.sqrt(K) * (1 + Math.abs(want[j])), "row " + i + " col " + j);
            }
        }
    }

    /**
     * Enough rows that a task's strips run in several blocks (each block k-panel by k-panel, PARTIALS_BYTES of
     * partial sums) and a depth that is not a whole number of panels: every row still equals its decode-path chain.
     */
    @Test
    void stripBlocksEqualRowsAlone() {
        int before = Parallel.threads();
        int M = 262, K = 2 * Matmul.KC + 37, N = 20 * Matmul.NR + 5;
        assertTrue(Matmul.PARTIALS_BYTES / (M * Matmul.NR * 4) < N / Matmul.NR / 4, "the test must cross strip blocks");
        var r = new SplittableRandom(11);
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 1), b = randn(r, N, 1);
        try (Arena arena = Arena.ofShared()) {
            Parallel.setThreads(1);
            Tensor ta = Tensor.of(arena, a, M, K), tw = Tensor.of(arena, w, K, N), tb = Tensor.of(arena, b, N);
            Tensor all = Tensor.allocate(arena, M, N);
            Matmul.matmulResidual(all, ta, tw, tb);
            for (int i : new int[] {0, 3, 130, 259, 261}) {
                Tensor one = Tensor.allocate(arena, 1, N);
                Matmul.matmulResidual(one, ta.slice((long) i * K, 1, K), tw, tb);
                assertArrayEquals(one.toArray(), all.slice((long) i * N, N).toArray(), "row " + i);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** Same inputs, 1, 2 and 3 threads: bit-identical outputs (each element is one fixed-order chain). */
    @Test
    void resultsDoNotDependOnThreadCount() {
        int before = Parallel.threads();
        var r = new SplittableRandom(7);
        int M = 37, K = 777, N = 523;
        float[] a = randn(r, M * K, 1), w = randn(r, K * N, 1), b = randn(r, N, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor ta = Tensor.of(arena, a, M, K), tw = Tensor.of(arena, w, K, N), twT = Tensor.of(arena, w, N, K), tb = Tensor.of(arena, b, N);
            float[][] ref = null;
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                Tensor o1 = Tensor.allocate(arena, M, N), o2 = Tensor.allocate(arena, M, N), o3 = Tensor.of(arena, b.length == N ? new float[M * N] : null, M, N);
                Matmul.matmul(o1, ta, tw, tb);
                Matmul.matmulTransposed(o2, ta, twT, tb);
                Matmul.matmulGelu(o3, ta, tw, tb);
                float[][] got = {o1.toArray(), o2.toArray(), o3.toArray()};
                if (ref == null) ref = got;
                else for (int k = 0; k < 3; k++) assertArrayEquals(ref[k], got[k], "product " + k + " with " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
