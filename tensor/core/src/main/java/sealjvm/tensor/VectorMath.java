package sealjvm.tensor;

import static sealjvm.tensor.Matmul.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Lane reductions and transcendentals that give the same bits however the code runs.
 *
 * <p>Why: the Vector API's {@code reduceLanes(ADD)} and {@code lanewise(EXP/TANH)} may compute
 * differently when interpreted (scalar fallback) and when compiled (intrinsics), so a result could
 * change as the JIT warms up — which would break bit-exact resume of training runs. Everything here
 * is built from lanewise add/mul/fma and shuffles, which IEEE 754 fixes exactly.
 */
public final class VectorMath {
    private VectorMath() {}

    /** Shuffles that bring lane i+w to lane i, for w = L/2, L/4, …, 1. */
    private static final VectorShuffle<Float>[] HALVES = halves();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] halves() {
        int n = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] out = new VectorShuffle[n];
        for (int i = 0, w = S.length() / 2; w >= 1; i++, w /= 2) out[i] = VectorShuffle.iota(S, w, 1, true);
        return out;
    }

    /** Σ lanes, as a fixed pairwise tree (halves added lanewise, then quarters, …). */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> s : HALVES) v = v.add(v.rearrange(s));
        return v.lane(0);
    }

    /** {@link #sum} of the L lanes at a[off..], in scalars: the same tree, the same bits. */
    public static float sumLanes(float[] a, int off) {
        int L = S.length();
        float[] v = java.util.Arrays.copyOfRange(a, off, off + L), u = new float[L];
        for (int w = L / 2; w >= 1; w /= 2) {
            for (int j = 0; j < L; j++) u[j] = v[j] + v[(j + w) % L];
            float[] t = v; v = u; u = t;
        }
        return v[0];
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding it rounds to an integer held in the low mantissa bits
    private static final float MAX_X = 88.3f, MIN_X = -87.3f;

    /** e^x per lane (Cephes expf polynomial, ≤ 2 ulp in the normal range; 0 below −87.3, +∞ above 88.3). */
    public static FloatVector exp(FloatVector x) {
        // No clamp to [MIN_X, MAX_X] first: a lane outside it computes garbage that the blends below replace, and
        // Java's NaN-propagating max and min cost several instructions each (logSumExp 24 % faster, the same bits).
        return expUnbounded(x).blend(0f, x.compare(VectorOperators.LT, MIN_X))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, MAX_X)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    /**
     * {@link #exp} for lanes ≤ 0 (a log-sum-exp's x − max), the same bits, without exp's overflow and NaN blends
     * (other lanes: unspecified, a NaN stays NaN).
     */
    public static FloatVector expNonPositive(FloatVector x) {
        return expUnbounded(x).blend(0f, x.compare(VectorOperators.LT, MIN_X));
    }

    // e^x per lane inside [MIN_X, MAX_X]; garbage outside it.
    private static FloatVector expUnbounded(FloatVector x) {
        FloatVector t = x.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);                                   // round(x·log2 e)
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));        // x − n·ln 2, in two parts
        FloatVector p = FloatVector.broadcast(S, 1.9875691500e-4f);
        p = p.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector er = p.mul(r.mul(r)).add(r).add(1f);                // e^r
        // 2^n: n sits in t's low mantissa bits, so (bits(t) − bits(ROUND) + 127) << 23, the two constants as one
        FloatVector scale = t.reinterpretAsInts().add(127 - Float.floatToRawIntBits(ROUND)).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return er.mul(scale);
    }

    /** tanh per lane: sign(u)·(1 − e^{−2|u|})/(1 + e^{−2|u|}). */
    public static FloatVector tanh(FloatVector u) {
        FloatVector e = exp(u.abs().mul(-2f));
        FloatVector t = FloatVector.broadcast(S, 1f).sub(e).div(e.add(1f));
        return t.blend(t.neg(), u.compare(VectorOperators.LT, 0f));
    }

    /** The scalar twin of {@link #exp} lane by lane, for tails: same operations, same bits. */
    public static float exp(float x) {
        return exp(FloatVector.broadcast(S, x)).lane(0);
    }
}
