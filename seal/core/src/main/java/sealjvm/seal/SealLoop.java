package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.policy.Adam;
import sealjvm.seal.policy.ContentSignal;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.rollout.GeneratorEpisode;
import sealjvm.seal.rollout.GeneratorRollouts;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.task.Scoring;
import sealjvm.seal.task.Task;

/**
 * The SEAL loop (Zweiger et al. 2025, with edits as low-rank weight deltas), one episode at a time:
 * <ol>
 *   <li>draw a context and held-out examples of the task;</li>
 *   <li>the frozen model reads the context; its mean-pooled final hidden state goes to the generator;</li>
 *   <li>sample K self-edits ΔW = (α/r)·A·B from the generator's Gaussian;</li>
 *   <li>apply them (as K adapters in one batched forward), score the held-out examples, revert (O(1));
 *       reward = gain over the unedited model − forgetting − edit size ({@link RewardFn});</li>
 *   <li>REINFORCE with a leave-one-out (or EMA) baseline, gradient clipping, Adam.</li>
 * </ol>
 * Each episode's randomness comes from (seed, episode) alone, and every kernel is deterministic,
 * so a run resumed from its checkpoint continues exactly as if it had never stopped.
 */
public final class SealLoop implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a run is in its training: everything a checkpoint must hold. */
    public static final class State {
        public final EditGenerator generator;
        public final Adam adam;
        public int episodesDone;
        public double emaBaseline;
        public int skipped;

        public State(EditGenerator generator, Adam adam) { this.generator = generator; this.adam = adam; }
    }

    private final TrainConfig config;
    private final Setup setup;
    private final State state;
    private final ContentSignal content;   // null for the MLP policy
    private final RolloutEngine rollouts;
    private double generalBase = Double.NaN;   // the frozen model's general-text log-likelihood, computed on the first episode
    private final sealjvm.gpt2.Gpt2Model.HeadPin headPin;   // the frozen model's head packed once for every episode's scoring

    public SealLoop(TrainConfig config, Setup setup, State state) throws java.io.IOException { this(config, setup, state, RolloutEngine.LOCAL); }

    public SealLoop(TrainConfig config, Setup setup, State state, RolloutEngine rollouts) throws java.io.IOException {
        this(config, setup, state, rollouts, null);
    }

    /**
     * A loop whose rollouts run on {@code rollouts} (the driver keeps the generator and Adam) and whose {@code sft}
     * policy keeps its fine-tune's choice in {@code runDir}.
     */
    public SealLoop(TrainConfig config, Setup setup, State state, RolloutEngine rollouts, java.nio.file.Path runDir) throws java.io.IOException {
        this.rollouts = rollouts;
        this.config = config;
        this.setup = setup;
        this.state = state;
        this.content = contentSignal(config, setup, runDir);
        this.headPin = setup.model().pinHead();
    }

    /** Where a run keeps the content fine-tune's steps and lr (the sft policy), chosen once on the heldout split. */
    public static final String CONTENT_SFT_FILE = "content_sft.json";

    /**
     * The content signal of the config's policy: none (mlp), the context's gradient (grad), or its LoRA fine-tune
     * (sft) with steps and lr chosen on the heldout split by the sft_passage grid (not extended: {@code Recipe.CONTENT}) at rank {@code contentRank},
     * cached in RUN/content_sft.json.
     */
    public static ContentSignal contentSignal(TrainConfig config, Setup setup, java.nio.file.Path runDir) throws java.io.IOException {
        return switch (config.policy()) {
            case MLP -> null;
            case GRAD -> new ContentSignal(setup.model(), setup.targets(), config.contentRank());
            case SFT -> {
                if (runDir == null) throw new IllegalArgumentException("the sft generator keeps its fine-tune's choice in a run folder");
                var choice = contentChoice(config, setup, runDir);
                yield ContentSignal.fineTune(setup.model(), setup.targets(), config.contentRank(), choice.steps(), choice.lr());
            }
        };
    }

    static sealjvm.seal.eval.Baselines.SftChoice contentChoice(TrainConfig config, Setup setup, java.nio.file.Path runDir) throws java.io.IOException {
        return contentChoice(config, setup, setup.task(), runDir);
    }

    private static <H> sealjvm.seal.eval.Baselines.SftChoice contentChoice(TrainConfig config, Setup setup, Task<H> task, java.nio.file.Path runDir)
            throws java.io.IOException {
        try (var b = new sealjvm.seal.eval.Baselines<>(setup.model(), task, setup.reward(), setup.targets(),
                config.contentRank(), config.contentRank(), sealjvm.seal.eval.Baselines.Recipe.CONTENT)) {
            return b.sftChoice(runDir.resolve(CONTENT_SFT_FILE), config.seed());
        }
    }

    /** The edit of latent {@code z} for a context whose content signal is {@code directions} (null: MLP policy). */
    public static Edit edit(EditGenerator gen, double[] z, ContentSignal.Directions directions, Arena arena) {
        return directions == null ? gen.toEdit(z, arena) : gen.toEdit(z, directions, arena);
    }

    /** A fresh generator and optimizer for {@code config}. */
    public static State initialState(TrainConfig config, Setup setup) {
        var shape = new EditGenerator.Shape(setup.targets(), config.rank(), config.alpha(), setup.model().config.nEmbd(), config.hidden(), config.contentRank());
        var gen = new EditGenerator(shape, config.noiseScope());
        gen.initialize(RandomStreams.mix(config.seed(), -1), config.initStd(), config.policy().initialLogStep());
        return new State(gen, new Adam(gen.parameterCount(), config.lr()));
    }

    /** Where a run keeps its static edit: the start of an {@code --init-edit static} policy and eval's control. */
    public static final String STATIC_EDIT_DIR = "static_edit";

    /**
     * A fresh state for a new run in {@code runDir}: {@link #initialState}, its factor edit moved to the run's static
     * edit when the config starts there (fitted now, or read from {@code RUN/static_edit}, the same edit eval compares with).
     */
    public static State initialState(TrainConfig config, Setup setup, java.nio.file.Path runDir) throws java.io.IOException {
        State s = initialState(config, setup);
        if (config.initEdit() == sealjvm.seal.policy.InitialEdit.STATIC) s.generator.startFactorsAt(staticEdit(config, setup, setup.task(), runDir));
        return s;
    }

    private static <H> Edit staticEdit(TrainConfig config, Setup setup, Task<H> task, java.nio.file.Path runDir) throws java.io.IOException {
        try (var b = new sealjvm.seal.eval.Baselines<>(setup.model(), task, setup.reward(), setup.targets(), config.rank(), config.alpha(),
                sealjvm.seal.eval.Baselines.Recipe.DEFAULT)) {
            // No norm cap: the trained edits' norm, eval's cap, is not known before training; eval reads this one back.
            return b.staticEdit(runDir.resolve(STATIC_EDIT_DIR), Double.POSITIVE_INFINITY, config.seed(), config.model(), Arena.ofAuto());
        }
    }

    /** {@link RandomStreams#episode}, kept under the loop's name for its callers. */
    public static SplittableRandom episodeRandom(long seed, long episode) { return RandomStreams.episode(seed, episode); }

    /** {@link RandomStreams#mix}, kept under the loop's name for its callers. */
    public static long mix(long seed, long i) { return RandomStreams.mix(seed, i); }

    /** Runs one training episode, updates the generator, and returns its metrics line. */
    public ObjectNode episode() { return episode(setup.task()); }

    private <H> ObjectNode episode(Task<H> task) {
        long t0 = System.nanoTime();
        int e = state.episodesDone;
        EditGenerator gen = state.generator;
        SplittableRandom rng = RandomStreams.episode(config.seed(), e);
        Task.Episode<H> ep = task.draw(Task.Stage.TRAIN, rng);

        EditGenerator.Forward f = gen.forward(Scoring.pooled(setup.backend(), ep.context()));
        ContentSignal.Directions directions = content == null ? null : content.of(ep.context());
        int K = config.samples();
        double[][] eps = gen.noises(rng, K, config.antithetic());
        if (Double.isNaN(generalBase) && rollouts == RolloutEngine.LOCAL) generalBase = GeneratorRollouts.generalBase(setup);
        RewardFn.Result r = rollouts.generator(new GeneratorEpisode(e, gen.theta, K, setup, gen, ep, f, directions, eps, generalBase));

        double[] adv = new double[K];
        double mean = Stats.mean(r.reward()), baseline;
        if (config.baseline() == TrainConfig.Baseline.RLOO) {
            double sum = mean * K;
            for (int k = 0; k < K; k++) adv[k] = r.reward()[k] - (sum - r.reward()[k]) / (K - 1);
            baseline = mean;
        } else {
            baseline = e == 0 ? mean : state.emaBaseline;   // the first episode has no history: center on itself
            for (int k = 0; k < K; k++) adv[k] = r.reward()[k] - baseline;
        }

        double[] grad = new double[gen.parameterCount()];
        double loss = gen.lossAndGradient(f, eps, adv, config.entropyBonus(), grad);
        double gradNorm = Adam.norm(grad);
        boolean finite = Double.isFinite(loss) && Double.isFinite(gradNorm) && Stats.allFinite(r.reward());
        if (finite) {
            Adam.clip(grad, config.clip());
            state.adam.lr = config.lrAt(e);
            state.adam.update(gen.theta, grad);
            state.emaBaseline = e == 0 ? mean : config.emaDecay() * state.emaBaseline + (1 - config.emaDecay()) * mean;
        } else {
            state.skipped++;
            System.err.println("warning: episode " + e + ": non-finite reward or gradient, update skipped (" + state.skipped + " so far)");
        }
        state.episodesDone++;

        ObjectNode m = JSON.createObjectNode();
        m.put("episode", e);
        m.put("reward_mean", mean);
        m.put("reward_std", Stats.std(r.reward()));
        m.put("baseline", baseline);
        m.put("loss", loss);
        m.put("grad_norm", gradNorm);
        m.put("edit_norm", Stats.mean(r.norm()));
        m.put("forgetting", Stats.mean(r.forgetting()));
        m.put("gain_mean", Stats.mean(r.gain()));
        m.put("base_score", r.baseScore());
        m.put("base_accuracy", r.baseAccuracy());
        m.put("edit_accuracy", Stats.mean(r.accuracy()));
        m.put("sigma_mean", meanSigma(gen));
        if (directions != null) {
            double eta = 0;
            for (int d = gen.shape.factorDim(); d < gen.D; d++) eta += Math.exp(f.mean()[d]) / (gen.D - gen.shape.factorDim());
            m.put("content_step_mean", eta);
        }
        m.put("lr", config.lrAt(e));
        m.put("skipped", state.skipped);
        m.put("seconds", (System.nanoTime() - t0) / 1e9);
        return m;
    }

    public State state() { return state; }

    @Override
    public void close() {
        headPin.close();
        if (content != null) content.close();
    }

    static double meanSigma(EditGenerator g) {
        double s = 0;
        for (int d = 0; d < g.D; d++) s += g.std(d);
        return s / g.D;
    }
}
