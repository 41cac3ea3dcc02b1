package sealjvm.seal.edit;

import sealjvm.tensor.Tensor;

/**
 * A low-rank change of one GPT-2 linear: ΔW = (α/r)·A·B with A [in, r] and B [r, out],
 * the weight being Conv1D [in, out] (y = x·W + b), as LoRA parametrizes it.
 */
public record LowRankDelta(Target target, Tensor a, Tensor b, float alpha) {
    public LowRankDelta {
        if (a.rank() != 2 || b.rank() != 2 || a.dim(0) != target.in() || b.dim(1) != target.out() || a.dim(1) != b.dim(0)) {
            throw new IllegalArgumentException("delta for " + target.name() + " [" + target.in() + "," + target.out()
                    + "] needs A [in,r] and B [r,out], got A " + a + " and B " + b);
        }
    }

    public int rank() { return a.dim(1); }

    /** α/r: the factor LoRA applies to A·B. */
    public float scale() { return alpha / rank(); }

    /** ‖ΔW‖_F, computed from the factors in double: O((in + out)·r²), never forming ΔW. */
    public double frobeniusNorm() {
        int r = rank(), in = target.in(), out = target.out();
        // ‖A B‖² = trace((AᵀA)(B Bᵀ))
        double[] ata = new double[r * r], bbt = new double[r * r];
        for (int i = 0; i < in; i++) for (int p = 0; p < r; p++) for (int q = 0; q < r; q++) {
            ata[p * r + q] += (double) a.get((long) i * r + p) * a.get((long) i * r + q);
        }
        for (int p = 0; p < r; p++) for (int q = 0; q < r; q++) {
            double s = 0;
            for (int j = 0; j < out; j++) s += (double) b.get((long) p * out + j) * b.get((long) q * out + j);
            bbt[p * r + q] = s;
        }
        double tr = 0;
        for (int p = 0; p < r; p++) for (int q = 0; q < r; q++) tr += ata[p * r + q] * bbt[q * r + p];
        return Math.abs(scale()) * Math.sqrt(Math.max(0, tr));
    }
}
