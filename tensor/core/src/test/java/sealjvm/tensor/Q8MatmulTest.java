package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Q8_0 weights: the quantization error bound per block, and the products against a scalar reference on the
 * dequantized weights and bit-for-bit against the float32 kernels on them, for M crossing the decode/prefill switch
 * and K, N crossing the vector, block, strip and panel sizes (ragged edges and ragged last blocks included).
 */
class Q8MatmulTest {

    /** Every weight is within half its block's step of the original: |x − d·q| ≤ d/2, d = max|x|/127 per block. */
    @Property(tries = 40)
    void quantizationErrorIsAtMostHalfAStepPerBlock(@ForAll @IntRange(min = 1, max = 100) int rows, @ForAll @IntRange(min = 1, max = 100) int cols,
                                                    @ForAll boolean down, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] x = randn(r, rows * cols, 0.3);
        if (r.nextBoolean()) for (int i = 0; i < Math.min(x.length, 40); i++) x[i] = 0;   // an all-zero block: d = 0, exact
        var blocks = down ? Q8Matrix.Blocks.DOWN_COLUMNS : Q8Matrix.Blocks.ALONG_ROWS;
        try (Arena arena = Arena.ofConfined()) {
            Q8Matrix q = Q8Matrix.of(arena, Tensor.of(arena, x, rows, cols), blocks);
            assertEquals(Q8Matrix.scaleCount(rows, cols, blocks), q.scales().byteSize() / 4);
            for (int i = 0; i < x.length; i++) {
                int row = i / cols, col = i % cols;
                int k = down ? row : col, line = down ? col : row, K = down ? rows : cols;
                // the block's scale, recomputed from its members
                float amax = 0;
                for (int kk = k - k % Q8Matrix.BLOCK; kk < Math.min(K, k - k % Q8Matrix.BLOCK + Q8Matrix.BLOCK); kk++) {
                    amax = Math.max(amax, Math.abs(x[down ? kk * cols + line : line * cols + kk]));
                }
                float d = amax / 127f;
                assertEquals(d, q.scale(i), "scale of element " + i);
                assertTrue(Math.abs(q.quant(i)) <= 127, "q = " + q.quant(i));
                float back = q.get(i);
                assertEquals(q.quant(i) * d, back, "dequantized = d·q as a float32 product");
                // d/2, plus float32 rounding of x/d and of d·q (a few ulps of x)
                double err = Math.abs((double) x[i] - back), bound = d / 2.0 + 4 * Math.ulp(Math.abs(x[i]) + d);
                assertTrue(err <= bound, "element " + i + ": x = " + x[i] + ", d·q = " + back + ", |err| = " + err + " > d/2 = " + d / 2);
            }
        }
    }

    @Property(tries = 60)
    void matmulMatchesScalarAndFloat32Twin(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                           @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean withBias,
                                           @ForAll @IntRange(min = 0, max = 2) int epilogue, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null, x = randn(r, M * N, 1);
        try (Arena arena = Arena.ofShared()) {
            Q8Matrix w8 = Q8Matrix.of(arena, Tensor.of(arena, randn(r, K * N, 0.3), K, N), Q8Matrix.Blocks.DOWN_COLUMNS);
            Tensor w32 = Tensor.allocate(arena, K, N);
            w8.widenInto(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.of(arena, x, M, N), twin = Tensor.of(arena, x, M, N);
            switch (epilogue) {
                case 0 -> { Q8Matmul.matmul(got, ta, w8, tb); Matmul.matmul(twin, ta, w32, tb); }
                case 1 -> { Q8Matmul.matmulGelu(got, ta, w8, tb); Matmul.matmulGelu(twin, ta, w32, tb); }
                default -> { Q8Matmul.matmulResidual(got, ta, w8, tb); Matmul.matmulResidual(twin, ta, w32, tb); }
            }
            String what = "Q8_0 matmul " + M + "x" + K + "x" + N + " epilogue " + epilogue;
            assertArrayEquals(twin.toArray(), got.toArray(), what + " vs float32 kernel on dequantized weights");
            float[] want = ScalarKernels.matmul(a, w32.toArray(), b, M, K, N);
            if (epilogue == 1) want = ScalarKernels.gelu(want);
            if (epilogue == 2) want = ScalarKernels.add(x, want);
            assertClose(want, got, 2e-6 * Math.sqrt(K) * 4 + 1e-6, what + " vs scalar");
        }
    }

    @Property(tries = 60)
    void matmulTransposedMatchesScalarAndFloat32Twin(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                                     @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean withBias, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null;
        try (Arena arena = Arena.ofShared()) {
            Q8Matrix w8 = Q8Matrix.of(arena, Tensor.of(arena, randn(r, N * K, 0.3), N, K), Q8Matrix.Blocks.ALONG_ROWS);
            Tensor w32 = Tensor.allocate(arena, N, K);
            w8.widenInto(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.allocate(arena, M, N), twin = Tensor.allocate(arena, M, N);
            Q8Matmul.matmulTransposed(got, ta, w8, tb);
            Matmul.matmulTransposed(twin, ta, w32, tb);
            String what = "Q8_0 matmulTransposed " + M + "x" + K + "x" + N;
            assertArrayEquals(twin.toArray(), got.toArray(), what + " vs float32 kernel on dequantized weights");
            assertClose(ScalarKernels.matmulTransposed(a, w32.toArray(), b, M, K, N), got, 2e-6 * Math.sqrt(K) * 4 + 1e-6, what + " vs scalar");
        }
    }

    /** A matrix blocked for one product is refused by the other, by name. */
    @Test
    void wrongBlockingIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            Q8Matrix w = Q8Matrix.allocate(arena, 64, 32, Q8Matrix.Blocks.ALONG_ROWS);
            Tensor a = Tensor.allocate(arena, 1, 64), o = Tensor.allocate(arena, 1, 32);
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Q8Matmul.matmul(o, a, w, null));
            assertEquals("matmul needs a (K,N) Q8Matrix blocked DOWN_COLUMNS, got Q8Matrix(ALONG_ROWS)[64, 32]", e.getMessage());
        }
    }
}
