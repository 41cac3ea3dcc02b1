package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static sealjvm.tensor.KernelPropertiesTest.randn;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * F32_PACKED weights ({@link PanelMatrix}): every product bit-for-bit equal to the float32 kernels on the plain matrix,
 * for M crossing the decode/prefill switch and K, N crossing the vector, strip and panel sizes (a padded last strip
 * included), whatever the thread count; the packed matrix reads back as the matrix it was given.
 */
class PanelMatmulTest {

    @Property(tries = 60)
    void matmulEqualsFloat32(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                             @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean withBias,
                             @ForAll @IntRange(min = 0, max = 2) int epilogue, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null, x = randn(r, M * N, 1);
        try (Arena arena = Arena.ofShared()) {
            Tensor w32 = Tensor.of(arena, randn(r, K * N, 0.3), K, N);
            PanelMatrix w = PanelMatrix.allocate(arena, K, N, PanelMatrix.Product.PLAIN);
            w.copyFrom(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.of(arena, x, M, N), twin = Tensor.of(arena, x, M, N);
            switch (epilogue) {
                case 0 -> { PackedMatmul.matmul(got, ta, w, tb); Matmul.matmul(twin, ta, w32, tb); }
                case 1 -> { PackedMatmul.matmulGelu(got, ta, w, tb); Matmul.matmulGelu(twin, ta, w32, tb); }
                default -> { PackedMatmul.matmulResidual(got, ta, w, tb); Matmul.matmulResidual(twin, ta, w32, tb); }
            }
            assertArrayEquals(twin.toArray(), got.toArray(), "F32_PACKED matmul " + M + "x" + K + "x" + N + " epilogue " + epilogue);
        }
    }

    @Property(tries = 60)
    void matmulTransposedEqualsFloat32(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                       @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean withBias, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null;
        try (Arena arena = Arena.ofShared()) {
            Tensor w32 = Tensor.of(arena, randn(r, N * K, 0.3), N, K);
            PanelMatrix w = PanelMatrix.allocate(arena, N, K, PanelMatrix.Product.TRANSPOSED);
            w.copyFrom(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.allocate(arena, M, N), twin = Tensor.allocate(arena, M, N);
            PackedMatmul.matmulTransposed(got, ta, w, tb);
            Matmul.matmulTransposed(twin, ta, w32, tb);
            assertArrayEquals(twin.toArray(), got.toArray(), "F32_PACKED matmulTransposed " + M + "x" + K + "x" + N);
        }
    }

    /** get, widenInto and byteSize read the matrix that was packed, padding excluded; both products. */
    @Property(tries = 20)
    void readsBackWhatWasPacked(@ForAll @IntRange(min = 1, max = 150) int rows, @ForAll @IntRange(min = 1, max = 150) int cols,
                                @ForAll boolean transposed, @ForAll long seed) {
        float[] x = randn(new SplittableRandom(seed), rows * cols, 1);
        var product = transposed ? PanelMatrix.Product.TRANSPOSED : PanelMatrix.Product.PLAIN;
        try (Arena arena = Arena.ofShared()) {
            PanelMatrix w = PanelMatrix.allocate(arena, rows, cols, product);
            w.copyFrom(Tensor.of(arena, x, rows, cols));
            float[] got = new float[x.length];
            for (int i = 0; i < x.length; i++) got[i] = w.get(i);
            assertArrayEquals(x, got, "get");
            Tensor wide = Tensor.allocate(arena, rows, cols);
            w.widenInto(wide);
            assertArrayEquals(x, wide.toArray(), "widenInto");
            // PLAIN: every strip over its columns, the last padded to NR; TRANSPOSED: the rows plus full strips over its rows (N = rows), as Matmul.packTransposed holds them
            long panels = transposed ? 4L * rows * cols + 4L * (rows / Matmul.NR) * Matmul.NR * cols
                    : 4L * ((cols + Matmul.NR - 1) / Matmul.NR) * Matmul.NR * rows;
            assertEquals(panels, w.byteSize(), product + " bytes");
        }
    }

    /** A matrix packed for one product is refused by the other, by name. */
    @Test
    void wrongProductIsRefused() {
        try (Arena arena = Arena.ofShared()) {
            PanelMatrix w = PanelMatrix.allocate(arena, 64, 32, PanelMatrix.Product.TRANSPOSED);
            Tensor a = Tensor.allocate(arena, 1, 64), o = Tensor.allocate(arena, 1, 32);
            var e = assertThrows(IllegalArgumentException.class, () -> PackedMatmul.matmul(o, a, w, null));
            assertEquals("matmul needs a (K,N) PanelMatrix packed PLAIN, got PanelMatrix(TRANSPOSED)[64, 32]", e.getMessage());
        }
    }
}
