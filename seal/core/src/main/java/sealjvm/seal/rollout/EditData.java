package sealjvm.seal.rollout;

import java.io.Serializable;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.Target;
import sealjvm.tensor.Tensor;

/** An {@link Edit} as plain arrays, to send to workers: per delta its target, factors A [in,r], B [r,out] and α. */
public record EditData(List<Delta> deltas) implements Serializable {
    public record Delta(int layer, String module, int rank, float alpha, float[] a, float[] b) implements Serializable {}

    public static EditData of(Edit edit) {
        List<Delta> out = new ArrayList<>();
        for (LowRankDelta d : edit.deltas()) {
            out.add(new Delta(d.target().layer(), d.target().module(), d.rank(), d.alpha(), d.a().toArray(), d.b().toArray()));
        }
        return new EditData(out);
    }

    public Edit toEdit(Gpt2Config config, Arena arena) {
        List<LowRankDelta> out = new ArrayList<>();
        for (Delta d : deltas) {
            Target t = Target.of(config, d.layer(), d.module());
            out.add(new LowRankDelta(t, Tensor.of(arena, d.a(), t.in(), d.rank()), Tensor.of(arena, d.b(), d.rank(), t.out()), d.alpha()));
        }
        return new Edit(out);
    }
}
