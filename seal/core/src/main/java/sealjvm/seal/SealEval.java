package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.eval.ArmResults;
import sealjvm.seal.eval.EvalPool;
import sealjvm.seal.eval.EvalSlice;
import sealjvm.seal.eval.Baselines;
import sealjvm.seal.eval.FactsProbe;
import sealjvm.seal.eval.SequentialEval;
import sealjvm.seal.policy.ContentSignal;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Scoring;
import sealjvm.seal.task.SpamTask;
import sealjvm.seal.task.Task;
import sealjvm.tensor.Placement;

/**
 * Held-out evaluation of a trained generator: the first N episodes of the task's eval split, each used once, every
 * arm scored on the same episodes by the same scorer and reward:
 * <ul>
 *   <li>{@code no_edit}: the unedited model;</li>
 *   <li>{@code static_edit}: the best context-free edit ({@link Baselines}; spam: the generator's edit at the mean
 *       training input, since spam's frozen-head score has no fine-tuning form);</li>
 *   <li>{@code shuffled_context}: the trained generator fed another eval episode's context (same relation mix);</li>
 *   <li>{@code sft_passage}: LoRA fine-tuning on the context (facts, lm);</li>
 *   <li>{@code head_recalibration} (spam): the frozen head's bias refit on the context's labels;</li>
 *   <li>{@code trained}: the generator's mean edit μ(context) (no sampling noise).</li>
 * </ul>
 * The primary comparison is {@code trained − static_edit}: does the edit use the context?
 */
public final class SealEval {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Eval episodes read when none are asked for (capped by {@link EvalSlice#defaultCount}). */
    public static final int DEFAULT_EPISODES = 200;

    private SealEval() {}

    /** The arms of a generator run on {@code task}, in output order. */
    static List<String> arms(String task) {
        return switch (task) {
            case "spam" -> List.of("no_edit", "static_edit", "shuffled_context", "head_recalibration", "trained");
            default -> List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "trained");
        };
    }

    /**
     * The sft_passage control's rank: the run's edit rank, or, for a policy with a content part, the larger of that and
     * its content rank, so the control fine-tunes at least at the rank of the policy's own content fine-tune.
     */
    static int passageRank(TrainConfig c) { return c.policy() == sealjvm.seal.policy.EditPolicy.MLP ? c.rank() : Math.max(c.rank(), c.contentRank()); }

    /** The control's α: the run's for its own rank; α = rank (scale 1, as the content fine-tune) at a content rank. */
    static float passageAlpha(TrainConfig c) { return passageRank(c) == c.rank() ? c.alpha() : passageRank(c); }

    /** Where a run keeps the control's steps and lr: sft_passage.json at the run's rank, sft_passage_rankR.json at another. */
    static String passageChoiceFile(TrainConfig c) { return passageRank(c) == c.rank() ? "sft_passage.json" : "sft_passage_rank" + passageRank(c) + ".json"; }

    static <H> Baselines<H> passageBaselines(Setup setup, Task<H> task, TrainConfig c, Baselines.Recipe recipe) {
        return new Baselines<>(setup.model(), task, setup.reward(), setup.targets(), passageRank(c), passageAlpha(c), recipe);
    }

    /** For each episode, another of the same kind (the next one cyclically), or simply the next one. */
    public static <H> int[] partners(Task<H> task, List<Task.Episode<H>> eps) {
        int n = eps.size();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            String kind = task.kind(eps.get(i));
            out[i] = (i + 1) % n;
            for (int d = 1; d < n; d++) {
                if (task.kind(eps.get((i + d) % n)).equals(kind)) { out[i] = (i + d) % n; break; }
            }
        }
        return out;
    }

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed) throws IOException {
        return evaluate(home, runDir, episodes, seed, Baselines.Recipe.DEFAULT);
    }

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed, Baselines.Recipe recipe) throws IOException {
        return evaluate(home, runDir, episodes, seed, recipe, Placement.CPU);
    }

    /** The arms of a generator run, its scoring forwards on {@code placement} (controls that merge edits run on the CPU). */
    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed, Baselines.Recipe recipe, Placement placement)
            throws IOException {
        return evaluate(home, runDir, null, episodes, seed, recipe, placement, List.of());
    }

    /**
     * The arms on the run's model with PEFT {@code adapters} merged into it (none: the run's own model); the controls
     * fitted on that model are cached in {@code RUN/eval-adapters-HASH/} instead of the run folder. The eval reads
     * {@code episodes} eval episodes from {@code firstEpisode} (null: as the run's seed picks, {@link EvalSlice}); null
     * {@code episodes}: {@link #DEFAULT_EPISODES}, at most a third of the split ({@link EvalSlice#defaultCount}). The
     * result, with every episode's values, is also written to {@link EvalPool#EVAL_FILE} there.
     */
    public static ObjectNode evaluate(Path home, Path runDir, Integer firstEpisode, Integer episodes, long seed, Baselines.Recipe recipe,
                                      Placement placement, List<Path> adapters) throws IOException {
        RunDir run = new RunDir(runDir);
        Path cache = adapters.isEmpty() ? runDir : runDir.resolve(sealjvm.seal.edit.Adapters.cacheName(adapters));
        Files.createDirectories(cache);
        TrainConfig config = run.readConfig();
        if (!Files.exists(run.checkpoint())) throw new IllegalArgumentException(runDir + ": no checkpoint.safetensors to evaluate");
        if (episodes != null && episodes < 2) throw new IllegalArgumentException("--episodes must be >= 2 for an interval, got " + episodes);
        long t0 = System.nanoTime();
        try (Setup setup = Setup.create(config, home, runDir, placement, adapters)) {
            return arms(setup, setup.task(), config, run, runDir, cache, adapters, firstEpisode, episodes, seed, recipe, t0);
        }
    }

    /** {@code cache}: where the controls fitted on the model are kept (the run folder, or RUN/eval-adapters-HASH). */
    private static <H> ObjectNode arms(Setup setup, Task<H> task, TrainConfig config, RunDir run, Path runDir, Path cache, List<Path> adapters,
                                       Integer firstEpisode, Integer episodes, long seed,
                                       Baselines.Recipe recipe, long t0) throws IOException {
        try (Baselines<H> baselines = new Baselines<>(setup.model(), task, setup.reward(), setup.targets(), config.rank(), config.alpha(), recipe);
             Baselines<H> passage = passageBaselines(setup, task, config, recipe);
             ContentSignal content = SealLoop.contentSignal(config, setup, runDir);
             Arena keep = Arena.ofShared()) {
            SealLoop.State state = SealLoop.initialState(config, setup);
            run.loadCheckpoint(state);
            EditGenerator gen = state.generator;
            boolean spam = task instanceof SpamTask;
            int split = task.episodeCount(Task.Stage.EVAL);
            EvalSlice slice = EvalSlice.of(firstEpisode, episodes != null ? episodes : EvalSlice.defaultCount(DEFAULT_EPISODES, split), split, config.seed());
            int n = slice.count();
            if (n < 2) {
                throw new IllegalArgumentException((firstEpisode != null ? "--first-episode " + firstEpisode + ": one " + task.name() + " eval episode is left"
                        : "the " + task.name() + " eval split has " + n + " episode(s)") + ", too few for an interval");
            }
            List<Task.Episode<H>> eps = task.episodes(Task.Stage.EVAL, slice.first(), n);
            int[] partner = partners(task, eps);

            // The norm budget of the static edit: the trained edits' mean ‖ΔW‖ on heldout contexts.
            int budgetN = Math.min(64, task.episodeCount(Task.Stage.HELDOUT));
            double budget = 0;
            for (Task.Episode<H> ep : task.episodes(Task.Stage.HELDOUT, budgetN)) {
                try (Arena a = Arena.ofShared()) {
                    budget += SealLoop.edit(gen, gen.forward(Scoring.pooled(setup.backend(), ep.context())).mean(),
                            content == null ? null : content.of(ep.context()), a).frobeniusNorm() / budgetN;
                }
            }
            Edit staticEdit;
            String staticMethod;
            if (spam) {
                double[] meanInput = new double[gen.C];
                for (int i = 0; i < 64; i++) {
                    Task.Episode<H> ep = task.draw(Task.Stage.TRAIN, RandomStreams.episode(config.seed() ^ 0x5EA1L, i));
                    double[] h = Scoring.pooled(setup.backend(), ep.context());
                    for (int c = 0; c < gen.C; c++) meanInput[c] += h[c] / 64;
                }
                staticEdit = gen.factorEdit(gen.forward(meanInput).mean(), keep);
                staticMethod = "the trained generator's edit at the mean input of 64 training contexts";
            } else {
                staticEdit = baselines.staticEdit(cache.resolve(SealLoop.STATIC_EDIT_DIR), budget, config.seed(), config.model(), keep);
                staticMethod = "backprop (see static_edit/static_edit.json)";
            }
            Baselines.SftChoice sftChoice = spam ? null : passage.sftChoice(cache.resolve(passageChoiceFile(config)), config.seed());

            double[][] pooled = new double[n][];
            for (int i = 0; i < n; i++) pooled[i] = Scoring.pooled(setup.backend(), eps.get(i).context());
            ContentSignal.Directions[] directions = new ContentSignal.Directions[n];
            if (content != null) for (int i = 0; i < n; i++) directions[i] = content.of(eps.get(i).context());

            ArmResults results = new ArmResults(arms(task.name()), "trained");
            for (int i = 0; i < n; i++) {
                Task.Episode<H> ep = eps.get(i);
                try (Arena arena = Arena.ofShared()) {
                    Edit trained = SealLoop.edit(gen, gen.forward(pooled[i]).mean(), directions[i], arena);
                    Edit shuffled = SealLoop.edit(gen, gen.forward(pooled[partner[i]]).mean(), directions[partner[i]], arena);
                    List<String> names = new ArrayList<>(List.of("static_edit", "shuffled_context", "trained"));
                    List<Edit> edits = new ArrayList<>(List.of(staticEdit, shuffled, trained));
                    if (sftChoice != null) {
                        names.add("sft_passage");
                        edits.add(passage.passageEdit(ep, sftChoice, RandomStreams.mix(seed, slice.first() + i), arena));
                    }
                    Task.Detail d = task.detail(setup.backend(), ep, edits, true);
                    double[] forget = setup.reward().forgetting(setup.backend(), edits);
                    results.episode(slice.first() + i, d.group());
                    results.add("no_edit", row(d.correct(), 0), new double[d.units()], row(d.margin(), 0), 0);
                    for (int k = 0; k < edits.size(); k++) {
                        double[] gain = minus(d.score()[k + 1], d.score()[0]);
                        double r = setup.reward().reward(Stats.mean(gain), forget[k], edits.get(k).frobeniusNorm());
                        results.add(names.get(k), row(d.correct(), k + 1), gain, row(d.margin(), k + 1), r);
                    }
                    if (spam) {
                        Task.Detail h = SpamTask.headRecalibration(task, setup.backend(), ep);
                        double[] gain = minus(h.score()[1], h.score()[0]);
                        results.add("head_recalibration", h.correct()[1], gain, null, Stats.mean(gain));
                    }
                }
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("method", "generator").put("task", task.name()).put("episodes", n).put("first_episode", slice.first())
                    .put("eval_split_size", task.episodeCount(Task.Stage.EVAL));
            out.put("seed", seed).put("episodes_trained", state.episodesDone);
            if (!adapters.isEmpty()) {
                var a = out.putArray("adapters");
                for (Path d : adapters) a.add(d.toString());
            }
            out.put("primary", "trained_minus_static_edit");
            out.setAll(results.toJson(seed));
            ObjectNode notes = out.putObject("controls");
            notes.put("static_edit", staticMethod);
            notes.put("static_edit_norm", staticEdit.frobeniusNorm());
            notes.put("norm_budget", budget);
            if (sftChoice != null) {
                notes.put("sft_passage", "LoRA on the context, rank " + passageRank(config) + ", alpha " + passageAlpha(config) + ", " + sftChoice.steps()
                        + " steps, lr " + sftChoice.lr() + " (chosen on the heldout split, " + passageChoiceFile(config) + ")");
            }
            if (task instanceof FactsTask) out.set("reference", inContext(setup, eps));
            out.put("seconds", (System.nanoTime() - t0) / 1e9);
            EvalPool.write(cache, out, runDir, config.seed(), results, null);
            return out;
        }
    }

    /**
     * {@link SequentialEval} for the trained generator and for sft_passage on the facts eval split: a JSON line per
     * step to {@code lines}; returns the summary per arm.
     */
    public static ObjectNode sequential(Path home, Path runDir, int steps, long seed, int[] pplTokens,
                                        java.util.function.Consumer<ObjectNode> lines) throws IOException {
        return sequential(home, runDir, steps, seed, pplTokens, lines, Placement.CPU);
    }

    /**
     * {@link #sequential(Path, Path, int, long, int[], java.util.function.Consumer)} with the run's setup on
     * {@code placement}; every step merges into and scores the host model.
     */
    public static ObjectNode sequential(Path home, Path runDir, int steps, long seed, int[] pplTokens,
                                        java.util.function.Consumer<ObjectNode> lines, Placement placement) throws IOException {
        RunDir run = new RunDir(runDir);
        TrainConfig config = run.readConfig();
        try (Setup setup = Setup.create(config, home, runDir, placement)) {
            if (!(setup.task() instanceof FactsTask facts)) throw new IllegalArgumentException("--sequential needs a facts run; " + runDir + " is " + config.task());
            return sequential(setup, facts, config, run, runDir, steps, seed, pplTokens, lines);
        }
    }

    private static ObjectNode sequential(Setup setup, FactsTask facts, TrainConfig config, RunDir run, Path runDir, int steps, long seed,
                                         int[] pplTokens, java.util.function.Consumer<ObjectNode> lines) throws IOException {
        try (Baselines<FactsTask.Heldout> baselines = passageBaselines(setup, facts, config, Baselines.Recipe.DEFAULT);
             ContentSignal content = SealLoop.contentSignal(config, setup, runDir)) {
            SealLoop.State state = SealLoop.initialState(config, setup);
            run.loadCheckpoint(state);
            EditGenerator gen = state.generator;
            Baselines.SftChoice sft = baselines.sftChoice(runDir.resolve(passageChoiceFile(config)), config.seed());
            ObjectNode out = JSON.createObjectNode();
            out.set("trained", SequentialEval.run(setup.model(), facts, "trained", steps,
                    (ep, i, arena) -> SealLoop.edit(gen, gen.forward(Scoring.pooled(setup.model(), ep.context())).mean(),
                            content == null ? null : content.of(ep.context()), arena),
                    pplTokens, lines));
            out.set("sft_passage", SequentialEval.run(setup.model(), facts, "sft_passage", steps,
                    (ep, i, arena) -> baselines.passageEdit(ep, sft, RandomStreams.mix(seed, i), arena),
                    pplTokens, lines));
            return out;
        }
    }


    /** Facts: the unedited model's accuracy with the passage in the window (the ceiling) and without it ({@link FactsProbe}). */
    static ObjectNode inContext(Setup setup, List<? extends Task.Episode<?>> eps) {
        List<sealjvm.seal.data.Facts.Passage> passages = new ArrayList<>();
        for (Task.Episode<?> ep : eps) if (ep.heldout() instanceof FactsTask.Heldout h) passages.add(h.passage());
        FactsProbe.Result in = FactsProbe.run(setup.backend(), setup.tokenizer(), passages, true);
        FactsProbe.Result out = FactsProbe.run(setup.backend(), setup.tokenizer(), passages, false);
        ObjectNode n = JSON.createObjectNode();
        n.put("in_context_accuracy", in.all().accuracy()).put("no_context_accuracy", out.all().accuracy());
        n.put("in_context_loglik", in.all().meanLogLik()).put("no_context_loglik", out.all().meanLogLik());
        return n;
    }

    static double[] row(double[][] m, int j) { return m == null ? null : m[j]; }

    static double[] minus(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i] - b[i];
        return d;
    }

}
