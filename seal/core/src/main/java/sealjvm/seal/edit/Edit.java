package sealjvm.seal.edit;

import java.util.List;
import sealjvm.gpt2.LowRankAdapters;

/** A self-edit: low-rank deltas on one or more distinct target linears. */
public record Edit(List<LowRankDelta> deltas) {
    public Edit {
        deltas = List.copyOf(deltas);
        if (deltas.stream().map(d -> d.target().name()).distinct().count() != deltas.size()) {
            throw new IllegalArgumentException("an edit touches each target at most once");
        }
    }

    /** The deltas as the backends' adapter factors (weight name, A, B, α/r). */
    public List<LowRankAdapters.Factor> factors() {
        return deltas.stream().map(d -> new LowRankAdapters.Factor(d.target().weightName(), d.a(), d.b(), d.scale())).toList();
    }

    /** √(Σ ‖ΔW_t‖²) over the targets. */
    public double frobeniusNorm() {
        double s = 0;
        for (LowRankDelta d : deltas) { double n = d.frobeniusNorm(); s += n * n; }
        return Math.sqrt(s);
    }
}
