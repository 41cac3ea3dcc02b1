package sealjvm.gpt2;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import sealjvm.tensor.Tensor;

/** Checks that numbers are finite: weights when they load, outputs before they are written. */
public final class Finite {
    private Finite() {}

    /** The flat index of the first NaN or ±Inf in {@code t}, or -1 if every value is finite. */
    public static long firstNonFinite(Tensor t) {
        var seg = t.segment();
        long n = t.size();
        for (long i = 0; i < n; i++) {
            float v = seg.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            if (!Float.isFinite(v)) return i;
        }
        return -1;
    }

    /** "NaN at index 17 [0, 17]" for the first non-finite value of {@code t}, or null if all are finite. */
    public static String describeFirst(Tensor t) {
        long i = firstNonFinite(t);
        if (i < 0) return null;
        int[] shape = t.shape();
        int[] at = new int[shape.length];
        long r = i;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) break;
            at[d] = (int) (r % shape[d]);
            r /= shape[d];
        }
        return t.get(i) + " at index " + i + " " + Arrays.toString(at);
    }

    /** Throws naming {@code what} if {@code t} holds a NaN or an infinity. */
    public static void require(Tensor t, String what) {
        String bad = describeFirst(t);
        if (bad != null) throw new ModelFormatException(what + " has a non-finite value: " + bad);
    }
}
