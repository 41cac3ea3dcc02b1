package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sealjvm.tensor.KernelPropertiesTest.assertClose;
import static sealjvm.tensor.KernelPropertiesTest.randn;

import java.lang.foreign.Arena;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import jdk.incubator.vector.IntVector;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The 16-bit-weight products against a scalar reference on the widened weights, and bit-for-bit against the float32
 * kernels run on the widened weights (each path mirrors its float32 twin), for M crossing the decode/prefill switch
 * and K, N crossing the vector, strip and panel sizes (ragged edges included).
 */
class HalfMatmulTest {

    /** Every 16-bit pattern widens in registers exactly as the scalar conversion does (normals, subnormals, ±0, Inf; NaN to NaN). */
    @Test
    void widenMatchesScalarConversionForEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            var seg = arena.allocate(2L * 65536 + 64, 64);
            for (int b = 0; b < 65536; b++) seg.setAtIndex(Convert.U16, b, (short) b);
            float[] lanes = new float[Matmul.L];
            for (WeightFormat f : new WeightFormat[] {WeightFormat.F16, WeightFormat.BF16}) {
                for (int b0 = 0; b0 < 65536; b0 += Matmul.L) {
                    HalfMatmul.widen(seg, 2L * b0, lanes, 0, Matmul.L, f == WeightFormat.F16);
                    for (int l = 0; l < Matmul.L; l++) {
                        float want = f.toFloat((short) (b0 + l));
                        // A NaN widens to a NaN; its quiet bit is the scalar instruction's choice (loaded weights are finite).
                        if (Float.isNaN(want)) { assertEquals(true, Float.isNaN(lanes[l]), f + " NaN 0x" + Integer.toHexString(b0 + l)); continue; }
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(lanes[l]),
                                f + " bits 0x" + Integer.toHexString(b0 + l) + ": want " + want + ", got " + lanes[l]);
                    }
                }
            }
        }
    }

    /** The decode kernels' in-register F16 widening equals Float.float16ToFloat, bit for bit, for every finite half. */
    @Test
    void f16FiniteMatchesScalarConversionForEveryFiniteHalf() {
        try (Arena arena = Arena.ofConfined()) {
            var seg = arena.allocate(2L * 65536 + 64, 64);
            for (int b = 0; b < 65536; b++) seg.setAtIndex(Convert.U16, b, (short) b);
            float[] lanes = new float[Matmul.L];
            int checked = 0;
            for (int b0 = 0; b0 < 65536; b0 += Matmul.L) {
                HalfMatmul.f16Finite(HalfMatmul.halves(seg, 2L * b0)).intoArray(lanes, 0);
                for (int l = 0; l < Matmul.L; l++) {
                    short h = (short) (b0 + l);
                    if ((h & 0x7C00) == 0x7C00) continue; // Inf, NaN: never in a loaded model
                    float want = Float.float16ToFloat(h);
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(lanes[l]),
                            "F16 bits 0x" + Integer.toHexString(b0 + l) + ": want " + want + ", got " + lanes[l]);
                    checked++;
                }
            }
            assertEquals(65536 - 2048, checked);
        }
    }

    /**
     * The pair forms (a full-width int load of 2L weights, low and high halves of each lane) equal the scalar
     * conversions, bit for bit: F16 for every finite half, BF16 for every pattern but NaN (NaN stays NaN).
     */
    @Test
    void pairWideningMatchesScalarConversion() {
        try (Arena arena = Arena.ofConfined()) {
            var seg = arena.allocate(2L * 65536 + 64, 64);
            for (int b = 0; b < 65536; b++) seg.setAtIndex(Convert.U16, b, (short) b);
            float[] lo = new float[Matmul.L], hi = new float[Matmul.L];
            int checked = 0;
            for (WeightFormat f : new WeightFormat[] {WeightFormat.F16, WeightFormat.BF16}) {
                for (int b0 = 0; b0 < 65536; b0 += 2 * Matmul.L) {
                    var x = IntVector.fromMemorySegment(IntVector.SPECIES_PREFERRED, seg, 2L * b0, ByteOrder.LITTLE_ENDIAN);
                    (f == WeightFormat.F16 ? HalfMatmul.f16Low(x) : HalfMatmul.bf16Low(x)).intoArray(lo, 0);
                    (f == WeightFormat.F16 ? HalfMatmul.f16High(x) : HalfMatmul.bf16High(x)).intoArray(hi, 0);
                    for (int l = 0; l < 2 * Matmul.L; l++) {
                        short h = (short) (b0 + l);
                        float got = (l & 1) == 0 ? lo[l >> 1] : hi[l >> 1], want = f.toFloat(h);
                        if (f == WeightFormat.F16 && (h & 0x7C00) == 0x7C00) continue; // Inf, NaN: never in a loaded model
                        if (Float.isNaN(want)) { assertTrue(Float.isNaN(got), f + " NaN 0x" + Integer.toHexString(b0 + l)); continue; }
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got),
                                f + " bits 0x" + Integer.toHexString(b0 + l) + ": want " + want + ", got " + got);
                        checked++;
                    }
                }
            }
            assertEquals(2 * 65536 - 2048 - 254, checked);   // BF16 has 254 NaN patterns
        }
    }

    /**
     * Decode (M < 4) through both layouts, with activations small and with one of 1e5, and an F16 matrix holding every finite half once (248 x 256 = 63488 values:
     * ±0, subnormals, normals up to ±65504, shuffled), bit-identical to the float32 kernels on the widened weights.
     */
    @Test
    void decodeOverEveryFiniteHalfMatchesFloat32Twin() {
        boolean onThisCpu = HalfMatmul.exactOnZeroExponent;
        try {
            for (boolean exact : new boolean[] {false, true}) {   // the F16 short forms with and without the zero-exponent test
                HalfMatmul.exactOnZeroExponent = exact;
                decodeOverEveryFiniteHalf();
            }
        } finally {
            HalfMatmul.exactOnZeroExponent = onThisCpu;
        }
    }

    private void decodeOverEveryFiniteHalf() {
        var r = new SplittableRandom(5);
        short[] all = new short[65536 - 2048];
        int n = 0;
        for (int b = 0; b < 65536; b++) if ((b & 0x7C00) != 0x7C00) all[n++] = (short) b;
        for (int i = all.length - 1; i > 0; i--) { int j = r.nextInt(i + 1); short t = all[i]; all[i] = all[j]; all[j] = t; }
        try (Arena arena = Arena.ofShared()) {
            for (int[] shape : new int[][] {{248, 256}, {256, 248}}) {
                int R = shape[0], C = shape[1];
                HalfMatrix w16 = HalfMatrix.allocate(arena, WeightFormat.F16, R, C);
                for (int i = 0; i < all.length; i++) w16.segment().setAtIndex(Convert.U16, i, all[i]);
                Tensor w32 = Tensor.allocate(arena, R, C);
                w16.widenInto(w32);
                HalfMatrix strips = HalfMatrix.of(arena, WeightFormat.F16, HalfMatrix.Layout.STRIPS, w32);   // the same halves, exactly
                for (int M = 1; M <= 6; M++) {
                    // y = x·W (K=R, N=C) and y = x·Wᵀ (K=C, N=R); M > 3 repeats M - 3 with one activation of 1e5, which
                    // turns off the F16 strips' scaled short form (x · 2^112 must not overflow) for the whole call.
                    int m = M > 3 ? M - 3 : M;
                    float[] a1 = randn(r, m * R, 1e-3), a2 = randn(r, m * C, 1e-3);
                    if (M > 3) { a1[a1.length - 1] = 1e5f; a2[0] = 1e5f; }
                    Tensor x1 = Tensor.of(arena, a1, m, R), x2 = Tensor.of(arena, a2, m, C);
                    Tensor got = Tensor.allocate(arena, m, C), twin = Tensor.allocate(arena, m, C);
                    HalfMatmul.matmul(got, x1, w16, null);
                    Matmul.matmul(twin, x1, w32, null);
                    assertArrayEquals(twin.toArray(), got.toArray(), "matmul M=" + M + " " + R + "x" + C);
                    HalfMatmul.matmul(got, x1, strips, null);
                    assertArrayEquals(twin.toArray(), got.toArray(), "matmul, STRIPS layout, M=" + M + " " + R + "x" + C);
                    got = Tensor.allocate(arena, m, R);
                    twin = Tensor.allocate(arena, m, R);
                    HalfMatmul.matmulTransposed(got, x2, w16, null);
                    Matmul.matmulTransposed(twin, x2, w32, null);
                    assertArrayEquals(twin.toArray(), got.toArray(), "matmulTransposed M=" + M + " " + R + "x" + C);
                }
            }
        }
    }

    @Property(tries = 60)
    void matmulMatchesScalarAndFloat32Twin(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                           @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean bf16, @ForAll boolean withBias,
                                           @ForAll @IntRange(min = 0, max = 2) int epilogue, @ForAll HalfMatrix.Layout layout, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        WeightFormat f = bf16 ? WeightFormat.BF16 : WeightFormat.F16;
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null, x = randn(r, M * N, 1);
        try (Arena arena = Arena.ofShared()) {
            HalfMatrix w16 = HalfMatrix.of(arena, f, layout, Tensor.of(arena, randn(r, K * N, 0.3), K, N));
            Tensor w32 = Tensor.allocate(arena, K, N);
            w16.widenInto(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.of(arena, x, M, N), twin = Tensor.of(arena, x, M, N);
            switch (epilogue) {
                case 0 -> { HalfMatmul.matmul(got, ta, w16, tb); Matmul.matmul(twin, ta, w32, tb); }
                case 1 -> { HalfMatmul.matmulGelu(got, ta, w16, tb); Matmul.matmulGelu(twin, ta, w32, tb); }
                default -> { HalfMatmul.matmulResidual(got, ta, w16, tb); Matmul.matmulResidual(twin, ta, w32, tb); }
            }
            String what = f + " " + layout + " matmul " + M + "x" + K + "x" + N + " epilogue " + epilogue;
            assertArrayEquals(twin.toArray(), got.toArray(), what + " vs float32 kernel on widened weights");
            float[] want = ScalarKernels.matmul(a, w32.toArray(), b, M, K, N);
            if (epilogue == 1) want = ScalarKernels.gelu(want);
            if (epilogue == 2) want = ScalarKernels.add(x, want);
            assertClose(want, got, 2e-6 * Math.sqrt(K) * 4 + 1e-6, what + " vs scalar");
        }
    }

    @Property(tries = 60)
    void matmulTransposedMatchesScalarAndFloat32Twin(@ForAll @IntRange(min = 1, max = 11) int M, @ForAll @IntRange(min = 1, max = 300) int K,
                                                     @ForAll @IntRange(min = 1, max = 300) int N, @ForAll boolean bf16, @ForAll boolean withBias,
                                                     @ForAll long seed) {
        var r = new SplittableRandom(seed);
        WeightFormat f = bf16 ? WeightFormat.BF16 : WeightFormat.F16;
        float[] a = randn(r, M * K, 1), b = withBias ? randn(r, N, 1) : null;
        try (Arena arena = Arena.ofShared()) {
            HalfMatrix w16 = HalfMatrix.of(arena, f, Tensor.of(arena, randn(r, N * K, 0.3), N, K));
            Tensor w32 = Tensor.allocate(arena, N, K);
            w16.widenInto(w32);
            Tensor ta = Tensor.of(arena, a, M, K), tb = b == null ? null : Tensor.of(arena, b, N);
            Tensor got = Tensor.allocate(arena, M, N), twin = Tensor.allocate(arena, M, N);
            HalfMatmul.matmulTransposed(got, ta, w16, tb);
            Matmul.matmulTransposed(twin, ta, w32, tb);
            String what = f + " matmulTransposed " + M + "x" + K + "x" + N;
            assertArrayEquals(twin.toArray(), got.toArray(), what + " vs float32 kernel on widened weights");
            assertClose(ScalarKernels.matmulTransposed(a, w32.toArray(), b, M, K, N), got, 2e-6 * Math.sqrt(K) * 4 + 1e-6, what + " vs scalar");
        }
    }
}
