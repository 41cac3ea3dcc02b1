package sealjvm.seal.policy;

/** Adam (Kingma & Ba) over one parameter vector, with optional global-norm gradient clipping. */
public final class Adam {
    public double lr;
    public final double beta1, beta2, eps;
    public final double[] m, v;
    public long step;

    public Adam(int n, double lr, double beta1, double beta2, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        m = new double[n];
        v = new double[n];
    }

    public Adam(int n, double lr) { this(n, lr, 0.9, 0.999, 1e-8); }

    public static double norm(double[] g) {
        double s = 0;
        for (double x : g) s += x * x;
        return Math.sqrt(s);
    }

    /** Scales g so its L2 norm is at most {@code maxNorm} (≤ 0: no clipping); returns the norm before. */
    public static double clip(double[] g, double maxNorm) {
        double n = norm(g);
        if (maxNorm > 0 && n > maxNorm) {
            double s = maxNorm / n;
            for (int i = 0; i < g.length; i++) g[i] *= s;
        }
        return n;
    }

    /** θ ← θ − lr·m̂/(√v̂ + ε), PyTorch's torch.optim.Adam (no weight decay). */
    public void update(double[] theta, double[] g) {
        step++;
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < theta.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            theta[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
    }
}
