package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.RandomStreams;
import sealjvm.seal.RewardFn;
import sealjvm.seal.RunDir;
import sealjvm.seal.SealLoop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.edit.Target;
import sealjvm.seal.sft.LoraSft;
import sealjvm.seal.task.Task;
import sealjvm.tensor.AtomicFiles;
import sealjvm.tensor.Tensor;

/**
 * The controls a context-specific edit must beat, built from the training and heldout splits only (never from the
 * eval split), and kept in the run folder so every eval of a run compares with the same ones:
 * <ul>
 *   <li>{@code static_edit}: the best context-free edit of the same targets and rank — LoRA factors optimised by
 *       backprop (Adam) on what the task scores (the answers of training questions, the continuations of training
 *       documents), asked without any context, then scaled (≤ the norm budget) to the best heldout reward;</li>
 *   <li>{@code sft_passage}: a LoRA fine-tune on the episode's own context (the paper's "train on the passage";
 *       for {@code lm} dynamic evaluation), with steps and learning rate chosen on the heldout split.</li>
 * </ul>
 */
public final class Baselines<H> implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final double[] STATIC_SCALES = {1, 0.5, 0.25};

    /**
     * How the controls are built: the static edit's fine-tune (examples of {@code staticEpisodes} training episodes,
     * steps, batch, lr), the sft_passage grid, and how many heldout episodes choose among the candidates.
     */
    public record Recipe(int staticEpisodes, int staticSteps, int staticBatch, double staticLr,
                         int[] sftSteps, double[] sftLrs, int selectEpisodes, int sftExtensions, double sftTolerance) {
        /**
         * The grid {5, 10, 20} × {1e-3, 3e-3, 1e-2}, extended up to twice where its best point is on the largest steps
         * (doubled) or learning rate (tripled), so the control is not held at a corner of the grid.
         */
        public static final Recipe DEFAULT = new Recipe(512, 200, 16, 3e-3, new int[] {5, 10, 20}, new double[] {1e-3, 3e-3, 1e-2}, 16, 2, 0);

        /**
         * The sft generator's own content fine-tune: DEFAULT's grid without the extensions. The policy's recipe stays
         * the one its results were measured with; the extensions are for the controls, which should be at their best.
         */
        public static final Recipe CONTENT = new Recipe(512, 200, 16, 3e-3, new int[] {5, 10, 20}, new double[] {1e-3, 3e-3, 1e-2}, 16, 0, 0);

        /**
         * Text-SEAL's inner fine-tune, which is also its sft_passage control: DEFAULT's grid, but the fewest steps whose
         * heldout reward is within 5% of the best. Sixteen heldout passages do not tell 20 steps from 80 apart (one
         * seed's grid: 6.51 against 6.68), yet 80 steps make every self-edit's fine-tune, in training and eval,
         * four times as long; the self-edits and the control get the same budget either way.
         */
        public static final Recipe TEXT_INNER = new Recipe(512, 200, 16, 3e-3, new int[] {5, 10, 20}, new double[] {1e-3, 3e-3, 1e-2}, 16, 2, 0.05);

        /** The grid extended up to {@code sftExtensions} times, its best point chosen. */
        public Recipe(int staticEpisodes, int staticSteps, int staticBatch, double staticLr, int[] sftSteps, double[] sftLrs, int selectEpisodes,
                      int sftExtensions) {
            this(staticEpisodes, staticSteps, staticBatch, staticLr, sftSteps, sftLrs, selectEpisodes, sftExtensions, 0);
        }

        /** A fixed grid (no extension), its best point chosen. */
        public Recipe(int staticEpisodes, int staticSteps, int staticBatch, double staticLr, int[] sftSteps, double[] sftLrs, int selectEpisodes) {
            this(staticEpisodes, staticSteps, staticBatch, staticLr, sftSteps, sftLrs, selectEpisodes, 0, 0);
        }

        public Recipe {
            if (!(sftTolerance >= 0 && sftTolerance < 1)) throw new IllegalArgumentException("sft tolerance must be in [0, 1), got " + sftTolerance);
        }

        /**
         * The grid point chosen from its heldout rewards: the best; with a tolerance t, the point of fewest steps (then
         * highest reward) whose reward is at least best − t·|best|.
         */
        int choose(List<SftChoice> grid, double[] rewards) {
            int best = 0;
            for (int k = 1; k < rewards.length; k++) if (rewards[k] > rewards[best]) best = k;
            if (sftTolerance == 0) return best;
            double floor = rewards[best] - sftTolerance * Math.abs(rewards[best]);
            int chosen = best;
            for (int k = 0; k < rewards.length; k++) {
                if (rewards[k] < floor) continue;
                int st = grid.get(k).steps(), cs = grid.get(chosen).steps();
                if (st < cs || (st == cs && rewards[k] > rewards[chosen])) chosen = k;
            }
            return chosen;
        }
    }

    /** Steps and learning rate of the passage fine-tune. */
    public record SftChoice(int steps, double lr, double heldoutReward) {}

    private final Gpt2Model model;
    private final Task<H> task;
    private final RewardFn reward;
    private final List<Target> targets;
    private final int rank;
    private final float alpha;
    private final MergedEdits merged;
    private final LoraSft sft;

    private final Recipe recipe;

    public Baselines(Gpt2Model model, Task<H> task, RewardFn reward, List<Target> targets, int rank, float alpha, Recipe recipe) {
        this.recipe = recipe;
        this.model = model;
        this.task = task;
        this.reward = reward;
        this.targets = List.copyOf(targets);
        this.rank = rank;
        this.alpha = alpha;
        this.merged = new MergedEdits(model.params);
        this.sft = new LoraSft(model, merged, targets);
    }

    /** Mean reward of each maker's edit over the recipe's first {@code selectEpisodes} heldout episodes. */
    private double[] heldoutReward(List<java.util.function.Function<Task.Episode<H>, Edit>> makers) {
        int n = Math.min(recipe.selectEpisodes(), task.episodeCount(Task.Stage.HELDOUT));
        double[] out = new double[makers.size()];
        for (Task.Episode<H> ep : task.episodes(Task.Stage.HELDOUT, n)) {
            List<Edit> edits = new ArrayList<>();
            for (var m : makers) edits.add(m.apply(ep));
            RewardFn.Result r = reward.evaluate(model, task, ep, edits);
            for (int k = 0; k < out.length; k++) out[k] += r.reward()[k] / n;
        }
        return out;
    }

    // ---------------------------------------------------------------- static_edit

    /** The run's static edit: read from {@code dir} if there, else fitted (norm ≤ {@code normCap}) and written there. */
    public Edit staticEdit(Path dir, double normCap, long seed, String baseModel, Arena arena) throws IOException {
        if (Files.exists(dir.resolve("adapter_config.json"))) return PeftAdapter.read(dir, model.config, arena);
        List<LoraSft.Example> examples = new ArrayList<>();
        final int n = Math.min(recipe.staticEpisodes(), task.episodeCount(Task.Stage.TRAIN));
        for (Task.Episode<H> ep : task.episodes(Task.Stage.TRAIN, n)) {
            for (Task.Supervised s : task.supervised(ep)) examples.add(new LoraSft.Example(s.tokens(), s.lossFrom()));
        }
        if (examples.isEmpty()) throw new IllegalStateException("task " + task.name() + " has no supervised form for a static edit");
        shuffle(examples, new SplittableRandom(RandomStreams.mix(seed, 0x57A7L)));
        Edit fitted = sft.train(examples, new LoraSft.Options(rank, alpha, recipe.staticSteps(), recipe.staticLr(), recipe.staticBatch(), RandomStreams.mix(seed, 0x57A8L)), arena).edit();
        double norm = fitted.frobeniusNorm();
        double cap = norm > normCap ? normCap / norm : 1;
        List<java.util.function.Function<Task.Episode<H>, Edit>> makers = new ArrayList<>();
        for (double s : STATIC_SCALES) makers.add(ep -> scaled(fitted, s * cap, arena));
        double[] r = heldoutReward(makers);
        int best = 0;
        for (int k = 1; k < r.length; k++) if (r[k] > r[best]) best = k;
        final int bestIdx = best;
        Edit chosen = scaled(fitted, STATIC_SCALES[best] * cap, arena);
        AtomicFiles.writeDirectory(dir, tmp -> {
            PeftAdapter.write(tmp, chosen, baseModel);
            ObjectNode m = JSON.createObjectNode();
            m.put("method", "backprop: LoRA fine-tune (Adam) on the scored targets of " + n + " training episodes, no context; "
                    + "scaled to the best heldout reward among " + java.util.Arrays.toString(STATIC_SCALES) + " x the norm cap");
            m.put("steps", recipe.staticSteps()).put("batch", recipe.staticBatch()).put("lr", recipe.staticLr()).put("examples", examples.size());
            m.put("fitted_norm", norm).put("norm_cap", normCap).put("scale", STATIC_SCALES[bestIdx] * cap).put("norm", chosen.frobeniusNorm());
            var rs = m.putArray("heldout_reward_by_scale");
            for (double x : r) rs.add(x);
            RunDir.writeAtomically(tmp.resolve("static_edit.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        });
        return chosen;
    }

    /** A copy of {@code e} with every ΔW multiplied by {@code s} (B scaled). */
    static Edit scaled(Edit e, double s, Arena arena) {
        List<LowRankDelta> out = new ArrayList<>();
        for (LowRankDelta d : e.deltas()) {
            Tensor a = Tensor.allocate(arena, d.a().shape()), b = Tensor.allocate(arena, d.b().shape());
            a.copyFrom(d.a());
            for (long i = 0; i < b.size(); i++) b.set(i, (float) (d.b().get(i) * s));
            out.add(new LowRankDelta(d.target(), a, b, d.alpha()));
        }
        return new Edit(out);
    }

    private static <T> void shuffle(List<T> l, SplittableRandom rng) {
        for (int i = l.size() - 1; i > 0; i--) java.util.Collections.swap(l, i, rng.nextInt(i + 1));
    }

    // ---------------------------------------------------------------- sft_passage

    /** The passage fine-tune's steps and lr: read from {@code file} if there, else chosen on the heldout split. */
    public SftChoice sftChoice(Path file, long seed) throws IOException {
        if (Files.exists(file)) {
            JsonNode n = JSON.readTree(file.toFile());
            return new SftChoice(n.path("steps").asInt(), n.path("lr").asDouble(), n.path("heldout_reward").asDouble());
        }
        List<Integer> steps = new ArrayList<>();
        for (int st : recipe.sftSteps()) steps.add(st);
        List<Double> lrs = new ArrayList<>();
        for (double lr : recipe.sftLrs()) lrs.add(lr);
        List<SftChoice> grid = new ArrayList<>();
        List<Double> rewards = new ArrayList<>();
        int extensions = 0;
        int n = Math.min(recipe.selectEpisodes(), task.episodeCount(Task.Stage.HELDOUT));
        List<Task.Episode<H>> heldout = task.episodes(Task.Stage.HELDOUT, n);
        long runSeed = RandomStreams.mix(seed, 0x5F7L);
        // One fine-tune per (lr, episode), continued as the grid grows: after st steps its edit is that of a fresh
        // st-step fine-tune (LoraSft.Run), so the grid's 5, 10, 20, 40 and 80 steps cost 80 steps, not 155.
        java.util.Map<Double, List<LoraSft.Run>> running = new java.util.HashMap<>();
        try (Arena arena = Arena.ofShared()) {
            while (true) {
                List<SftChoice> fresh = new ArrayList<>();
                for (int st : steps) {
                    for (double lr : lrs) {
                        if (grid.stream().noneMatch(g -> g.steps() == st && g.lr() == lr)) fresh.add(new SftChoice(st, lr, 0));
                    }
                }
                double[] r = new double[fresh.size()];
                for (double lr : fresh.stream().map(SftChoice::lr).distinct().toList()) {
                    List<Integer> ks = new ArrayList<>();
                    for (int k = 0; k < fresh.size(); k++) if (fresh.get(k).lr() == lr) ks.add(k);
                    ks.sort(java.util.Comparator.comparingInt(k -> fresh.get(k).steps()));
                    List<LoraSft.Run> runs = running.computeIfAbsent(lr, x -> new ArrayList<>());
                    for (int e = 0; e < n; e++) {
                        Task.Episode<H> ep = heldout.get(e);
                        if (runs.size() <= e) runs.add(passageRun(ep, lr, runSeed, arena));
                        for (int k : ks) {
                            int st = fresh.get(k).steps();
                            if (runs.get(e) != null && runs.get(e).steps() > st) runs.set(e, passageRun(ep, lr, runSeed, arena));
                            LoraSft.Run run = runs.get(e);
                            Edit edit = run == null ? sft.init(new LoraSft.Options(rank, alpha, 0, lr, 1, runSeed), arena) : run.stepTo(st).edit();
                            r[k] += reward.evaluate(model, task, ep, List.of(edit)).reward()[0] / n;
                        }
                    }
                }
                for (int k = 0; k < fresh.size(); k++) { grid.add(fresh.get(k)); rewards.add(r[k]); }
                int b = 0;
                for (int k = 1; k < grid.size(); k++) if (rewards.get(k) > rewards.get(b)) b = k;
                int maxSteps = steps.get(steps.size() - 1);
                double maxLr = lrs.get(lrs.size() - 1);
                boolean atSteps = grid.get(b).steps() == maxSteps, atLr = grid.get(b).lr() == maxLr;
                if (extensions == recipe.sftExtensions() || !(atSteps || atLr)) break;
                if (atSteps) steps.add(maxSteps * 2);
                if (atLr) lrs.add(maxLr * 3);
                extensions++;
            }
        }
        double[] r = new double[grid.size()];
        for (int k = 0; k < r.length; k++) r[k] = rewards.get(k);
        int pick = recipe.choose(grid, r);
        SftChoice chosen = new SftChoice(grid.get(pick).steps(), grid.get(pick).lr(), r[pick]);
        ObjectNode m = JSON.createObjectNode();
        m.put("steps", chosen.steps()).put("lr", chosen.lr()).put("heldout_reward", chosen.heldoutReward());
        m.put("chosen_on", "mean reward over the first " + recipe.selectEpisodes() + " heldout episodes");
        if (recipe.sftTolerance() > 0) m.put("rule", "the fewest steps within " + recipe.sftTolerance() + " (relative) of the best heldout reward");
        m.put("grid_extensions", extensions);
        var g = m.putArray("grid");
        for (int k = 0; k < grid.size(); k++) g.addObject().put("steps", grid.get(k).steps()).put("lr", grid.get(k).lr()).put("heldout_reward", r[k]);
        RunDir.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        return chosen;
    }

    /** LoRA fine-tune of the base model on the episode's context, same targets and rank as the edits. */
    public Edit passageEdit(Task.Episode<H> ep, SftChoice c, long seed, Arena arena) {
        List<LoraSft.Example> data = passageData(ep);
        LoraSft.Options o = new LoraSft.Options(rank, alpha, c.steps(), c.lr(), Math.max(1, data.size()), seed);
        return data.isEmpty() ? sft.init(o, arena) : sft.train(data, o, arena).edit();
    }

    /** {@link #passageEdit}'s fine-tune at {@code lr}, not stepped yet; null when the context has no text to learn. */
    private LoraSft.Run passageRun(Task.Episode<H> ep, double lr, long seed, Arena arena) {
        List<LoraSft.Example> data = passageData(ep);
        return data.isEmpty() ? null : sft.start(data, new LoraSft.Options(rank, alpha, 0, lr, data.size(), seed), arena);
    }

    private List<LoraSft.Example> passageData(Task.Episode<H> ep) {
        List<LoraSft.Example> data = new ArrayList<>();
        for (int[] t : task.contextTexts(ep)) if (t.length >= 2) data.add(LoraSft.Example.of(t));
        return data;
    }


    @Override
    public void close() {
        sft.close();
        merged.close();
    }
}
