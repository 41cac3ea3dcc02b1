package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.task.Scoring;
import sealjvm.seal.task.Task;
import sealjvm.tensor.Tensor;

/**
 * Held-out evaluation of a trained generator on the task's eval split, against three baselines,
 * all scored with the run's own reward function on the same episodes:
 * <ul>
 *   <li>{@code no_edit}: the unedited model (reward 0 by definition: no gain, no forgetting, no size);</li>
 *   <li>{@code random_edit}: random factors rescaled so each target's ‖ΔW‖ equals the trained edit's;</li>
 *   <li>{@code mean_edit}: one context-independent edit, the generator's mean at the average pooled
 *       state of 64 training contexts — what context-specific edits have to beat.</li>
 * </ul>
 * {@code trained} is the generator's mean edit μ(context) (no sampling noise).
 */
public final class SealEval {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SealEval() {}

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed) throws IOException {
        RunDir run = new RunDir(runDir);
        TrainConfig config = run.readConfig();
        if (!Files.exists(run.checkpoint())) throw new IllegalArgumentException(runDir + ": no checkpoint.safetensors to evaluate");
        if (episodes < 2) throw new IllegalArgumentException("--episodes must be >= 2 for an interval, got " + episodes);
        try (Setup setup = Setup.create(config, home, runDir)) {
            SealLoop.State state = SealLoop.initialState(config, setup);
            run.loadCheckpoint(state);
            EditGenerator gen = state.generator;

            double[] meanInput = new double[gen.C];
            for (int i = 0; i < 64; i++) {
                Task.Episode ep = setup.task().draw(Task.Stage.TRAIN, SealLoop.episodeRandom(seed ^ 0x5EA1L, i));
                double[] h = Scoring.pooled(setup.model(), ep.context());
                for (int c = 0; c < gen.C; c++) meanInput[c] += h[c] / 64;
            }
            double[] meanEditZ = gen.forward(meanInput).mean();

            double[][] rewards = new double[3][episodes], gains = new double[3][episodes], accs = new double[4][episodes];
            for (int e = 0; e < episodes; e++) {
                SplittableRandom rng = SealLoop.episodeRandom(seed, e);
                Task.Episode ep = setup.task().draw(Task.Stage.EVAL, rng);
                double[] z = gen.forward(Scoring.pooled(setup.model(), ep.context())).mean();
                try (Arena arena = Arena.ofShared()) {
                    Edit trained = gen.toEdit(z, arena);
                    Edit random = sameNormRandom(trained, rng, arena);
                    Edit mean = gen.toEdit(meanEditZ, arena);
                    RewardFn.Result r = setup.reward().evaluate(setup.model(), setup.task(), ep, List.of(trained, random, mean));
                    for (int k = 0; k < 3; k++) {
                        rewards[k][e] = r.reward()[k];
                        gains[k][e] = r.gain()[k];
                        accs[k + 1][e] = r.accuracy()[k];
                    }
                    accs[0][e] = r.baseAccuracy();
                }
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("task", config.task());
            out.put("episodes", episodes);
            out.put("trained", SealLoop.mean(rewards[0]));
            out.put("no_edit", 0.0);
            out.put("random_edit", SealLoop.mean(rewards[1]));
            out.put("mean_edit", SealLoop.mean(rewards[2]));
            putInterval(out, "trained_minus_no_edit_ci95", rewards[0], new double[episodes], seed);
            putInterval(out, "trained_minus_random_edit_ci95", rewards[0], rewards[1], seed);
            putInterval(out, "trained_minus_mean_edit_ci95", rewards[0], rewards[2], seed);
            ObjectNode g = out.putObject("task_gain");
            g.put("trained", SealLoop.mean(gains[0]));
            g.put("random_edit", SealLoop.mean(gains[1]));
            g.put("mean_edit", SealLoop.mean(gains[2]));
            ObjectNode a = out.putObject("accuracy");
            a.put("no_edit", SealLoop.mean(accs[0]));
            a.put("trained", SealLoop.mean(accs[1]));
            a.put("random_edit", SealLoop.mean(accs[2]));
            a.put("mean_edit", SealLoop.mean(accs[3]));
            return out;
        }
    }

    /** Random Gaussian factors, each target rescaled so its ‖ΔW‖ equals {@code like}'s. */
    static Edit sameNormRandom(Edit like, SplittableRandom rng, Arena arena) {
        List<LowRankDelta> out = new ArrayList<>();
        for (LowRankDelta d : like.deltas()) {
            Tensor a = Tensor.allocate(arena, d.a().shape()), b = Tensor.allocate(arena, d.b().shape());
            for (long i = 0; i < a.size(); i++) a.set(i, (float) rng.nextGaussian());
            for (long i = 0; i < b.size(); i++) b.set(i, (float) rng.nextGaussian());
            LowRankDelta raw = new LowRankDelta(d.target(), a, b, d.alpha());
            double want = d.frobeniusNorm(), have = raw.frobeniusNorm();
            float s = (float) Math.sqrt(have == 0 ? 0 : want / have);   // split the factor between A and B
            for (long i = 0; i < a.size(); i++) a.set(i, a.get(i) * s);
            for (long i = 0; i < b.size(); i++) b.set(i, b.get(i) * s);
            out.add(raw);
        }
        return new Edit(out);
    }

    /** 95% bootstrap percentile interval of mean(x − y) over paired episodes (10,000 resamples, seeded). */
    public static double[] bootstrapCi(double[] x, double[] y, long seed) {
        int n = x.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = x[i] - y[i];
        var rng = new SplittableRandom(seed ^ 0xB007L);
        double[] means = new double[10_000];
        for (int b = 0; b < means.length; b++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += d[rng.nextInt(n)];
            means[b] = s / n;
        }
        Arrays.sort(means);
        return new double[] {means[249], means[9749]};
    }

    private static void putInterval(ObjectNode out, String key, double[] x, double[] y, long seed) {
        double[] ci = bootstrapCi(x, y, seed);
        out.putArray(key).add(ci[0]).add(ci[1]);
    }
}
