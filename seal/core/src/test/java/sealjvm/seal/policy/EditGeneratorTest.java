package sealjvm.seal.policy;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.Target;
import sealjvm.testsupport.Fixtures;

/** The hand-written REINFORCE gradient against PyTorch autograd and against finite differences. */
class EditGeneratorTest {
    static JsonNode fixture() { return Fixtures.json(Fixtures.path("policy/reinforce.json")); }

    static double[] doubles(JsonNode n) {
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) out[i] = n.get(i).doubleValue();
        return out;
    }

    static EditGenerator fromFixture(JsonNode fx) {
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : fx.get("targets")) {
            String[] p = t.get("name").asText().split("\\.", 3);
            targets.add(new Target(Integer.parseInt(p[1]), p[2], t.get("in").intValue(), t.get("out").intValue()));
        }
        var g = new EditGenerator(new EditGenerator.Shape(targets, fx.get("rank").intValue(), (float) fx.get("alpha").doubleValue(),
                fx.get("C").intValue(), fx.get("H").intValue()));
        System.arraycopy(doubles(fx.get("theta")), 0, g.theta, 0, g.theta.length);
        return g;
    }

    static double[][] eps(JsonNode fx) {
        double[][] e = new double[fx.get("K").intValue()][];
        for (int k = 0; k < e.length; k++) e[k] = doubles(fx.get("eps").get(k));
        return e;
    }

    static double maxRelErr(double[] want, double[] got) {
        double m = 0;
        for (int i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i] - got[i]) / Math.max(1e-8, Math.abs(want[i])));
        return m;
    }

    @Test
    void lossAndGradientMatchPyTorchAutograd() throws Exception {
        JsonNode fx = fixture();
        EditGenerator g = fromFixture(fx);
        double[] grad = new double[g.parameterCount()];
        double loss = g.lossAndGradient(g.forward(doubles(fx.get("h"))), eps(fx), doubles(fx.get("adv")), fx.get("beta").doubleValue(), grad);
        assertEquals(fx.get("loss").doubleValue(), loss, 1e-12);
        double err = maxRelErr(doubles(fx.get("grad")), grad);
        assertTrue(err <= 1e-5, "max relative gradient error vs PyTorch " + err);
    }

    @Test
    void adamStepsMatchTorchOptimAdam() throws Exception {
        JsonNode fx = fixture();
        EditGenerator g = fromFixture(fx);
        double[] h = doubles(fx.get("h")), adv = doubles(fx.get("adv"));
        Adam adam = new Adam(g.parameterCount(), fx.get("adam").get("lr").doubleValue());
        for (int s = 0; s < fx.get("adam").get("steps").intValue(); s++) {
            double[] grad = new double[g.parameterCount()];
            g.lossAndGradient(g.forward(h), eps(fx), adv, fx.get("beta").doubleValue(), grad);
            adam.update(g.theta, grad);
        }
        double[] want = doubles(fx.get("adam").get("theta"));
        for (int i = 0; i < want.length; i++) assertEquals(want[i], g.theta[i], 1e-10, "theta[" + i + "]");
    }

    /** Central differences on a fresh random generator: every parameter, relative error ≤ 1e-5. */
    @Test
    void gradientMatchesFiniteDifferences() {
        List<Target> targets = List.of(new Target(1, "mlp.c_proj", 4, 3), new Target(0, "attn.c_attn", 2, 6));
        var g = new EditGenerator(new EditGenerator.Shape(targets, 2, 2f, 6, 5));
        g.initialize(11, 0.3);
        var r = new SplittableRandom(5);
        for (int i = 0; i < g.theta.length; i++) g.theta[i] += r.nextGaussian() * 0.2; // away from the init's zeros
        double[] h = new double[6];
        for (int i = 0; i < h.length; i++) h[i] = r.nextGaussian();
        double[][] eps = {g.noise(r), g.noise(r), g.noise(r), g.noise(r)};
        double[] grad = new double[g.parameterCount()];
        double worst = worstErrorAgainstFiniteDifferences(g, h, eps, grad);
        assertTrue(worst <= 1e-5, "worst relative error vs finite differences " + worst);
    }

    /**
     * Noise on the content scales only: the gradient still matches central differences of the same loss, and the
     * factor part (its mean and its σ) gets exactly zero, so REINFORCE leaves it where it started.
     */
    @Test
    void contentNoiseScopeGradientMatchesFiniteDifferencesAndLeavesTheFactorsAlone() {
        List<Target> targets = List.of(new Target(1, "mlp.c_proj", 4, 3), new Target(0, "attn.c_attn", 2, 6));
        var shape = new EditGenerator.Shape(targets, 2, 2f, 6, 5, 3);
        var g = new EditGenerator(shape, NoiseScope.CONTENT);
        g.initialize(11, 0.3);
        var r = new SplittableRandom(5);
        for (int i = 0; i < g.theta.length; i++) g.theta[i] += r.nextGaussian() * 0.2;
        double[] h = new double[6];
        for (int i = 0; i < h.length; i++) h[i] = r.nextGaussian();
        double[][] eps = g.noises(r, 4, true);
        for (double[] e : eps) for (int d = 0; d < shape.factorDim(); d++) assertEquals(0.0, e[d], "factor dimension " + d + " is not sampled");
        double[] grad = new double[g.parameterCount()];
        double worst = worstErrorAgainstFiniteDifferences(g, h, eps, grad);
        assertTrue(worst <= 1e-5, "worst relative error vs finite differences " + worst);
        for (int d = 0; d < shape.factorDim(); d++) {
            assertEquals(0.0, grad[g.oB2 + d], "b2 of factor dimension " + d);
            assertEquals(0.0, grad[g.oLogStd + d], "logσ of factor dimension " + d);
            for (int j = 0; j < g.H; j++) assertEquals(0.0, grad[g.oW2 + j * g.D + d], "W2 of factor dimension " + d);
        }
        boolean contentMoves = false;
        for (int d = shape.factorDim(); d < g.D; d++) contentMoves |= grad[g.oB2 + d] != 0 && grad[g.oLogStd + d] != 0;
        assertTrue(contentMoves, "the content scales get a gradient");
    }

    @Test
    void antitheticNoisesComeInNegatedPairsAndPlainNoisesAreTheStream() {
        var g = new EditGenerator(new EditGenerator.Shape(List.of(new Target(0, "mlp.c_fc", 3, 5)), 2, 4f, 3, 3));
        double[][] pairs = g.noises(new SplittableRandom(9), 4, true);
        for (int k = 0; k < 4; k += 2) for (int d = 0; d < g.D; d++) assertEquals(-pairs[k][d], pairs[k + 1][d], "pair " + k / 2 + ", dimension " + d);
        assertNotEquals(pairs[0][0], pairs[2][0], "each pair draws fresh noise");
        var plain = g.noises(new SplittableRandom(9), 3, false);
        var rng = new SplittableRandom(9);
        for (int k = 0; k < 3; k++) assertArrayEquals(g.noise(rng), plain[k], "sample " + k);
        IllegalArgumentException odd = assertThrows(IllegalArgumentException.class, () -> g.noises(new SplittableRandom(1), 3, true));
        assertTrue(odd.getMessage().contains("even"), odd.getMessage());
        IllegalArgumentException noContent = assertThrows(IllegalArgumentException.class,
                () -> new EditGenerator(new EditGenerator.Shape(List.of(new Target(0, "mlp.c_fc", 3, 5)), 2, 4f, 3, 3), NoiseScope.CONTENT));
        assertTrue(noContent.getMessage().contains("content"), noContent.getMessage());
    }

    /**
     * The worst relative error of the hand-written gradient (written into {@code grad}) against central differences of
     * the same loss, for fixed advantages and β; the samples z_k are fixed constants (they were drawn), as in REINFORCE.
     */
    static double worstErrorAgainstFiniteDifferences(EditGenerator g, double[] h, double[][] eps, double[] grad) {
        double[] adv = {1.0, -0.3, 0.5, -1.2};
        double beta = 0.02;
        double[] mu0 = g.forward(h).mean();
        double[][] z = new double[eps.length][];
        for (int k = 0; k < eps.length; k++) z[k] = g.sample(mu0, eps[k]);
        g.lossAndGradient(g.forward(h), eps, adv, beta, grad);
        double worst = 0;
        for (int i = 0; i < g.theta.length; i++) {
            double keep = g.theta[i], step = 1e-5;
            g.theta[i] = keep + step;
            double up = fixedSampleLoss(g, h, z, adv, beta);
            g.theta[i] = keep - step;
            double down = fixedSampleLoss(g, h, z, adv, beta);
            g.theta[i] = keep;
            double fd = (up - down) / (2 * step);
            worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1e-6, Math.abs(fd) + Math.abs(grad[i])));
        }
        return worst;
    }

    static double fixedSampleLoss(EditGenerator g, double[] h, double[][] z, double[] adv, double beta) {
        double[] mu = g.forward(h).mean();
        double loss = 0;
        for (int k = 0; k < z.length; k++) loss -= adv[k] * g.logProb(z[k], mu) / z.length;
        return loss - beta * g.entropy();
    }

    @Test
    void editsCarryTheSampledFactors() {
        List<Target> targets = List.of(new Target(0, "mlp.c_fc", 3, 5));
        var g = new EditGenerator(new EditGenerator.Shape(targets, 2, 4f, 3, 3));
        double[] z = new double[g.D];
        for (int i = 0; i < z.length; i++) z[i] = i;
        try (Arena arena = Arena.ofShared()) {
            Edit e = g.toEdit(z, arena);
            assertEquals(5f, e.deltas().get(0).a().get(5));      // A (3,2) is z[0..6)
            assertEquals(6f, e.deltas().get(0).b().get(0));      // B (2,5) follows
            assertEquals(2f, e.deltas().get(0).scale());
        }
    }

    @Test
    void aGeneratorStartedAtAnEditProposesExactlyThatEditForEveryContext() {
        List<Target> targets = List.of(new Target(0, "mlp.c_fc", 6, 8), new Target(1, "attn.c_proj", 6, 6));
        var g = new EditGenerator(new EditGenerator.Shape(targets, 2, 2f, 5, 4, 3), NoiseScope.CONTENT);
        g.initialize(3, 0.01, -1);
        try (Arena arena = Arena.ofConfined()) {
            SplittableRandom r = new SplittableRandom(11);
            List<sealjvm.seal.edit.LowRankDelta> ds = new ArrayList<>();
            for (Target t : targets) {
                var a = sealjvm.tensor.Tensor.allocate(arena, t.in(), 2);
                var b = sealjvm.tensor.Tensor.allocate(arena, 2, t.out());
                for (long i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
                for (long i = 0; i < b.size(); i++) b.set(i, (float) r.nextGaussian());
                ds.add(new sealjvm.seal.edit.LowRankDelta(t, a, b, 2f));
            }
            Edit start = new Edit(ds);
            double[] contentPart = g.forward(new double[] {0.3, -1, 2, 0.5, -0.2}).mean();
            g.startFactorsAt(start);
            for (double[] h : new double[][] {{0.3, -1, 2, 0.5, -0.2}, {-3, 1, 0, 4, 2}}) {
                double[] mean = g.forward(h).mean();
                Edit e = g.factorEdit(mean, arena);
                for (int k = 0; k < targets.size(); k++) {
                    assertArrayEquals(start.deltas().get(k).a().toArray(), e.deltas().get(k).a().toArray());
                    assertArrayEquals(start.deltas().get(k).b().toArray(), e.deltas().get(k).b().toArray());
                }
                // The content scales still read the context: only the factor part was moved.
                if (h[0] == 0.3) {
                    for (int d = g.shape.factorDim(); d < g.D; d++) assertEquals(contentPart[d], mean[d], 0.0);
                }
            }
            var wrongRank = new Edit(List.of(ds.get(0), new sealjvm.seal.edit.LowRankDelta(targets.get(1),
                    sealjvm.tensor.Tensor.allocate(arena, 6, 1), sealjvm.tensor.Tensor.allocate(arena, 1, 6), 2f)));
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> g.startFactorsAt(wrongRank));
            assertTrue(ex.getMessage().contains("h.1.attn.c_proj") && ex.getMessage().contains("rank 1"), ex.getMessage());
        }
    }
}
