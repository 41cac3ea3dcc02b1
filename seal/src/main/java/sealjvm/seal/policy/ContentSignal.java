package sealjvm.seal.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.edit.Target;

/**
 * The model's own learning signal on a context: for each target linear y = x·W, the gradient of the context's
 * LM loss, G = ∂L/∂W = Σ_t x_tᵀ·δ_t (in × out), from one forward and backward pass of the frozen model; then its
 * best rank-r approximation by subspace iteration (a fixed seeded start, two power steps, Gram–Schmidt), scaled to
 * unit Frobenius norm: Ĝ ≈ Q·R with Q (in, r) orthonormal, R (r, out). The edit generator turns it into the
 * content part of an edit, −η·Ĝ, with a step size η it learns; see {@link EditGenerator#toEdit(double[], Directions, java.lang.foreign.Arena)}.
 */
public final class ContentSignal implements AutoCloseable {
    /** Per target: Q (in·r, row-major) and R (r·out, row-major) of the normalized gradient, and ‖G‖_F. */
    public record Directions(List<float[]> q, List<float[]> r, double[] gradNorm) {}

    private final Gpt2Model model;
    private final List<Target> targets;
    private final int rank;
    private final Map<Integer, Gpt2Backprop> passes = new HashMap<>();   // by padded length

    public ContentSignal(Gpt2Model model, List<Target> targets, int rank) {
        if (rank < 1) throw new IllegalArgumentException("content rank must be >= 1, got " + rank);
        this.model = model;
        this.targets = List.copyOf(targets);
        this.rank = rank;
    }

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
    }
}
