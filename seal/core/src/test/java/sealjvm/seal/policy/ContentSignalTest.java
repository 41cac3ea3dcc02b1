package sealjvm.seal.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.Target;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Repo;

/** The content signal: the LM-loss gradient against finite differences, its low-rank factors, and the edit built from it. */
class ContentSignalTest {
    static final int[] CONTEXT = {464, 3139, 286, 6050, 1556, 318, 25116, 13, 632, 373, 9393, 287, 1105, 2919, 13};

    /** {@link #CONTEXT} within the model's vocabulary. */
    static int[] context(Gpt2Model m) {
        int[] ctx = new int[CONTEXT.length];
        for (int i = 0; i < ctx.length; i++) ctx[i] = CONTEXT[i] % m.config.vocabSize();
        return ctx;
    }

    static double loss(Gpt2Model m, int[] ctx) {
        int T = 32;
        int[] x = new int[T], y = new int[T];
        java.util.Arrays.fill(x, 50256 % m.config.vocabSize());
        java.util.Arrays.fill(y, -1);
        for (int t = 0; t + 1 < ctx.length; t++) { x[t] = ctx[t]; y[t] = ctx[t + 1]; }
        try (Gpt2Backprop bp = new Gpt2Backprop(m, 1, T, n -> false)) {
            return bp.forward(x, y);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheContextLoss() throws Exception {
        try (Gpt2Model m = Gpt2Model.load(Repo.root().resolve("weights/models/gpt2-tiny-random"))) {
            List<Target> targets = Target.parse("h.1.attn.c_proj", m.config);
            int[] ctx = context(m);
            float[] g;
            try (ContentSignal s = new ContentSignal(m, targets, 2)) { g = s.gradients(ctx)[0]; }
            Tensor w = m.params.get(targets.get(0).weightName());
            SplittableRandom rng = new SplittableRandom(3);
            double h = 1e-2;
            for (int trial = 0; trial < 6; trial++) {
                int i = rng.nextInt((int) w.size());
                float orig = w.get(i);
                w.set(i, (float) (orig + h));
                double up = loss(m, ctx);
                w.set(i, (float) (orig - h));
                double down = loss(m, ctx);
                w.set(i, orig);
                double fd = (up - down) / (2 * h);
                assertEquals(fd, g[i], 2e-3 + 0.05 * Math.abs(fd), "dL/dW[" + i + "]");
            }
        }
    }

    @Test
    void lowRankFactorsRecoverALowRankMatrix() {
        int in = 7, out = 5;
        SplittableRandom rng = new SplittableRandom(1);
        double[] u = new double[in * 2], v = new double[2 * out];
        for (int k = 0; k < u.length; k++) u[k] = rng.nextGaussian();
        for (int k = 0; k < v.length; k++) v[k] = rng.nextGaussian();
        float[] g = new float[in * out];
        for (int i = 0; i < in; i++) for (int j = 0; j < out; j++) g[i * out + j] = (float) (u[i * 2] * v[j] + u[i * 2 + 1] * v[out + j]);
        double[][] qr = ContentSignal.lowRank(g, in, out, 2, 9);
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                double s = 0;
                for (int p = 0; p < 2; p++) s += qr[0][i * 2 + p] * qr[1][p * out + j];
                assertEquals(g[i * out + j], s, 1e-4);
            }
        }
    }

    @Test
    void gradEditIsTheFactorEditMinusTheStepTimesTheDirection() throws Exception {
        try (Gpt2Model m = Gpt2Model.load(Repo.root().resolve("weights/models/gpt2-tiny-random")); Arena arena = Arena.ofConfined()) {
            List<Target> targets = Target.parse("h.0.mlp.c_proj,h.1.attn.c_proj", m.config);
            EditGenerator gen = new EditGenerator(new EditGenerator.Shape(targets, 2, 4f, m.config.nEmbd(), 8, 3));
            gen.initialize(5, 0.1);
            assertEquals(gen.shape.factorDim() + 2, gen.D);
            double[] z = gen.sample(gen.forward(new double[m.config.nEmbd()]).mean(), gen.noise(new SplittableRandom(2)));
            ContentSignal.Directions d;
            int[] ctx = context(m);
            try (ContentSignal s = new ContentSignal(m, targets, 3)) { d = s.of(ctx); }
            Edit both = gen.toEdit(z, d, arena), factors = gen.factorEdit(z, arena);
            for (int t = 0; t < targets.size(); t++) {
                Target tg = targets.get(t);
                double[] want = dense(factors.deltas().get(t), tg), got = dense(both.deltas().get(t), tg);
                float[] q = d.q().get(t), r = d.r().get(t);
                double eta = Math.exp(z[gen.shape.factorDim() + t]), dirNorm = 0;
                for (int i = 0; i < tg.in(); i++) {
                    for (int j = 0; j < tg.out(); j++) {
                        double c = 0;
                        for (int p = 0; p < 3; p++) c += q[i * 3 + p] * r[p * tg.out() + j];
                        dirNorm += c * c;
                        assertEquals(want[i * tg.out() + j] - eta * c, got[i * tg.out() + j], 1e-5);
                    }
                }
                assertEquals(1.0, Math.sqrt(dirNorm), 1e-4, "the direction has unit norm");
                assertTrue(d.gradNorm()[t] > 0);
            }
        }
    }

    @Test
    void fineTuneSignalIsTheContextsLoraFineTuneAndLowersItsLoss() throws Exception {
        try (Gpt2Model m = Gpt2Model.load(Repo.root().resolve("weights/models/gpt2-tiny-random"))) {
            List<Target> targets = Target.parse("h.0.mlp.c_proj,h.1.attn.c_proj", m.config);
            int[] ctx = context(m);
            ContentSignal.Directions d;
            try (ContentSignal s = ContentSignal.fineTune(m, targets, 2, 8, 1e-2)) { d = s.of(ctx); }
            try (var merged = new sealjvm.seal.edit.MergedEdits(m.params); var sft = new sealjvm.seal.sft.LoraSft(m, merged, targets);
                 Arena arena = Arena.ofShared()) {
                var o = new sealjvm.seal.sft.LoraSft.Options(2, 2, 8, 1e-2, 1, ContentSignal.FINE_TUNE_SEED);
                var data = List.of(sealjvm.seal.sft.LoraSft.Example.of(ctx));
                Edit fit = sft.train(data, o, arena).edit();
                for (int t = 0; t < targets.size(); t++) {
                    Target tg = targets.get(t);
                    double[] want = dense(fit.deltas().get(t), tg);
                    float[] q = d.q().get(t), r = d.r().get(t);
                    double fro = 0;
                    for (int i = 0; i < tg.in(); i++) {
                        for (int j = 0; j < tg.out(); j++) {
                            double c = 0;
                            for (int p = 0; p < 2; p++) c += q[i * 2 + p] * r[p * tg.out() + j];
                            assertEquals(-want[i * tg.out() + j], c, 1e-5, "Q·R = −ΔW of the fine-tune");
                            fro += want[i * tg.out() + j] * want[i * tg.out() + j];
                        }
                    }
                    assertTrue(fro > 0, "the fine-tune moved target " + tg.weightName());
                    assertEquals(Math.sqrt(fro), d.gradNorm()[t], 1e-5 * Math.sqrt(fro));
                }
                double[] grad = new double[sealjvm.seal.sft.LoraSft.paramCount(fit)];
                double before = sft.lossAndGrad(sft.init(o, arena), data, grad), after = sft.lossAndGrad(fit, data, grad);
                assertTrue(after < before - 1e-3, "the fitted edit lowers the context's loss: " + before + " -> " + after);
            }
        }
    }

    static double[] dense(LowRankDelta d, Target t) {
        double[] w = new double[t.in() * t.out()];
        int r = d.rank();
        for (int i = 0; i < t.in(); i++) for (int j = 0; j < t.out(); j++) {
            double s = 0;
            for (int p = 0; p < r; p++) s += d.a().get((long) i * r + p) * d.b().get((long) p * t.out() + j);
            w[i * t.out() + j] = s * d.scale();
        }
        return w;
    }
}
