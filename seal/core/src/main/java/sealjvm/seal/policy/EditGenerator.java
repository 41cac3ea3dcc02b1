package sealjvm.seal.policy;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.Target;
import sealjvm.tensor.Tensor;

/**
 * The edit generator (the policy): from the mean-pooled final hidden state h (C) of the context,
 * an MLP gives the mean μ (D) of a diagonal Gaussian over the factors of every target's edit;
 * the log-std (D) is a learned vector.
 *
 * <pre>
 * z1 = h·W1 + b1   (C) -> (H)        a1 = tanh(z1)
 * μ  = a1·W2 + b2  (H) -> (D)        D = Σ_t (in_t·r + r·out_t): A_t then B_t, row-major
 * z  = μ + exp(logσ)·ε,  ε ~ N(0, I)
 * </pre>
 * Kept in double: it is small next to the model, and its gradients are checked against PyTorch in double.
 * All parameters live in one array {@link #theta} (W1, b1, W2, b2, logσ), so Adam and checkpoints see one vector.
 */
public final class EditGenerator {
    /**
     * The edit's shape: factors A (in, rank), B (rank, out) per target from the MLP; with {@code contentRank} > 0
     * also one log step size per target for the content part −η·Ĝ (the context's own rank-{@code contentRank}
     * gradient direction, {@link ContentSignal}).
     */
    public record Shape(List<Target> targets, int rank, float alpha, int inputDim, int hiddenDim, int contentRank) {
        public Shape {
            targets = List.copyOf(targets);
            if (targets.isEmpty()) throw new IllegalArgumentException("an edit generator needs at least one target");
            if (rank < 1) throw new IllegalArgumentException("rank must be >= 1, got " + rank);
            if (hiddenDim < 1) throw new IllegalArgumentException("hidden size must be >= 1, got " + hiddenDim);
            if (contentRank < 0) throw new IllegalArgumentException("content rank must be >= 0, got " + contentRank);
        }

        public Shape(List<Target> targets, int rank, float alpha, int inputDim, int hiddenDim) {
            this(targets, rank, alpha, inputDim, hiddenDim, 0);
        }

        /** Dimensions of the factors of every target. */
        public int factorDim() {
            int d = 0;
            for (Target t : targets) d += rank * (t.in() + t.out());
            return d;
        }

        /** Number of Gaussian dimensions: every factor of every target, then the content step sizes. */
        public int outputDim() { return factorDim() + (contentRank > 0 ? targets.size() : 0); }
    }

    /** Initial σ of the content part's log step size. */
    static final double CONTENT_INIT_STD = 0.3;

    public final Shape shape;
    /** Which dimensions are sampled: every one, or only the content scales (the rest at their mean). */
    public final NoiseScope noiseScope;
    public final int C, H, D;
    /** The first sampled dimension: 0, or the first content scale. */
    private final int firstNoisy;
    /** W1 (C,H) | b1 (H) | W2 (H,D) | b2 (D) | logσ (D). */
    public final double[] theta;
    public final int oW1, oB1, oW2, oB2, oLogStd;

    public EditGenerator(Shape shape) { this(shape, NoiseScope.ALL); }

    public EditGenerator(Shape shape, NoiseScope noiseScope) {
        if (noiseScope == NoiseScope.CONTENT && shape.contentRank() == 0) {
            throw new IllegalArgumentException("noise scope content needs a content part (--generator grad or sft)");
        }
        this.shape = shape;
        this.noiseScope = noiseScope;
        this.firstNoisy = noiseScope == NoiseScope.CONTENT ? shape.factorDim() : 0;
        C = shape.inputDim();
        H = shape.hiddenDim();
        D = shape.outputDim();
        oW1 = 0;
        oB1 = oW1 + C * H;
        oW2 = oB1 + H;
        oB2 = oW2 + H * D;
        oLogStd = oB2 + D;
        theta = new double[oLogStd + D];
    }

    /**
     * Initialization that gives a first-order learning signal: with μ_A = μ_B = 0 the expected reward's
     * gradient vanishes (ΔW = A·B is bilinear), so, as LoRA does, the A part of b2 starts random
     * (std 1/√in) and the B part at zero; W2 starts small so the context can steer from there.
     */
    public void initialize(long seed, double initStd) { initialize(seed, initStd, EditPolicy.GRAD.initialLogStep()); }

    /** As {@link #initialize(long, double)}, with the content part's initial log step size. */
    public void initialize(long seed, double initStd, double contentLogStep) {
        var r = new SplittableRandom(seed);
        for (int i = 0; i < C * H; i++) theta[oW1 + i] = r.nextGaussian() / Math.sqrt(C);
        for (int i = 0; i < H * D; i++) theta[oW2 + i] = r.nextGaussian() * 0.01 / Math.sqrt(H);
        int off = 0;
        for (Target t : shape.targets()) {
            int nA = t.in() * shape.rank();
            for (int i = 0; i < nA; i++) theta[oB2 + off + i] = r.nextGaussian() / Math.sqrt(t.in());
            off += nA + shape.rank() * t.out();
        }
        java.util.Arrays.fill(theta, oLogStd, oLogStd + D, Math.log(initStd));
        for (int d = shape.factorDim(); d < D; d++) {
            theta[oB2 + d] = contentLogStep;
            theta[oLogStd + d] = Math.log(CONTENT_INIT_STD);
        }
    }

    public int parameterCount() { return theta.length; }

    /**
     * Moves the factor edit's starting point to {@code start} (one delta per target, this generator's rank and α, in
     * its target order): b2's factor part becomes start's A and B, and W2's factor columns zero, so the mean edit is
     * exactly {@code start} for every context until REINFORCE moves it.
     */
    public void startFactorsAt(Edit start) {
        if (start.deltas().size() != shape.targets().size()) {
            throw new IllegalArgumentException("a starting edit of " + start.deltas().size() + " deltas for " + shape.targets().size() + " targets");
        }
        int off = 0, r = shape.rank();
        for (int i = 0; i < shape.targets().size(); i++) {
            Target t = shape.targets().get(i);
            LowRankDelta d = start.deltas().get(i);
            if (!d.target().weightName().equals(t.weightName()) || d.rank() != r || d.alpha() != shape.alpha()) {
                throw new IllegalArgumentException("starting edit's delta " + i + " (" + d.target().weightName() + ", rank " + d.rank() + ", alpha "
                        + d.alpha() + ") does not match " + t.weightName() + ", rank " + r + ", alpha " + shape.alpha());
            }
            for (int k = 0; k < t.in() * r; k++) theta[oB2 + off++] = d.a().get(k);
            for (int k = 0; k < r * t.out(); k++) theta[oB2 + off++] = d.b().get(k);
        }
        for (int j = 0; j < H; j++) java.util.Arrays.fill(theta, oW2 + j * D, oW2 + j * D + shape.factorDim(), 0.0);
    }


    /** The activations of one forward, kept for the backward. */
    public record Forward(double[] input, double[] a1, double[] mean) {}

    // h (C) -> μ (D)
    public Forward forward(double[] h) {
        if (h.length != C) throw new IllegalArgumentException("input of " + h.length + " values, generator expects " + C);
        double[] a1 = new double[H];
        for (int j = 0; j < H; j++) a1[j] = theta[oB1 + j];
        for (int c = 0; c < C; c++) {
            double x = h[c];
            int row = oW1 + c * H;
            for (int j = 0; j < H; j++) a1[j] += x * theta[row + j];
        }
        for (int j = 0; j < H; j++) a1[j] = StrictMath.tanh(a1[j]); // StrictMath: the same bits interpreted or compiled
        double[] mu = new double[D];
        System.arraycopy(theta, oB2, mu, 0, D);
        for (int j = 0; j < H; j++) {
            double a = a1[j];
            int row = oW2 + j * D;
            for (int d = 0; d < D; d++) mu[d] += a * theta[row + d];
        }
        return new Forward(h.clone(), a1, mu);
    }

    public double std(int d) { return Math.exp(theta[oLogStd + d]); }

    /** ε ~ N(0, I) over the sampled dimensions, 0 elsewhere (D values). */
    public double[] noise(SplittableRandom rng) {
        double[] eps = new double[D];
        for (int d = firstNoisy; d < D; d++) eps[d] = rng.nextGaussian();
        return eps;
    }

    /**
     * The K noise vectors of one context. Antithetic: pairs (ε, −ε), K even, so a pair's term in the gradient for μ
     * is the central difference (R(μ+σε) − R(μ−σε))·ε/2σ, in which the reward's even part (curvature) cancels.
     */
    public double[][] noises(SplittableRandom rng, int K, boolean antithetic) {
        if (antithetic && K % 2 != 0) throw new IllegalArgumentException("antithetic sampling needs an even number of samples, got " + K);
        double[][] eps = new double[K][];
        for (int k = 0; k < K; k++) {
            if (antithetic && k % 2 == 1) {
                eps[k] = new double[D];
                for (int d = firstNoisy; d < D; d++) eps[k][d] = -eps[k - 1][d];
            } else {
                eps[k] = noise(rng);
            }
        }
        return eps;
    }

    /** z = μ + σ·ε. */
    public double[] sample(double[] mean, double[] eps) {
        double[] z = new double[D];
        for (int d = 0; d < D; d++) z[d] = mean[d] + std(d) * eps[d];
        return z;
    }

    /** log N(z; μ, σ²) summed over the sampled dimensions. */
    public double logProb(double[] z, double[] mean) {
        double lp = 0;
        for (int d = firstNoisy; d < D; d++) {
            double ls = theta[oLogStd + d], e = (z[d] - mean[d]) / Math.exp(ls);
            lp += -0.5 * e * e - ls - 0.5 * Math.log(2 * Math.PI);
        }
        return lp;
    }

    /** Entropy of the Gaussian over the sampled dimensions: Σ (logσ + ½·log(2πe)). */
    public double entropy() {
        double s = 0;
        for (int d = firstNoisy; d < D; d++) s += theta[oLogStd + d] + 0.5 * Math.log(2 * Math.PI * Math.E);
        return s;
    }

    /**
     * The REINFORCE loss of one context and its K samples, and its gradient added into {@code grad}:
     * L = −(1/K)·Σ_k adv_k·log π(z_k | h) − β·entropy, with z_k = μ + σ·ε_k.
     * By hand: ∂L/∂μ = −(1/K)Σ adv_k·ε_k/σ;  ∂L/∂logσ = −(1/K)Σ adv_k·(ε_k² − 1) − β;
     * then back through μ = a1·W2 + b2 and a1 = tanh(h·W1 + b1). Returns L.
     */
    public double lossAndGradient(Forward f, double[][] eps, double[] adv, double beta, double[] grad) {
        int K = eps.length;
        double[] dMu = new double[D];
        double loss = 0;
        for (int k = 0; k < K; k++) {
            double[] z = sample(f.mean(), eps[k]);
            loss -= adv[k] * logProb(z, f.mean()) / K;
            for (int d = firstNoisy; d < D; d++) {
                double e = eps[k][d];
                dMu[d] -= adv[k] * e / std(d) / K;
                grad[oLogStd + d] -= adv[k] * (e * e - 1) / K;
            }
        }
        loss -= beta * entropy();
        for (int d = firstNoisy; d < D; d++) grad[oLogStd + d] -= beta;
        // μ = a1·W2 + b2
        double[] da1 = new double[H];
        for (int j = 0; j < H; j++) {
            double a = f.a1()[j], s = 0;
            int row = oW2 + j * D;
            for (int d = 0; d < D; d++) {
                grad[row + d] += a * dMu[d];
                s += theta[row + d] * dMu[d];
            }
            da1[j] = s;
        }
        for (int d = 0; d < D; d++) grad[oB2 + d] += dMu[d];
        // a1 = tanh(z1), z1 = h·W1 + b1
        for (int j = 0; j < H; j++) da1[j] *= 1 - f.a1()[j] * f.a1()[j];
        for (int c = 0; c < C; c++) {
            double x = f.input()[c];
            int row = oW1 + c * H;
            for (int j = 0; j < H; j++) grad[row + j] += x * da1[j];
        }
        for (int j = 0; j < H; j++) grad[oB1 + j] += da1[j];
        return loss;
    }

    /** The edit whose factors are {@code z}: A_t (in,r) then B_t (r,out) for each target, in order. */
    public Edit toEdit(double[] z, Arena arena) {
        if (shape.contentRank() > 0) throw new IllegalStateException("this generator's edits need the context's content signal");
        return new Edit(factorDeltas(z, arena));
    }

    /**
     * The factor edit of {@code z} plus, per target, the content part −exp(z_step)·Ĝ = Q·(−η·R), joined into one
     * delta of rank r + r_g: A = [(α/r)·A_f | Q], B = [B_f ; −η·R], α = r + r_g (scale 1).
     */
    public Edit toEdit(double[] z, ContentSignal.Directions content, Arena arena) {
        List<LowRankDelta> fs = factorDeltas(z, arena);
        if (shape.contentRank() == 0) return new Edit(fs);
        List<LowRankDelta> ds = new ArrayList<>();
        int off = shape.factorDim();
        for (int i = 0; i < shape.targets().size(); i++) {
            Target t = shape.targets().get(i);
            LowRankDelta f = fs.get(i);
            float[] q = content.q().get(i), r = content.r().get(i);
            int rf = f.rank(), rg = q.length / t.in(), rank = rf + rg;
            Tensor a = Tensor.allocate(arena, t.in(), rank), b = Tensor.allocate(arena, rank, t.out());
            double eta = Math.exp(z[off + i]);
            float s = f.scale();
            for (int row = 0; row < t.in(); row++) {
                for (int p = 0; p < rf; p++) a.set((long) row * rank + p, f.a().get((long) row * rf + p) * s);
                for (int p = 0; p < rg; p++) a.set((long) row * rank + rf + p, q[row * rg + p]);
            }
            for (int p = 0; p < rf; p++) for (int col = 0; col < t.out(); col++) b.set((long) p * t.out() + col, f.b().get((long) p * t.out() + col));
            for (int p = 0; p < rg; p++) for (int col = 0; col < t.out(); col++) b.set((long) (rf + p) * t.out() + col, (float) (-eta * r[p * t.out() + col]));
            ds.add(new LowRankDelta(t, a, b, rank));
        }
        return new Edit(ds);
    }

    /** Only the factor part of {@code z}'s edit (no content part): the context-free component of an edit. */
    public Edit factorEdit(double[] z, Arena arena) { return new Edit(factorDeltas(z, arena)); }

    private List<LowRankDelta> factorDeltas(double[] z, Arena arena) {
        if (z.length != D) throw new IllegalArgumentException("edit vector of " + z.length + " values, expected " + D);
        List<LowRankDelta> ds = new ArrayList<>();
        int off = 0, r = shape.rank();
        for (Target t : shape.targets()) {
            Tensor a = Tensor.allocate(arena, t.in(), r), b = Tensor.allocate(arena, r, t.out());
            for (int i = 0; i < t.in() * r; i++) a.set(i, (float) z[off++]);
            for (int i = 0; i < r * t.out(); i++) b.set(i, (float) z[off++]);
            ds.add(new LowRankDelta(t, a, b, shape.alpha()));
        }
        return ds;
    }
}
