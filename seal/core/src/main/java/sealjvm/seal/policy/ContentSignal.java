package sealjvm.seal.policy;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.Target;
import sealjvm.seal.sft.LoraSft;

/**
 * The model's own learning signal on a context, as an uphill direction Q·R per target (Q (in, r) orthonormal,
 * R (r, out)) that the edit generator turns into the content part of an edit, −η·Q·R, with a scale η it learns
 * (see {@link EditGenerator#toEdit(double[], Directions, java.lang.foreign.Arena)}). Two kinds:
 * <ul>
 *   <li>{@linkplain #ContentSignal(Gpt2Model, List, int) gradient}: for each target linear y = x·W, the gradient of the context's LM loss,
 *       G = ∂L/∂W = Σ_t x_tᵀ·δ_t (in × out), from one forward and backward pass of the frozen model; its best
 *       rank-r approximation by subspace iteration (a fixed seeded start, two power steps, Gram–Schmidt), scaled
 *       to unit Frobenius norm;</li>
 *   <li>{@link #fineTune}: the signal iterated: a rank-r LoRA fine-tune of the frozen model on the context
 *       (fixed steps, learning rate and initial factors, so a function of the context alone), ΔW = s·A·B, given
 *       as −ΔW = Q·R unscaled, so η = 1 applies the fitted edit.</li>
 * </ul>
 */
public final class ContentSignal implements AutoCloseable {
    /** Per target: Q (in·r, row-major) and R (r·out, row-major) of the direction, and ‖G‖_F (or ‖ΔW‖_F of a fine-tune). */
    public record Directions(List<float[]> q, List<float[]> r, double[] gradNorm) {}

    private final Gpt2Model model;
    private final List<Target> targets;
    private final int rank;
    private final Map<Integer, Gpt2Backprop> passes = new HashMap<>();   // by padded length
    private final MergedEdits merged;   // fine-tune kind only (null for the gradient)
    private final LoraSft sft;
    private final int steps;
    private final double lr;

    private ContentSignal(Gpt2Model model, List<Target> targets, int rank, int steps, double lr) {
        if (rank < 1) throw new IllegalArgumentException("content rank must be >= 1, got " + rank);
        this.model = model;
        this.targets = List.copyOf(targets);
        this.rank = rank;
        this.steps = steps;
        this.lr = lr;
        this.merged = steps > 0 ? new MergedEdits(model.params) : null;
        this.sft = steps > 0 ? new LoraSft(model, merged, targets) : null;
    }

    /** The gradient kind: the context's LM-loss gradient at each target, rank {@code rank}, unit norm. */
    public ContentSignal(Gpt2Model model, List<Target> targets, int rank) { this(model, targets, rank, 0, 1); }

    /** A rank-{@code rank} LoRA fine-tune on the context, {@code steps} Adam steps at {@code lr}. */
    public static ContentSignal fineTune(Gpt2Model model, List<Target> targets, int rank, int steps, double lr) {
        if (steps < 1 || !(lr > 0)) throw new IllegalArgumentException("content fine-tune: steps " + steps + ", lr " + lr);
        return new ContentSignal(model, targets, rank, steps, lr);
    }

    /** Seed of the fine-tune kind's initial factors: fixed, so the signal is a function of the context. */
    static final long FINE_TUNE_SEED = 0x5F7C0DEL;

    /** The raw gradients ∂L/∂W of the context's next-token loss, one (in·out) array per target. */
    public float[][] gradients(int[] context) {
        if (context.length < 2) throw new IllegalArgumentException("a content signal needs a context of >= 2 tokens");
        int T = Math.min(model.config.nPositions(), (context.length - 1 + 31) / 32 * 32);
        int n = Math.min(context.length - 1, T);
        Gpt2Backprop bp = passes.computeIfAbsent(T, t -> new Gpt2Backprop(model, 1, t,
                name -> targets.stream().anyMatch(x -> x.weightName().equals(name))));
        int[] x = new int[T], y = new int[T];
        java.util.Arrays.fill(x, model.config.paddingId());   // padding after the end: causal, never attended
        java.util.Arrays.fill(y, -1);
        for (int t = 0; t < n; t++) { x[t] = context[t]; y[t] = context[t + 1]; }
        bp.zeroGrad();
        bp.forward(x, y);
        bp.backward(1f);
        float[][] out = new float[targets.size()][];
        for (int i = 0; i < targets.size(); i++) out[i] = bp.grads.get(targets.get(i).weightName()).toArray();
        return out;
    }

    public Directions of(int[] context) {
        return sft != null ? fitted(context) : normalizedGradient(context);
    }

    /** −ΔW of the fine-tune on the context, per target, as Q·R (exact: ΔW has rank ≤ r). */
    private Directions fitted(int[] context) {
        if (context.length < 2) throw new IllegalArgumentException("a content signal needs a context of >= 2 tokens");
        List<float[]> qs = new java.util.ArrayList<>(), rs = new java.util.ArrayList<>();
        double[] norms = new double[targets.size()];
        try (Arena arena = Arena.ofShared()) {   // the kernels run on the fork-join pool
            LoraSft.Options o = new LoraSft.Options(rank, rank, steps, lr, 1, FINE_TUNE_SEED);
            Edit fit = sft.train(List.of(LoraSft.Example.of(context)), o, arena).edit();
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                LowRankDelta d = fit.deltas().get(i);
                float[] a = d.a().toArray(), b = d.b().toArray();
                float[] negDw = new float[t.in() * t.out()];
                double s = d.scale(), fro = 0;
                for (int row = 0; row < t.in(); row++) {
                    for (int col = 0; col < t.out(); col++) {
                        double v = 0;
                        for (int p = 0; p < rank; p++) v += (double) a[row * rank + p] * b[p * t.out() + col];
                        negDw[row * t.out() + col] = (float) (-s * v);
                        fro += s * s * v * v;
                    }
                }
                norms[i] = Math.sqrt(fro);
                double[][] qr = lowRank(negDw, t.in(), t.out(), Math.min(rank, Math.min(t.in(), t.out())), 0x5EEDL + i);
                float[] q = new float[qr[0].length], r = new float[qr[1].length];
                for (int k = 0; k < q.length; k++) q[k] = (float) qr[0][k];
                for (int k = 0; k < r.length; k++) r[k] = (float) qr[1][k];
                qs.add(q);
                rs.add(r);
            }
        }
        return new Directions(qs, rs, norms);
    }

    private Directions normalizedGradient(int[] context) {
        float[][] g = gradients(context);
        List<float[]> qs = new java.util.ArrayList<>(), rs = new java.util.ArrayList<>();
        double[] norms = new double[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            double[][] qr = lowRank(g[i], t.in(), t.out(), Math.min(rank, Math.min(t.in(), t.out())), 0x5EEDL + i);
            double fro = 0;
            for (float v : g[i]) fro += (double) v * v;
            norms[i] = Math.sqrt(fro);
            double rn = 0;
            for (double v : qr[1]) rn += v * v;   // ‖Q·R‖_F = ‖R‖_F (Q orthonormal)
            double s = rn == 0 ? 0 : 1 / Math.sqrt(rn);
            float[] q = new float[qr[0].length], r = new float[qr[1].length];
            for (int k = 0; k < q.length; k++) q[k] = (float) qr[0][k];
            for (int k = 0; k < r.length; k++) r[k] = (float) (qr[1][k] * s);
            qs.add(q);
            rs.add(r);
        }
        return new Directions(qs, rs, norms);
    }

    /** Subspace iteration: Q (in, r) spanning G's top-r left singular space, R = Qᵀ·G (r, out); returns {Q, R}. */
    static double[][] lowRank(float[] g, int in, int out, int r, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] omega = new double[out * r];
        for (int k = 0; k < omega.length; k++) omega[k] = rng.nextGaussian();
        double[] y = mulG(g, in, out, omega, r);          // (in, r) = G·Ω
        orthonormalize(y, in, r);
        for (int it = 0; it < 2; it++) {
            double[] z = mulGt(g, in, out, y, r);          // (out, r) = Gᵀ·Y
            y = mulG(g, in, out, z, r);                    // (in, r) = G·Gᵀ·Y
            orthonormalize(y, in, r);
        }
        return new double[][] {y, transpose(mulGt(g, in, out, y, r), out, r)};   // R = (Gᵀ·Q)ᵀ, (r, out)
    }

    /** (in, r) = G (in, out) · M (out, r). */
    static double[] mulG(float[] g, int in, int out, double[] m, int r) {
        double[] res = new double[in * r];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                double gij = g[i * out + j];
                if (gij == 0) continue;
                for (int p = 0; p < r; p++) res[i * r + p] += gij * m[j * r + p];
            }
        }
        return res;
    }

    /** (out, r) = Gᵀ (out, in) · M (in, r). */
    static double[] mulGt(float[] g, int in, int out, double[] m, int r) {
        double[] res = new double[out * r];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                double gij = g[i * out + j];
                if (gij == 0) continue;
                for (int p = 0; p < r; p++) res[j * r + p] += gij * m[i * r + p];
            }
        }
        return res;
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    /** Modified Gram–Schmidt on the r columns of y (n, r); a column that vanishes stays zero. */
    static void orthonormalize(double[] y, int n, int r) {
        for (int p = 0; p < r; p++) {
            for (int q = 0; q < p; q++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += y[i * r + p] * y[i * r + q];
                for (int i = 0; i < n; i++) y[i * r + p] -= dot * y[i * r + q];
            }
            double nrm = 0;
            for (int i = 0; i < n; i++) nrm += y[i * r + p] * y[i * r + p];
            nrm = Math.sqrt(nrm);
            for (int i = 0; i < n; i++) y[i * r + p] = nrm < 1e-12 ? 0 : y[i * r + p] / nrm;
        }
    }

    @Override
    public void close() {
        for (Gpt2Backprop bp : passes.values()) bp.close();
        passes.clear();
        if (sft != null) sft.close();
        if (merged != null) merged.close();
    }
}
