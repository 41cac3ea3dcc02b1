package sealjvm.seal.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.RandomStreams;
import sealjvm.seal.RewardFn;
import sealjvm.seal.SealEval;
import sealjvm.seal.SealLoop;
import sealjvm.seal.Stats;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.eval.ArmResults;
import sealjvm.seal.eval.Baselines;
import sealjvm.seal.eval.EvalPool;
import sealjvm.seal.eval.EvalSlice;
import sealjvm.seal.eval.SequentialEval;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;

/**
 * Held-out evaluation of a text-SEAL run: N passages of the facts eval split, each used once (which N: {@link
 * EvalSlice}, by default chosen by the run's seed); every arm
 * is an edit of the same base model by a LoRA fine-tune of the inner loop's targets and rank, judged on the same
 * questions asked without the passage:
 * <ul>
 *   <li>{@code no_edit}: the base model;</li>
 *   <li>{@code static_edit}: one context-free LoRA, fitted by backprop on training questions ({@link Baselines});</li>
 *   <li>{@code shuffled_context}: passage + the trained policy's self-edit for ANOTHER eval passage (same relations);</li>
 *   <li>{@code sft_passage}: fine-tune on the passage alone, steps and lr chosen on the heldout split;</li>
 *   <li>{@code untrained_self_edit}: passage + a self-edit sampled from the base model;</li>
 *   <li>{@code trained}: passage + a self-edit sampled from the trained policy.</li>
 * </ul>
 * (With {@code innerData} "edit" the self-edit arms train on the self-edit alone.) The self-edit arms fine-tune with
 * the run's inner recipe and the same LoRA initialization; both samplers use the same seed per passage. A diagnostic,
 * {@code oracle_qa_self_edit}, uses the held-out questions with their answers as the self-edit: it has seen the test,
 * so it is no method — it measures how much room a self-edit has at all; its lines are kept whole whatever the run's
 * split (a sentence split would teach each answer apart from its question). Reward = gain (text-SEAL's reward).
 * Primary comparisons: {@code trained − sft_passage} (the paper's claim) and {@code trained − static_edit}.
 */
public final class TextSealEval {
    static final List<String> ARMS = List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "untrained_self_edit", "trained");

    /** Eval passages read when none are asked for (capped by {@link EvalSlice#defaultCount}). */
    public static final int DEFAULT_EPISODES = 100;
    /**
     * Draws per passage when none are asked for. With D draws each draw samples the self-edits and initializes the
     * fine-tunes anew (draw d as a one-draw eval with seed + d would), and every arm's values are averaged over the
     * draws before the passage enters the means and the bootstrap. Two draws' per-passage differences correlated at
     * only 0.28, so most of a passage's noise is the draw's and D = 2 narrows an interval by about a quarter; it also
     * doubles the eval's time, which would take the default text train + eval past 30 minutes on the slower 2-core
     * machines (docs/results.md, eighteenth session), so one draw stays the default.
     */
    public static final int DEFAULT_DRAWS = 1;

    private TextSealEval() {}

    /** {@link SequentialEval} for the trained self-edits and for sft_passage (see {@link SealEval#sequential}). */
    public static ObjectNode sequential(Path home, Path runDir, int steps, long seed, int[] pplTokens,
                                        java.util.function.Consumer<ObjectNode> lines) throws IOException {
        TextSealConfig c = TextSealTrainer.readConfig(runDir);
        Path modelDir = Path.of(c.model());
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, TextSealTrainer.tokenizer(home, modelDir));
             Baselines<FactsTask.Heldout> baselines = TextSealTrainer.baselines(c, model, seal, Baselines.Recipe.TEXT_INNER);
             Arena keep = Arena.ofShared()) {
            Edit policy = TextSealTrainer.loadPolicy(runDir, model, keep);
            Baselines.SftChoice sft = baselines.sftChoice(runDir.resolve(TextSealTrainer.SFT_PASSAGE_FILE), c.seed());
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.set("trained", SequentialEval.run(model, seal.task, "trained", steps, (ep, i, arena) -> {
                long s = RandomStreams.mix(seed ^ 0xE7A1L, i);
                int[] selfEdit = seal.selfEdits(seal.prompt(ep.context()), policy, 1, s).getFirst();
                return seal.learn(ep.context(), selfEdit, RandomStreams.mix(s, 1), arena);
            }, pplTokens, lines));
            out.set("sft_passage", SequentialEval.run(model, seal.task, "sft_passage", steps,
                    (ep, i, arena) -> baselines.passageEdit(ep, sft, RandomStreams.mix(RandomStreams.mix(seed ^ 0xE7A1L, i), 1), arena),
                    pplTokens, lines));
            return out;
        }
    }

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed) throws IOException {
        return evaluate(home, runDir, episodes, seed, Baselines.Recipe.TEXT_INNER);
    }

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed, Baselines.Recipe recipe) throws IOException {
        return evaluate(home, runDir, null, episodes, seed, DEFAULT_DRAWS, recipe, List.of());
    }

    /**
     * The arms on the run's base model with PEFT {@code adapters} merged into it (none: the run's own model); the
     * controls fitted on that model are cached in {@code RUN/eval-adapters-HASH/} instead of the run folder. The eval
     * reads {@code episodes} passages from {@code firstEpisode} (null: as the run's seed picks, {@link EvalSlice}); null
     * {@code episodes}: {@link #DEFAULT_EPISODES}, at most a third of the split ({@link EvalSlice#defaultCount}), each
     * judged over {@code draws} draws ({@link #DEFAULT_DRAWS}). The result, with every passage's values, is also written
     * to {@link EvalPool#EVAL_FILE} there.
     */
    public static ObjectNode evaluate(Path home, Path runDir, Integer firstEpisode, Integer episodes, long seed, int draws, Baselines.Recipe recipe,
                                      List<Path> adapters) throws IOException {
        if (draws < 1) throw new IllegalArgumentException("--draws must be >= 1, got " + draws);
        Path cache = adapters.isEmpty() ? runDir : runDir.resolve(sealjvm.seal.edit.Adapters.cacheName(adapters));
        java.nio.file.Files.createDirectories(cache);
        if (episodes != null && episodes < 2) throw new IllegalArgumentException("--episodes must be >= 2 for an interval, got " + episodes);
        TextSealConfig c = TextSealTrainer.readConfig(runDir);
        Path modelDir = Path.of(c.model());
        long t0 = System.nanoTime();
        ArmResults results = new ArmResults(ARMS, "trained");
        ArmResults oracle = new ArmResults(List.of("no_edit", "oracle_qa_self_edit"), "oracle_qa_self_edit");
        int rounds, evalSplitSize;
        EvalSlice slice;
        ObjectNode controls = new ObjectMapper().createObjectNode();
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, TextSealTrainer.tokenizer(home, modelDir));
             Baselines<FactsTask.Heldout> baselines = TextSealTrainer.baselines(c, model, seal, recipe);
             Arena keep = Arena.ofShared()) {
            sealjvm.seal.edit.Adapters.mergeForGood(model, adapters);
            evalSplitSize = seal.task.episodeCount(Task.Stage.EVAL);
            slice = EvalSlice.of(firstEpisode, episodes != null ? episodes : EvalSlice.defaultCount(DEFAULT_EPISODES, evalSplitSize), evalSplitSize, c.seed());
            if (slice.count() < 2) {
                throw new IllegalArgumentException((firstEpisode != null ? "--first-episode " + firstEpisode + ": one eval passage is left"
                        : "the eval split has " + evalSplitSize + " passage(s)") + ", too few for an interval");
            }
            rounds = TextSealTrainer.roundsDone(runDir);
            Edit policy = TextSealTrainer.loadPolicy(runDir, model, keep);
            Edit staticEdit = baselines.staticEdit(cache.resolve(sealjvm.seal.SealLoop.STATIC_EDIT_DIR), Double.POSITIVE_INFINITY, c.seed(), c.model(), keep);
            Baselines.SftChoice sft = baselines.sftChoice(cache.resolve(TextSealTrainer.SFT_PASSAGE_FILE), c.seed());
            controls.put("static_edit", "backprop (see static_edit/static_edit.json)");
            controls.put("sft_passage", "LoRA on the passage, " + sft.steps() + " steps, lr " + sft.lr() + " (chosen on the heldout split)");
            int n = slice.count();
            List<Task.Episode<FactsTask.Heldout>> eps = seal.task.episodes(Task.Stage.EVAL, slice.first(), n);
            int[] partner = SealEval.partners(seal.task, eps);
            List<List<int[]>> trainedEdits = new ArrayList<>(), untrainedEdits = new ArrayList<>();   // [draw][passage]
            for (int k = 0; k < draws; k++) {
                List<int[]> trained = new ArrayList<>(), untrained = new ArrayList<>();
                for (int e = 0; e < n; e++) {
                    long s = passageSeed(seed, k, slice.first() + e);
                    int[] prompt = seal.prompt(eps.get(e).context());
                    untrained.add(seal.selfEdits(prompt, null, 1, s).getFirst());
                    trained.add(seal.selfEdits(prompt, policy, 1, s).getFirst());
                }
                trainedEdits.add(trained);
                untrainedEdits.add(untrained);
            }
            List<String> names = List.of("static_edit", "shuffled_context", "sft_passage", "untrained_self_edit", "trained", "oracle_qa_self_edit");
            for (int e = 0; e < n; e++) {
                Task.Episode<FactsTask.Heldout> ep = eps.get(e);
                Task.Detail d = null;
                double[][] correct = null, score = null, margin = null;   // [no_edit, then names][question], the draws' mean
                for (int k = 0; k < draws; k++) {
                    try (Arena arena = Arena.ofShared()) {
                        long init = RandomStreams.mix(passageSeed(seed, k, slice.first() + e), 1);   // the same LoRA initialization for the self-edit arms
                        List<Edit> edits = List.of(staticEdit,
                                seal.learn(ep.context(), trainedEdits.get(k).get(partner[e]), init, arena),
                                baselines.passageEdit(ep, sft, init, arena),
                                seal.learn(ep.context(), untrainedEdits.get(k).get(e), init, arena),
                                seal.learn(ep.context(), trainedEdits.get(k).get(e), init, arena),
                                seal.learn(ep.context(), seal.task.answeredQuestions(ep), TextSealConfig.EditSplit.LINES, init, arena));
                        d = seal.task.detail(model, ep, edits, true);
                    }
                    if (draws == 1) {   // one draw: its values exactly
                        correct = d.correct();
                        score = d.score();
                        margin = d.margin();
                        break;
                    }
                    if (k == 0) {
                        correct = new double[d.correct().length][d.units()];
                        score = new double[d.score().length][d.units()];
                        margin = new double[d.margin().length][d.units()];
                    }
                    for (int a = 0; a < correct.length; a++) {
                        for (int u = 0; u < d.units(); u++) {
                            correct[a][u] += d.correct()[a][u] / draws;
                            score[a][u] += d.score()[a][u] / draws;
                            margin[a][u] += d.margin()[a][u] / draws;
                        }
                    }
                }
                results.episode(slice.first() + e, d.group());
                oracle.episode(slice.first() + e, d.group());
                results.add("no_edit", correct[0], new double[d.units()], margin[0], 0);
                oracle.add("no_edit", correct[0], new double[d.units()], margin[0], 0);
                for (int k = 0; k < names.size(); k++) {
                    double[] gain = new double[d.units()];
                    for (int u = 0; u < gain.length; u++) gain[u] = score[k + 1][u] - score[0][u];
                    double r = Stats.mean(gain);
                    (k == 5 ? oracle : results).add(names.get(k), correct[k + 1], gain, margin[k + 1], r);
                }
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("method", "text").put("task", c.task()).put("episodes", slice.count()).put("first_episode", slice.first())
                .put("eval_split_size", evalSplitSize).put("seed", seed).put("draws", draws).put("rounds_trained", rounds);
        if (!adapters.isEmpty()) {
            var a = out.putArray("adapters");
            for (Path d : adapters) a.add(d.toString());
        }
        out.put("primary", "trained_minus_sft_passage");
        out.setAll(results.toJson(seed));
        ObjectNode diag = out.putObject("diagnostics");
        ObjectNode oj = oracle.toJson(seed);
        diag.set("oracle_qa_self_edit", oj.get("arms").get("oracle_qa_self_edit"));
        out.set("controls", controls);
        out.put("seconds", (System.nanoTime() - t0) / 1e9);
        EvalPool.write(cache, out, runDir, c.seed(), results, oracle);
        return out;
    }

    /** The seed of draw {@code draw} of eval passage {@code index}: its self-edit samples and its fine-tunes' initialization. */
    static long passageSeed(long seed, int draw, int index) {
        return RandomStreams.mix((seed + draw) ^ 0xE7A1L, index);   // by the passage, whichever slice; draw d as seed + d alone
    }
}
