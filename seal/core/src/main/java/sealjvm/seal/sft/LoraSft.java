package sealjvm.seal.sft;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.Target;
import sealjvm.seal.policy.Adam;
import sealjvm.tensor.Tensor;

/**
 * LoRA supervised fine-tuning whose result is an {@link Edit}: the same low-rank deltas the SEAL loop applies,
 * so a fine-tune can be applied, reverted bit-exactly, and exported as a PEFT adapter.
 *
 * <p>A step merges the current ΔW = (α/r)·A·B into the weights ({@link MergedEdits}), runs forward and backward
 * for the gradient of the loss with respect to the merged weight W' only (the backward stops at the lowest
 * target), reverts, and maps it to the factors: ∂L/∂A = (α/r)·∂L/∂W'·Bᵀ, ∂L/∂B = (α/r)·Aᵀ·∂L/∂W'. Adam on the
 * factors (double precision), LoRA's initialization: A uniform ±1/√in (PEFT's kaiming default), B = 0.
 */
public final class LoraSft implements AutoCloseable {
    /** A training text: loss on the predictions of tokens[lossFrom..] (earlier tokens are the prompt). */
    public record Example(int[] tokens, int lossFrom) {
        public Example {
            if (tokens.length < 2) throw new IllegalArgumentException("an SFT example needs at least 2 tokens, got " + tokens.length);
            if (lossFrom < 1 || lossFrom >= tokens.length) throw new IllegalArgumentException("lossFrom " + lossFrom + " outside [1, " + tokens.length + ")");
        }

        public static Example of(int[] tokens) { return new Example(tokens, 1); }
    }

    /** Hyperparameters of one fine-tune. */
    public record Options(int rank, float alpha, int steps, double lr, int batch, long seed) {
        public Options {
            if (rank < 1 || steps < 0 || batch < 1 || !(lr > 0)) {
                throw new IllegalArgumentException("LoRA SFT: rank " + rank + ", steps " + steps + ", batch " + batch + ", lr " + lr);
            }
        }
    }

    /** The fine-tuned edit and the mean loss of each step (before its update). */
    public record Result(Edit edit, double[] losses) {}

    private final Gpt2Model model;
    private final MergedEdits edits;
    private final List<Target> targets;
    private final Set<String> weightNames = new HashSet<>();
    private final Map<Long, Gpt2Backprop> passes = new HashMap<>();   // by (B, T): activations are sized per shape

    public LoraSft(Gpt2Model model, MergedEdits edits, List<Target> targets) {
        if (targets.isEmpty()) throw new IllegalArgumentException("LoRA SFT needs at least one target");
        this.model = model;
        this.edits = edits;
        this.targets = List.copyOf(targets);
        for (Target t : targets) weightNames.add(t.weightName());
    }

    public List<Target> targets() { return targets; }

    /** Fresh factors: A uniform ±1/√in, B zero (so ΔW starts at 0), in {@code arena}. */
    public Edit init(Options o, Arena arena) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        List<LowRankDelta> ds = new ArrayList<>();
        for (Target t : targets) {
            Tensor a = Tensor.allocate(arena, t.in(), o.rank()), b = Tensor.allocate(arena, o.rank(), t.out());
            double bound = 1 / Math.sqrt(t.in());
            for (long i = 0; i < a.size(); i++) a.set(i, (float) ((rng.nextDouble() * 2 - 1) * bound));
            ds.add(new LowRankDelta(t, a, b, o.alpha()));
        }
        return new Edit(ds);
    }

    /** Fine-tunes fresh factors on {@code examples} for {@code o.steps()} steps; the result lives in {@code arena}. */
    public Result train(List<Example> examples, Options o, Arena arena) {
        if (examples.isEmpty()) throw new IllegalArgumentException("LoRA SFT needs at least one example");
        Edit edit = init(o, arena);
        int n = paramCount(edit);
        double[] theta = new double[n], grad = new double[n];
        pack(edit, theta);
        Adam adam = new Adam(n, o.lr());
        double[] losses = new double[o.steps()];
        int B = Math.min(o.batch(), examples.size());
        for (int s = 0; s < o.steps(); s++) {
            List<Example> batch = new ArrayList<>(B);
            for (int b = 0; b < B; b++) batch.add(examples.get((s * B + b) % examples.size()));
            losses[s] = lossAndGrad(edit, batch, grad);
            adam.update(theta, grad);
            unpack(theta, edit);
        }
        return new Result(edit, losses);
    }

    /** Mean loss of {@code batch} with {@code edit} merged, and its gradient w.r.t. the factors (packed A, B per delta). */
    public double lossAndGrad(Edit edit, List<Example> batch, double[] grad) {
        int T = 0;
        for (Example e : batch) T = Math.max(T, e.tokens().length - 1);
        if (T > model.config.nPositions()) throw new IllegalArgumentException("SFT example of " + (T + 1) + " tokens exceeds n_positions=" + model.config.nPositions());
        T = Math.min(model.config.nPositions(), (T + 31) / 32 * 32);   // few distinct shapes, so few cached passes
        int B = batch.size();
        int[] x = new int[B * T], y = new int[B * T];
        java.util.Arrays.fill(x, model.config.paddingId());   // padding after the end: causal, so never seen
        java.util.Arrays.fill(y, -1);
        for (int b = 0; b < B; b++) {
            int[] tok = batch.get(b).tokens();
            for (int t = 0; t + 1 < tok.length; t++) {
                x[b * T + t] = tok[t];
                if (t + 1 >= batch.get(b).lossFrom()) y[b * T + t] = tok[t + 1];
            }
        }
        return lossAndGrad(edit, x, y, B, T, grad);
    }

    /** As {@link #lossAndGrad(Edit, List, double[])} for flat (B·T) inputs and targets (−1: not counted). */
    public double lossAndGrad(Edit edit, int[] x, int[] y, int B, int T, double[] grad) {
        Gpt2Backprop bp = passes.computeIfAbsent(((long) B << 32) | T, k -> new Gpt2Backprop(model, B, T, weightNames::contains));
        MergedEdits.Applied applied = edits.apply(edit);
        double loss;
        try {
            bp.zeroGrad();
            loss = bp.forward(x, y);
            bp.backward(1f);
        } finally {
            edits.revert(applied);
        }
        int off = 0;
        for (LowRankDelta d : edit.deltas()) {
            Tensor dw = bp.grads.get(d.target().weightName());
            int in = d.target().in(), out = d.target().out(), r = d.rank();
            double s = d.scale();
            float[] g = dw.toArray(), a = d.a().toArray(), b = d.b().toArray();
            // dA[i,p] = s·Σ_j dW[i,j]·B[p,j]
            for (int i = 0; i < in; i++) for (int p = 0; p < r; p++) {
                double acc = 0;
                for (int j = 0; j < out; j++) acc += (double) g[i * out + j] * b[p * out + j];
                grad[off + i * r + p] = s * acc;
            }
            off += in * r;
            // dB[p,j] = s·Σ_i A[i,p]·dW[i,j]
            for (int p = 0; p < r; p++) for (int j = 0; j < out; j++) grad[off + p * out + j] = 0;
            for (int i = 0; i < in; i++) for (int p = 0; p < r; p++) {
                double ap = s * a[i * r + p];
                for (int j = 0; j < out; j++) grad[off + p * out + j] += ap * g[i * out + j];
            }
            off += r * out;
        }
        return loss;
    }

    public static int paramCount(Edit edit) {
        int n = 0;
        for (LowRankDelta d : edit.deltas()) n += Math.toIntExact(d.a().size() + d.b().size());
        return n;
    }

    static void pack(Edit edit, double[] theta) {
        int off = 0;
        for (LowRankDelta d : edit.deltas()) {
            for (Tensor t : List.of(d.a(), d.b())) for (long i = 0; i < t.size(); i++) theta[off++] = t.get(i);
        }
    }

    static void unpack(double[] theta, Edit edit) {
        int off = 0;
        for (LowRankDelta d : edit.deltas()) {
            for (Tensor t : List.of(d.a(), d.b())) for (long i = 0; i < t.size(); i++) t.set(i, (float) theta[off++]);
        }
    }

    @Override
    public void close() {
        for (Gpt2Backprop bp : passes.values()) bp.close();
        passes.clear();
    }
}
