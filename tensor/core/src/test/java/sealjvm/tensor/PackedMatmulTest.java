package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static sealjvm.tensor.KernelPropertiesTest.randn;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every {@link PackedMatrix} format shares: the factory's kinds, and products independent of the thread count. */
class PackedMatmulTest {

    /** Same inputs, 1, 2 and 3 threads: bit-identical outputs, decode and prefill, plain and transposed, every fused epilogue. */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = "F32", mode = EnumSource.Mode.EXCLUDE)
    void resultsDoNotDependOnThreadCount(WeightFormat format) {
        int before = Parallel.threads();
        var r = new SplittableRandom(11);
        int K = 777, N = 523;
        try (Arena arena = Arena.ofShared()) {
            PackedMatrix w = PackedMatrix.allocate(arena, K, N, format, false), wT = PackedMatrix.allocate(arena, N, K, format, true);
            w.copyFrom(Tensor.of(arena, randn(r, K * N, 0.3), K, N));
            wT.copyFrom(Tensor.of(arena, randn(r, K * N, 0.3), N, K));
            Tensor tb = Tensor.of(arena, randn(r, N, 1), N);
            for (int M : new int[] {1, 37}) {
                Tensor ta = Tensor.of(arena, randn(r, M * K, 1), M, K), residual = Tensor.of(arena, randn(r, M * N, 1), M, N);
                float[][] ref = null;
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    Tensor o1 = Tensor.allocate(arena, M, N), o2 = Tensor.allocate(arena, M, N), o3 = Tensor.allocate(arena, M, N);
                    o3.copyFrom(residual);
                    PackedMatmul.matmulGelu(o1, ta, w, tb);
                    PackedMatmul.matmulTransposed(o2, ta, wT, tb);
                    PackedMatmul.matmulResidual(o3, ta, w, tb);
                    float[][] got = {o1.toArray(), o2.toArray(), o3.toArray()};
                    if (ref == null) ref = got;
                    else for (int k = 0; k < got.length; k++) assertArrayEquals(ref[k], got[k], format + " M=" + M + " product " + k + " with " + threads + " threads");
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void factoryGivesEachFormatItsKindAndRefusesF32() {
        try (Arena arena = Arena.ofConfined()) {
            assertInstanceOf(PanelMatrix.class, PackedMatrix.allocate(arena, 4, 3, WeightFormat.F32_PACKED, false));
            assertEquals(PanelMatrix.Product.TRANSPOSED, ((PanelMatrix) PackedMatrix.allocate(arena, 4, 3, WeightFormat.F32_PACKED, true)).product());
            assertEquals(WeightFormat.BF16, PackedMatrix.allocate(arena, 4, 3, WeightFormat.BF16, false).format());
            assertEquals(Q8Matrix.Blocks.ALONG_ROWS, ((Q8Matrix) PackedMatrix.allocate(arena, 4, 3, WeightFormat.Q8_0, true)).blocks());
            var e = assertThrows(IllegalArgumentException.class, () -> PackedMatrix.allocate(arena, 4, 3, WeightFormat.F32, false));
            assertEquals("F32 weights are a Tensor, not a PackedMatrix", e.getMessage());
        }
    }
}
