package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sealjvm.tensor.KernelPropertiesTest.randn;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Matmul#rowLogSumExp} against what it replaces: the product written out by matmulTransposed on the packed
 * weight (rows padded to a batch of at least 4, the tiles' path), then Kernels.logSumExp, the target's element and
 * Kernels.noneAbove. Shapes cross the strip width (N vs NR), the vector tail (N mod L), the depth panels and the
 * row tiles (M mod 4, M < 4). A right guess gives the same bits; a wrong one says so and still gives the max.
 */
class RowLogSumExpTest {

    record Reference(float[] lse, float[] max, float[] picked, boolean[] noneAbove, float[] logits) {}

    static Reference reference(Arena arena, float[] a, Matmul.Packed w, int M, int K, int N, int[] cols) {
        int Mp = Math.max(M, Matmul.GEMM_MIN_ROWS);
        Tensor inp = Tensor.allocate(arena, Mp, K);
        for (int i = 0; i < Mp; i++) inp.row(i).copyFrom(Arrays.copyOfRange(a, Math.min(i, M - 1) * K, Math.min(i, M - 1) * K + K));
        Tensor out = Tensor.allocate(arena, Mp, N);
        Matmul.matmulTransposed(out, inp, w);
        float[] lse = new float[Mp], max = new float[M], picked = new float[M];
        boolean[] none = new boolean[M];
        Kernels.logSumExp(lse, out);
        for (int i = 0; i < M; i++) {
            max[i] = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < N; j++) max[i] = Math.max(max[i], out.get((long) i * N + j));
            picked[i] = out.get((long) i * N + cols[i]);
            none[i] = Kernels.noneAbove(out.row(i), picked[i]);
        }
        return new Reference(Arrays.copyOf(lse, M), max, picked, none, out.toArray());
    }

    @Property(tries = 40)
    void aRightGuessGivesLogSumExpsBitsAndAWrongOneSaysSo(@ForAll @IntRange(min = 1, max = 21) int M,
                                                         @ForAll @IntRange(min = 1, max = 300) int K,
                                                         @ForAll @IntRange(min = 1, max = 400) int N, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float[] a = randn(r, M * K, 1), wv = randn(r, N * K, 0.2);
        int[] cols = r.ints(M, 0, N).toArray();
        try (Arena arena = Arena.ofShared()) {
            Matmul.Packed w = Matmul.packTransposed(Tensor.of(arena, wv, N, K));
            Tensor inp = Tensor.of(arena, a, M, K);
            Reference ref = reference(arena, a, w, M, K, N, cols);
            String shape = M + "x" + K + "x" + N;

            float[] none = new float[M];
            Arrays.fill(none, Float.NEGATIVE_INFINITY);
            Matmul.RowStats blind = Matmul.rowLogSumExp(inp, w, none, cols, false);
            assertBits(ref.max(), blind.max(), "max, no guess, " + shape);
            assertBits(ref.picked(), blind.picked(), "picked, " + shape);
            for (int i = 0; i < M; i++) assertFalse(blind.exact()[i], "−∞ is no row's max, " + shape);

            Matmul.RowStats right = Matmul.rowLogSumExp(inp, w, ref.max(), cols, true);
            assertBits(ref.lse(), right.lse(), "lse, right guesses, " + shape);
            int stripCols = N / Matmul.NR * Matmul.NR;
            for (int i = 0; i < M; i++) {
                assertTrue(right.exact()[i], "row " + i + ", " + shape);
                assertEquals(ref.noneAbove()[i], right.max()[i] <= right.picked()[i], "top-1 from the max, " + shape);
                int first = -1;
                for (int j = 0; j < stripCols && first < 0; j++) if (ref.logits()[i * N + j] == ref.max()[i]) first = j;
                assertEquals(first, right.guessAt()[i], "the first strip column holding the max, " + shape);
            }

            float[] shifted = new float[M];   // another row's max: right only where the bits agree
            for (int i = 0; i < M; i++) shifted[i] = ref.max()[(i + 1) % M];
            Matmul.RowStats other = Matmul.rowLogSumExp(inp, w, shifted, cols, false);
            for (int i = 0; i < M; i++) {
                boolean same = Float.floatToRawIntBits(shifted[i]) == Float.floatToRawIntBits(ref.max()[i]);
                assertEquals(same, other.exact()[i], "row " + i + ", " + shape);
                if (same) assertEquals(Float.floatToRawIntBits(ref.lse()[i]), Float.floatToRawIntBits(other.lse()[i]));
            }
        }
    }

    @Test
    void rowsTheLanesMaxCouldGetWrongAreNeverExactAndBadArgumentsAreNamed() {
        int M = 6, K = 40, N = 150;
        var r = new SplittableRandom(3);
        float[] a = randn(r, M * K, 1), wv = randn(r, N * K, 0.2);
        a[2 * K + 7] = Float.NaN;   // row 2: every element NaN
        try (Arena arena = Arena.ofShared()) {
            Matmul.Packed w = Matmul.packTransposed(Tensor.of(arena, wv, N, K));
            Tensor inp = Tensor.of(arena, a, M, K);
            Matmul.RowStats st = Matmul.rowLogSumExp(inp, w, new float[M], new int[M], false);
            Matmul.RowStats again = Matmul.rowLogSumExp(inp, w, st.max(), new int[M], false);
            for (int i = 0; i < M; i++) assertEquals(i != 2, again.exact()[i], "row " + i + " with its max as the guess");

            Matmul.Packed zero = Matmul.packTransposed(Tensor.allocate(arena, N, K));   // every element +0: a max of zero
            float[] zeros = new float[M];
            Matmul.RowStats z = Matmul.rowLogSumExp(Tensor.of(arena, randn(r, M * K, 1), M, K), zero, zeros, new int[M], false);
            for (int i = 0; i < M; i++) assertFalse(z.exact()[i], "row " + i + " of zeros");

            var e = assertThrows(IllegalArgumentException.class, () -> Matmul.rowLogSumExp(inp, w, new float[M], new int[] {0, 1, 2, 3, 4, N}, false));
            assertTrue(e.getMessage().contains("column " + N), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Matmul.rowLogSumExp(inp, w, new float[M - 1], new int[M], false));
        }
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + ", row " + i + ": " + want[i] + " vs " + got[i]);
        }
    }
}
