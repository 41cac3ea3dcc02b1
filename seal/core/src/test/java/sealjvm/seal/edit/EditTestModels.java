package sealjvm.seal.edit;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.tensor.Tensor;

/** Small random GPT-2s and random edits for the edit tests. */
final class EditTestModels {
    private EditTestModels() {}

    static Gpt2Model randomModel(long seed, int nLayer, int nHead, int headSize, int vocab) {
        Gpt2Config c = new Gpt2Config(nHead * headSize, nHead, nLayer, 32, vocab, 1e-5f, "gelu_new");
        Gpt2Model m = Gpt2Model.create(c, true);
        var r = new SplittableRandom(seed);
        Tensor all = m.params.all;
        for (long i = 0; i < all.size(); i++) all.set(i, (float) (r.nextGaussian() * 0.1));
        return m;
    }

    static Tensor randn(Arena arena, SplittableRandom r, double std, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) t.set(i, (float) (r.nextGaussian() * std));
        return t;
    }

    static Edit randomEdit(Arena arena, SplittableRandom r, List<Target> targets, int rank, float alpha, double std) {
        List<LowRankDelta> ds = new ArrayList<>();
        for (Target t : targets) ds.add(new LowRankDelta(t, randn(arena, r, std, t.in(), rank), randn(arena, r, std, rank, t.out()), alpha));
        return new Edit(ds);
    }
}
