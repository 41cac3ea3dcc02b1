package sealjvm.gpt2.train;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import sealjvm.gpt2.Gpt2Params;
import sealjvm.tensor.Tensor;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) exactly as {@code torch.optim.AdamW} updates, over a {@link Gpt2Params}:
 * <pre>
 * θ ← θ·(1 − lr·wd)                 (decoupled weight decay, only where {@code decays} says so)
 * m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 * θ ← θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Moments are float32, one allocation each in the parameters' layout, so a checkpoint is three flat arrays.
 */
public final class AdamW implements AutoCloseable {
    public final float beta1, beta2, eps, weightDecay;
    /** First and second moments, in the layout of {@code params.all}. */
    public final Tensor m, v;
    private int step;
    private final Gpt2Params params;
    private final long[] ranges;    // [start, end) of each parameter
    private final boolean[] decay;  // per parameter
    private final Arena arena = Arena.ofShared();

    /** nanoGPT's grouping: decay the 2-D tensors (weights, embeddings), not biases and layernorm gains. */
    public static Predicate<String> decayMatrices(Gpt2Params params) {
        return name -> params.get(name).rank() >= 2;
    }

    public AdamW(Gpt2Params params, float beta1, float beta2, float eps, float weightDecay, Predicate<String> decays) {
        params.requireF32("AdamW (training)");
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        m = Tensor.allocate(arena, Math.toIntExact(params.all.size()));
        v = Tensor.allocate(arena, Math.toIntExact(params.all.size()));
        List<Long> r = new ArrayList<>();
        List<Boolean> d = new ArrayList<>();
        long off = 0;
        for (var e : params.byName().entrySet()) {
            long n = e.getValue().size();
            r.add(off);
            r.add(off + n);
            d.add(decays.test(e.getKey()));
            off += n;
        }
        ranges = r.stream().mapToLong(Long::longValue).toArray();
        decay = new boolean[d.size()];
        for (int i = 0; i < decay.length; i++) decay[i] = d.get(i);
    }

    /** Steps taken so far (t in the bias corrections). */
    public int step() { return step; }

    /** Restores the step count (with m and v, e.g. from a checkpoint). */
    public void setStep(int t) { step = t; }

    /** One update of the parameters from {@code grads} (same layout) at learning rate {@code lr}. */
    public void update(Gpt2Params grads, double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / bc1), bc2Sqrt = (float) Math.sqrt(bc2);
        float b1 = beta1, b2 = beta2, e = eps;
        Tensor p = params.all, g = grads.all;
        for (int i = 0; i < decay.length; i++) {
            float keep = decay[i] ? (float) (1 - lr * weightDecay) : 1f;
            final int idx = i;
            sealjvm.tensor.Parallel.forChunks(Math.toIntExact(ranges[2 * idx + 1] - ranges[2 * idx]), 4096, (s, t) -> {
                long start = ranges[2 * idx];
                for (long j = start + s; j < start + t; j++) {
                    float gj = g.get(j);
                    float mj = b1 * m.get(j) + (1 - b1) * gj;
                    float vj = b2 * v.get(j) + (1 - b2) * gj * gj;
                    m.set(j, mj);
                    v.set(j, vj);
                    float denom = (float) Math.sqrt(vj) / bc2Sqrt + e;
                    p.set(j, p.get(j) * keep - stepSize * (mj / denom));
                }
            });
        }
    }

    /**
     * Scales {@code grads} so their global L2 norm is at most {@code maxNorm} (torch's clip_grad_norm_, including
     * its 1e-6 in the denominator) and returns the norm before clipping. The sum runs in storage order, in double.
     */
    public static double clipGradNorm(Gpt2Params grads, double maxNorm) {
        Tensor g = grads.all;
        double ss = 0;
        for (long j = 0, n = g.size(); j < n; j++) { double x = g.get(j); ss += x * x; }
        double norm = Math.sqrt(ss);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (long j = 0, n = g.size(); j < n; j++) g.set(j, g.get(j) * c);
        }
        return norm;
    }

    @Override
    public void close() { arena.close(); }
}
