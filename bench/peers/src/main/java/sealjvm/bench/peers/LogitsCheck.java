package sealjvm.bench.peers;

/**
 * Whether a peer's logits are PyTorch's: the largest absolute difference against the reference must be within the
 * tolerance. A NaN or infinity anywhere, or a different number of values, is a failure with an infinite error (a
 * plain {@code |a - b| > tol} test would let NaN through).
 */
record LogitsCheck(double maxAbsErr, long worstIndex, double tolerance) {
    /** Float32 engines that compute GPT-2 the same way agree with PyTorch to ~1e-5 on these weights; a real bug moves logits by ~0.1. */
    static final double DEFAULT_TOLERANCE = 1e-3;

    boolean ok() { return maxAbsErr <= tolerance; }

    /** Compares {@code got} with {@code want[offset, offset + got.length)}, the reference rows of the step. */
    static LogitsCheck compare(float[] want, int offset, int length, float[] got, double tolerance) {
        if (got.length != length || offset < 0 || offset + length > want.length) {
            return new LogitsCheck(Double.POSITIVE_INFINITY, -1, tolerance);
        }
        double worst = 0;
        long at = -1;
        for (int i = 0; i < length; i++) {
            double d = Math.abs((double) got[i] - want[offset + i]);
            if (!(d <= worst)) {   // NaN compares false: it becomes the worst and stays there
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                at = i;
                if (Double.isInfinite(worst)) break;
            }
        }
        return new LogitsCheck(worst, at, tolerance);
    }
}
