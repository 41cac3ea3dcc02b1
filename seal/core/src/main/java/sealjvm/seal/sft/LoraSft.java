package sealjvm.seal.sft;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Names;
import sealjvm.gpt2.train.FrozenHead;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.Target;
import sealjvm.seal.policy.Adam;
import sealjvm.tensor.Parallel;
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
    private final boolean trainsHead;
    private FrozenHead head;   // the head packed once, repacked when the model's head has changed (frozenHead)

    public LoraSft(Gpt2Model model, MergedEdits edits, List<Target> targets) {
        if (targets.isEmpty()) throw new IllegalArgumentException("LoRA SFT needs at least one target");
        this.model = model;
        this.edits = edits;
        this.targets = List.copyOf(targets);
        for (Target t : targets) weightNames.add(t.weightName());
        trainsHead = weightNames.contains(model.params.tied ? Gpt2Names.WTE : Gpt2Names.LM_HEAD);
    }

    // The LM head packed for the passes (null when a target is the head itself): packed again only if the model's
    // head no longer holds the floats it was packed from (a compare of V·C floats, where packing would transpose them).
    private FrozenHead frozenHead() {
        if (trainsHead) return null;
        if (head == null || !head.matches(model)) head = FrozenHead.of(model);
        return head;
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
        Run run = start(examples, o, arena);
        double[] losses = new double[o.steps()];
        for (int s = 0; s < o.steps(); s++) losses[s] = run.step();
        return new Result(run.edit(), losses);
    }

    /** A fine-tune on fresh factors that has taken no step yet; {@code o.steps()} is not read (the caller steps it). */
    public Run start(List<Example> examples, Options o, Arena arena) {
        if (examples.isEmpty()) throw new IllegalArgumentException("LoRA SFT needs at least one example");
        return new Run(List.copyOf(examples), Math.min(o.batch(), examples.size()), init(o, arena), o.lr());
    }

    /**
     * A fine-tune in progress: after n {@link #step}s its edit holds exactly what {@link #train} returns for n steps
     * (the same batches, the same Adam state), so the edits of 5, 10 and 20 steps come from one run of 20.
     */
    public final class Run {
        private final List<Example> examples;
        private final int B;
        private final Edit edit;
        private final double[] theta, grad;
        private final Adam adam;
        private final FrozenHead head = frozenHead();
        private int done;

        private Run(List<Example> examples, int B, Edit edit, double lr) {
            this.examples = examples;
            this.B = B;
            this.edit = edit;
            int n = paramCount(edit);
            theta = new double[n];
            grad = new double[n];
            pack(edit, theta);
            adam = new Adam(n, lr);
        }

        /** One step; returns the mean loss of its batch before the update. */
        public double step() {
            List<Example> batch = new ArrayList<>(B);
            for (int b = 0; b < B; b++) batch.add(examples.get((done * B + b) % examples.size()));
            double loss = lossAndGrad(edit, batch, grad, head);
            adam.update(theta, grad);
            unpack(theta, edit);
            done++;
            return loss;
        }

        /** Steps until {@code steps} have been taken (none if already there). */
        public Run stepTo(int steps) {
            while (done < steps) step();
            return this;
        }

        /** The factors after the steps taken so far (updated in place by later steps). */
        public Edit edit() { return edit; }

        public int steps() { return done; }
    }

    /**
     * Mean loss of {@code batch} with {@code edit} merged (over every counted token of the batch), and its gradient
     * w.r.t. the factors (packed A, B per delta). Examples are grouped by their padded length and each group runs as
     * its own (B, T) pass: a batch of one passage and many short sentences would otherwise pad every sentence to the
     * passage's length, and the padding's logits cost as much as real tokens. Groups run shortest first, each
     * backward weighted by its share of the counted tokens, so the sum is the gradient of the batch's mean.
     */
    public double lossAndGrad(Edit edit, List<Example> batch, double[] grad) { return lossAndGrad(edit, batch, grad, frozenHead()); }

    private double lossAndGrad(Edit edit, List<Example> batch, double[] grad, FrozenHead head) {
        TreeMap<Integer, List<Example>> byLength = new TreeMap<>();
        for (Example e : batch) byLength.computeIfAbsent(paddedLength(e.tokens().length - 1), k -> new ArrayList<>()).add(e);
        if (byLength.size() == 1) {
            int T = byLength.firstKey();
            int[][] xy = inputsAndTargets(batch, T);
            return lossAndGrad(edit, xy[0], xy[1], batch.size(), T, grad, head);
        }
        long total = 0;
        for (Example e : batch) total += e.tokens().length - e.lossFrom();
        Map<String, float[]> dW = new HashMap<>();
        double loss = 0;
        MergedEdits.Applied applied = edits.apply(edit);
        try {
            for (Map.Entry<Integer, List<Example>> group : byLength.entrySet()) {
                int T = group.getKey(), B = group.getValue().size();
                int[][] xy = inputsAndTargets(group.getValue(), T);
                Gpt2Backprop bp = pass(B, T);
                bp.zeroGrad();
                double groupLoss = bp.forward(xy[0], xy[1], head);
                float share = (float) ((double) bp.counted() / total);
                loss += groupLoss * bp.counted() / total;
                bp.backward(share);
                for (LowRankDelta d : edit.deltas()) {
                    float[] g = bp.grads.get(d.target().weightName()).toArray();
                    float[] sum = dW.putIfAbsent(d.target().weightName(), g);
                    if (sum != null) for (int i = 0; i < g.length; i++) sum[i] += g[i];
                }
            }
        } finally {
            edits.revert(applied);
        }
        factorGrads(edit, d -> dW.get(d.target().weightName()), grad);
        return loss;
    }

    /** The padded length of a T-token input: a multiple of 32, so that few distinct shapes (and cached passes) occur. */
    private int paddedLength(int T) {
        if (T > model.config.nPositions()) throw new IllegalArgumentException("SFT example of " + (T + 1) + " tokens exceeds n_positions=" + model.config.nPositions());
        return Math.min(model.config.nPositions(), (T + 31) / 32 * 32);
    }

    /** Flat (B·T) inputs, padded after each example's end (causal, so never seen), and targets (−1: not counted). */
    private int[][] inputsAndTargets(List<Example> batch, int T) {
        int B = batch.size();
        int[] x = new int[B * T], y = new int[B * T];
        Arrays.fill(x, model.config.paddingId());
        Arrays.fill(y, -1);
        for (int b = 0; b < B; b++) {
            int[] tok = batch.get(b).tokens();
            for (int t = 0; t + 1 < tok.length; t++) {
                x[b * T + t] = tok[t];
                if (t + 1 >= batch.get(b).lossFrom()) y[b * T + t] = tok[t + 1];
            }
        }
        return new int[][] {x, y};
    }

    private Gpt2Backprop pass(int B, int T) {
        return passes.computeIfAbsent(((long) B << 32) | T, k -> new Gpt2Backprop(model, B, T, weightNames::contains));
    }

    /** As {@link #lossAndGrad(Edit, List, double[])} for flat (B·T) inputs and targets (−1: not counted). */
    public double lossAndGrad(Edit edit, int[] x, int[] y, int B, int T, double[] grad) {
        return lossAndGrad(edit, x, y, B, T, grad, frozenHead());
    }

    private double lossAndGrad(Edit edit, int[] x, int[] y, int B, int T, double[] grad, FrozenHead head) {
        Gpt2Backprop bp = pass(B, T);
        MergedEdits.Applied applied = edits.apply(edit);
        double loss;
        try {
            bp.zeroGrad();
            loss = bp.forward(x, y, head);
            bp.backward(1f);
        } finally {
            edits.revert(applied);
        }
        factorGrads(edit, d -> bp.grads.get(d.target().weightName()).toArray(), grad);
        return loss;
    }

    /** ∂L/∂A = s·∂L/∂W'·Bᵀ and ∂L/∂B = s·Aᵀ·∂L/∂W' per delta, packed as {@link #pack} packs the factors. */
    private static void factorGrads(Edit edit, Function<LowRankDelta, float[]> weightGrad, double[] grad) {
        int off = 0;
        for (LowRankDelta d : edit.deltas()) {
            int in = d.target().in(), out = d.target().out(), r = d.rank();
            double s = d.scale();
            float[] g = weightGrad.apply(d), a = d.a().toArray(), b = d.b().toArray();
            // dA[i,p] = s·Σ_j dW[i,j]·B[p,j]; rows i in parallel, each sum in j order as one thread would
            int offA = off, offB = off + in * r;
            Parallel.forChunks(in, 16, (i0, i1) -> {
                for (int i = i0; i < i1; i++) for (int p = 0; p < r; p++) {
                    double acc = 0;
                    for (int j = 0; j < out; j++) acc += (double) g[i * out + j] * b[p * out + j];
                    grad[offA + i * r + p] = s * acc;
                }
            });
            off += in * r;
            // dB[p,j] = s·Σ_i A[i,p]·dW[i,j]; rows p in parallel, each sum in i order
            Parallel.forEach(r, p -> {
                for (int j = 0; j < out; j++) grad[offB + p * out + j] = 0;
                for (int i = 0; i < in; i++) {
                    double ap = s * a[i * r + p];
                    for (int j = 0; j < out; j++) grad[offB + p * out + j] += ap * g[i * out + j];
                }
            });
            off += r * out;
        }
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
