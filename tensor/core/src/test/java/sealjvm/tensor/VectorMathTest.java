package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {
    // The steps of VectorMath.exp in scalar float arithmetic, in its order and with its constants, out-of-range
    // arguments clamped first: the definition the vector code must meet bit for bit, however it is arranged.
    static float cephesExp(float x) {
        if (Float.isNaN(x)) return x;
        if (x < -87.3f) return 0f;
        if (x > 88.3f) return Float.POSITIVE_INFINITY;
        float round = 12582912f;
        float t = x * 1.44269504088896341f + round;
        float n = t - round;
        float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
        float p = 1.9875691500e-4f;
        p = Math.fma(p, r, 1.3981999507e-3f);
        p = Math.fma(p, r, 8.3334519073e-3f);
        p = Math.fma(p, r, 4.1665795894e-2f);
        p = Math.fma(p, r, 1.6666665459e-1f);
        p = Math.fma(p, r, 5.0000001201e-1f);
        float er = p * (r * r) + r + 1f;
        int k = Float.floatToRawIntBits(t) - Float.floatToRawIntBits(round);
        return er * Float.intBitsToFloat((k + 127) << 23);
    }

    @Test
    void expMatchesItsScalarDefinitionBitForBit() {
        int L = Matmul.L;
        float[] in = new float[L], out = new float[L];
        float[] specials = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffa00001), Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, -87.3f, Math.nextDown(-87.3f),
                Math.nextUp(-87.3f), 88.3f, Math.nextUp(88.3f), Math.nextDown(88.3f), 1f, -1f, 1e-30f, -1e30f, 1e30f};
        long checked = 0;
        for (int i = 0; i < specials.length; i += L) {
            java.util.Arrays.fill(in, 0f);
            System.arraycopy(specials, i, in, 0, Math.min(L, specials.length - i));
            checked += check(in, out);
        }
        long stride = 97L * L;   // a sweep over every sign, exponent and mantissa region of the float bit patterns
        for (long b = Integer.MIN_VALUE; b + stride <= Integer.MAX_VALUE; b += stride) {
            for (int j = 0; j < L; j++) in[j] = Float.intBitsToFloat((int) (b + 97L * j));
            checked += check(in, out);
        }
        for (int bits = Float.floatToRawIntBits(-88f); bits != Float.floatToRawIntBits(-86f); bits--) {   // every float across the lower cut
            if ((bits & 0xF) == 0) {
                for (int j = 0; j < L; j++) in[j] = Float.intBitsToFloat(bits - j);
                checked += check(in, out);
            }
        }
        assertEquals(true, checked > 40_000_000, "patterns checked: " + checked);
    }

    /** sumLanes is sum's tree in scalars: lanes of mixed magnitudes and signs (where the order shows), infinities, NaN. */
    @Test
    void sumLanesIsSumBitForBit() {
        int L = Matmul.L;
        var r = new java.util.SplittableRandom(5);
        float[] a = new float[L + 3];
        for (int trial = 0; trial < 20_000; trial++) {
            for (int j = 0; j < a.length; j++) a[j] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-8, 9)));
            if (trial % 97 == 0) a[r.nextInt(a.length)] = Float.POSITIVE_INFINITY;
            if (trial % 89 == 0) a[r.nextInt(a.length)] = Float.NaN;
            int off = trial % 4;
            assertEquals(Float.floatToRawIntBits(VectorMath.sum(FloatVector.fromArray(Matmul.S, a, off))),
                    Float.floatToRawIntBits(VectorMath.sumLanes(a, off)), "trial " + trial);
        }
    }

    // exp on every lane, and expNonPositive on the lanes ≤ 0 (the ones it promises exp's bits for).
    private static int check(float[] in, float[] out) {
        VectorMath.exp(FloatVector.fromArray(Matmul.S, in, 0)).intoArray(out, 0);
        for (int j = 0; j < in.length; j++) {
            int want = Float.floatToRawIntBits(cephesExp(in[j])), got = Float.floatToRawIntBits(out[j]);
            if (want != got) assertEquals(Integer.toHexString(want), Integer.toHexString(got), "exp(" + in[j] + ") [bits " + Integer.toHexString(Float.floatToRawIntBits(in[j])) + "]");
        }
        VectorMath.expNonPositive(FloatVector.fromArray(Matmul.S, in, 0)).intoArray(out, 0);
        for (int j = 0; j < in.length; j++) {
            if (!(in[j] <= 0f)) continue;
            int want = Float.floatToRawIntBits(cephesExp(in[j])), got = Float.floatToRawIntBits(out[j]);
            if (want != got) assertEquals(Integer.toHexString(want), Integer.toHexString(got), "expNonPositive(" + in[j] + ")");
        }
        return in.length;
    }
}
