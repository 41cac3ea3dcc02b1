package sealjvm.seal.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.seal.edit.Target;

/**
 * A toy problem REINFORCE must solve with the generator's hand-written gradient: two contexts, each with its own best
 * edit vector z*, reward −‖z − z*(context)‖². The policy must learn both (a context-dependent optimum); with the
 * gradient's sign flipped it moves away, so the test fails.
 */
class ReinforceToyTest {
    static double train(double sign) {
        EditGenerator g = new EditGenerator(new EditGenerator.Shape(List.of(new Target(0, "mlp.c_proj", 3, 2)), 1, 1f, 2, 16));
        g.initialize(3, 0.3);
        Adam adam = new Adam(g.parameterCount(), 0.03);
        double[][] inputs = {{1, 0}, {0, 1}};
        double[][] best = {{0.5, -0.5, 0.5, 1, -1}, {-0.5, 0.5, -0.5, -1, 1}};
        SplittableRandom rng = new SplittableRandom(1);
        int K = 8;
        for (int step = 0; step < 600; step++) {
            int c = step % 2;
            EditGenerator.Forward f = g.forward(inputs[c]);
            double[][] eps = new double[K][];
            double[] r = new double[K], adv = new double[K];
            double sum = 0;
            for (int k = 0; k < K; k++) {
                eps[k] = g.noise(rng);
                double[] z = g.sample(f.mean(), eps[k]);
                for (int d = 0; d < z.length; d++) r[k] -= (z[d] - best[c][d]) * (z[d] - best[c][d]);
                sum += r[k];
            }
            for (int k = 0; k < K; k++) adv[k] = r[k] - (sum - r[k]) / (K - 1);
            double[] grad = new double[g.parameterCount()];
            g.lossAndGradient(f, eps, adv, 0, grad);
            for (int i = 0; i < grad.length; i++) grad[i] *= sign;
            Adam.clip(grad, 1);
            adam.update(g.theta, grad);
        }
        double dist = 0;
        for (int c = 0; c < 2; c++) {
            double[] mu = g.forward(inputs[c]).mean();
            for (int d = 0; d < mu.length; d++) dist += (mu[d] - best[c][d]) * (mu[d] - best[c][d]);
        }
        return Math.sqrt(dist);
    }

    @Test
    void reinforceFindsTheContextDependentOptimum() {
        double initial = Math.sqrt(2 * (3 * 0.25 + 2));   // the optimum's norm: where a zero-mean policy starts
        double learned = train(1);
        assertTrue(learned < 0.15 * initial, "distance to the optimum after training " + learned + " (start ~" + initial + ")");
        assertTrue(train(-1) > initial, "with the gradient's sign flipped the policy must move away");
    }
}
