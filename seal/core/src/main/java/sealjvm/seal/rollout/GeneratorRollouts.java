package sealjvm.seal.rollout;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.seal.RewardFn;
import sealjvm.seal.SealLoop;
import sealjvm.seal.Setup;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.policy.ContentSignal;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.task.Scoring;
import sealjvm.seal.task.Task;

/**
 * The generator method's rollouts: sampled edits scored against the unedited model. An edit's scores do not depend
 * on which other edits share its batch (every row of the batched forward is computed alone, in a fixed order), so
 * any split of an episode's samples over workers gives the rewards of one batch of all of them, bit for bit.
 */
public final class GeneratorRollouts {
    private GeneratorRollouts() {}

    /** The rewards of samples {@code ks} (ascending) of an episode, in one batch with the unedited model. */
    public static SampleRewards evaluate(Setup setup, EditGenerator gen, Task.Episode ep, EditGenerator.Forward f,
                                         ContentSignal.Directions directions, double[][] noise, int[] ks) {
        return evaluate(setup, gen, ep, f, directions, noise, ks, Double.NaN);
    }

    /**
     * As above, with {@code generalBase} the unedited model's general-text log-likelihood ({@link #generalBase}; NaN:
     * scored in the batch): the same rewards, bit for bit.
     */
    public static SampleRewards evaluate(Setup setup, EditGenerator gen, Task.Episode ep, EditGenerator.Forward f,
                                         ContentSignal.Directions directions, double[][] noise, int[] ks, double generalBase) {
        RewardFn.Result r;
        try (Arena arena = Arena.ofShared()) {
            List<Edit> edits = new ArrayList<>();
            for (int k : ks) edits.add(SealLoop.edit(gen, gen.sample(f.mean(), noise[k]), directions, arena));
            r = setup.reward().evaluate(setup.model(), setup.task(), ep, edits, generalBase);
        }
        return new SampleRewards(ks.clone(), r.reward(), r.gain(), r.forgetting(), r.norm(), r.accuracy(), r.baseScore(), r.baseAccuracy());
    }

    /**
     * The unedited model's general-text log-likelihood under {@code setup}'s reward ({@link RewardFn#generalLogLik}):
     * the model is frozen during a run, so every episode's forgetting term can reuse it.
     */
    public static double generalBase(Setup setup) { return setup.reward().generalLogLik(setup.model()); }

    /** Puts the parts of an episode's K samples together, in sample order; every sample exactly once. */
    public static RewardFn.Result merge(int K, List<SampleRewards> parts) {
        double[] reward = new double[K], gain = new double[K], forget = new double[K], norm = new double[K], acc = new double[K];
        boolean[] seen = new boolean[K];
        SampleRewards first = null;
        for (SampleRewards p : parts) {
            if (p.samples().length == 0) continue;
            if (first == null) first = p;
            if (Double.doubleToRawLongBits(p.baseScore()) != Double.doubleToRawLongBits(first.baseScore())
                    || Double.doubleToRawLongBits(p.baseAccuracy()) != Double.doubleToRawLongBits(first.baseAccuracy())) {
                throw new IllegalStateException("workers disagree on the unedited model's score (" + first.baseScore() + " vs " + p.baseScore()
                        + "): they do not run the same model, data or code");
            }
            for (int j = 0; j < p.samples().length; j++) {
                int k = p.samples()[j];
                if (seen[k]) throw new IllegalStateException("sample " + k + " came back twice");
                seen[k] = true;
                reward[k] = p.reward()[j]; gain[k] = p.gain()[j]; forget[k] = p.forgetting()[j]; norm[k] = p.norm()[j]; acc[k] = p.accuracy()[j];
            }
        }
        for (int k = 0; k < K; k++) if (!seen[k]) throw new IllegalStateException("sample " + k + " did not come back");
        return new RewardFn.Result(reward, gain, forget, norm, first.baseScore(), first.baseAccuracy(), acc);
    }

    /**
     * What a worker keeps for a run (its own model, task, reward and a generator) and how it replays an episode from
     * (seed, index) alone: the same draws, in the same order, as {@link SealLoop#episode}.
     */
    public static final class Worker implements AutoCloseable {
        private final TrainConfig config;
        private final Setup setup;
        private final EditGenerator gen;
        private final ContentSignal content;
        private double generalBase = Double.NaN;   // the frozen model's, computed on the first episode

        /** A worker of the run in {@code runDir} (where an sft policy's fine-tune choice is kept). */
        public Worker(TrainConfig config, Setup setup, java.nio.file.Path runDir) throws java.io.IOException {
            this.config = config;
            this.setup = setup;
            this.gen = SealLoop.initialState(config, setup).generator;
            this.content = SealLoop.contentSignal(config, setup, runDir);
        }

        /** The rewards of samples {@code ks} (ascending) of episode {@code index} under parameters {@code theta}. */
        public SampleRewards run(int index, double[] theta, int[] ks) {
            if (theta.length != gen.theta.length) throw new IllegalArgumentException("parameters of " + theta.length + " values for a generator of " + gen.theta.length);
            if (ks.length == 0) return new SampleRewards(ks, new double[0], new double[0], new double[0], new double[0], new double[0], 0, 0);
            System.arraycopy(theta, 0, gen.theta, 0, theta.length);
            SplittableRandom rng = SealLoop.episodeRandom(config.seed(), index);
            Task.Episode ep = setup.task().draw(Task.Stage.TRAIN, rng);
            EditGenerator.Forward f = gen.forward(Scoring.pooled(setup.model(), ep.context()));
            ContentSignal.Directions directions = content == null ? null : content.of(ep.context());
            double[][] noise = gen.noises(rng, config.samples(), config.antithetic());
            if (Double.isNaN(generalBase)) generalBase = generalBase(setup);
            return evaluate(setup, gen, ep, f, directions, noise, ks, generalBase);
        }

        public Setup setup() { return setup; }

        @Override
        public void close() {
            if (content != null) content.close();
            setup.close();
        }
    }
}
