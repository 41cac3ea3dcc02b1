package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.List;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.tensor.Tensor;

/**
 * The spam classifier: logistic regression p(spam | x) = σ(w·h + b) on the last-token final hidden
 * state h. Fit once on the base model (IRLS/Newton with a small ridge), then frozen: edits are judged
 * by how they move the features this head reads.
 */
public record SpamHead(double[] w, double b) {

    public double logit(Tensor h) {
        double s = b;
        for (int c = 0; c < w.length; c++) s += w[c] * h.get(c);
        return s;
    }

    /** log p(correct label) = log σ(±logit), computed stably. */
    public static double logLik(double logit, boolean spam) {
        double m = spam ? logit : -logit;
        return m >= 0 ? -Math.log1p(Math.exp(-m)) : m - Math.log1p(Math.exp(m));
    }

    /** Fits the head on token sequences (truncated messages) and labels with the unedited model. */
    public static SpamHead fit(Gpt2Backend model, List<int[]> seqs, boolean[] labels, double ridge) {
        int n = seqs.size(), C = model.config().nEmbd();
        double[][] x = new double[n][C + 1];
        int chunk = 32;
        for (int i0 = 0; i0 < n; i0 += chunk) {
            List<int[]> part = seqs.subList(i0, Math.min(n, i0 + chunk));
            try (Arena arena = Arena.ofShared()) {
                Tensor h = Scoring.hidden(model, part, List.of(), arena);
                for (int i = 0; i < part.size(); i++) {
                    Tensor last = Scoring.at(h, i, part.get(i).length - 1);
                    for (int c = 0; c < C; c++) x[i0 + i][c] = last.get(c);
                    x[i0 + i][C] = 1;
                }
            }
        }
        double[] beta = new double[C + 1];
        for (int iter = 0; iter < 30; iter++) {
            // Newton step on the ridge-penalized negative log-likelihood (bias not penalized).
            double[][] hess = new double[C + 1][C + 1];
            double[] grad = new double[C + 1];
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int c = 0; c <= C; c++) z += beta[c] * x[i][c];
                double p = 1 / (1 + Math.exp(-z)), y = labels[i] ? 1 : 0, wgt = p * (1 - p);
                for (int c = 0; c <= C; c++) {
                    grad[c] += (p - y) * x[i][c];
                    for (int d = 0; d <= c; d++) hess[c][d] += wgt * x[i][c] * x[i][d];
                }
            }
            for (int c = 0; c <= C; c++) {
                for (int d = 0; d < c; d++) hess[d][c] = hess[c][d];
                if (c < C) { hess[c][c] += ridge * n; grad[c] += ridge * n * beta[c]; }
                else hess[c][c] += 1e-9 * n;
            }
            double[] step = solve(hess, grad);
            double maxStep = 0;
            for (int c = 0; c <= C; c++) { beta[c] -= step[c]; maxStep = Math.max(maxStep, Math.abs(step[c])); }
            if (maxStep < 1e-10) break;
        }
        double[] w = java.util.Arrays.copyOf(beta, C);
        return new SpamHead(w, beta[C]);
    }

    /** Solves A x = b for symmetric positive definite A (Cholesky). */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) s -= l[i][k] * l[j][k];
                l[i][j] = i == j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j][j];
            }
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) { double s = b[i]; for (int k = 0; k < i; k++) s -= l[i][k] * y[k]; y[i] = s / l[i][i]; }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) { double s = y[i]; for (int k = i + 1; k < n; k++) s -= l[k][i] * x[k]; x[i] = s / l[i][i]; }
        return x;
    }
}
