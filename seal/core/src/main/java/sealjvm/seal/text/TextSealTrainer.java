package sealjvm.seal.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.Progress;
import sealjvm.seal.RewardFn;
import sealjvm.seal.RandomStreams;
import sealjvm.seal.RunDir;
import sealjvm.seal.SealLoop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.Target;
import sealjvm.seal.eval.Baselines;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.rollout.EngineSpec;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.rollout.RolloutJob;
import sealjvm.seal.sft.LoraSft;
import sealjvm.seal.task.FactsTask;

/**
 * Runs {@link TextSeal} over a run folder: config.json, metrics.jsonl (a line per passage), the policy adapter
 * of each round as a PEFT folder policy-round-N/, state.json naming the rounds done and the current policy
 * (written last, atomically: a kill mid-round resumes at the start of that round).
 */
public final class TextSealTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TextSealTrainer() {}

    public static boolean isTextRun(Path dir) {
        try {
            Path f = dir.resolve("config.json");
            return Files.exists(f) && "text".equals(JSON.readTree(f.toFile()).path("method").asText());
        } catch (IOException e) {
            return false;
        }
    }

    public static TextSealConfig readConfig(Path dir) throws IOException {
        try {
            return JSON.readValue(dir.resolve("config.json").toFile(), TextSealConfig.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(dir.resolve("config.json") + ": invalid text-SEAL config: " + e.getOriginalMessage(), e);
        }
    }

    public static Gpt2Tokenizer tokenizer(Path home, Path modelDir) {
        if (Files.exists(modelDir.resolve("vocab.json")) != Files.exists(modelDir.resolve("merges.txt"))) {
            throw new IllegalArgumentException(modelDir + ": has only one of vocab.json and merges.txt (a tokenizer needs both; with neither, GPT-2's bundled tokenizer is used)");
        }
        return Files.exists(modelDir.resolve("vocab.json")) && Files.exists(modelDir.resolve("merges.txt"))
                ? Gpt2Tokenizer.fromDirectory(modelDir) : Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
    }

    /** The policy adapter named by state.json (null before the first round), loaded into {@code arena}. */
    static Edit loadPolicy(Path run, Gpt2Model model, Arena arena) throws IOException {
        Path state = run.resolve("state.json");
        if (!Files.exists(state)) return null;
        JsonNode s = JSON.readTree(state.toFile());
        String dir = s.path("policy").asText("");
        return dir.isEmpty() ? null : PeftAdapter.read(run.resolve(dir), model.config, arena);
    }

    static int roundsDone(Path run) throws IOException {
        Path state = run.resolve("state.json");
        return Files.exists(state) ? JSON.readTree(state.toFile()).path("rounds_done").asInt(0) : 0;
    }

    public static List<JsonNode> train(TextSealConfig c, Path home, Path out, Progress progress) throws IOException {
        return train(c, null, home, out, progress, EngineSpec.LOCAL);
    }

    /** Starts a new run in {@code out} whose rollouts run on {@code engine}, with the config's inner fine-tune. */
    public static List<JsonNode> train(TextSealConfig c, Path home, Path out, Progress progress, RolloutEngine.Factory engine) throws IOException {
        return train(c, null, home, out, progress, engine);
    }

    /**
     * A new run whose rollouts run on {@code engine}. With a {@code chooseInner} recipe (null: keep the config's),
     * the inner fine-tune's steps and learning rate are first chosen on the heldout split by the grid that picks the
     * {@code sft_passage} control ({@link Baselines#sftChoice}, cached in RUN/sft_passage.json, which the eval
     * reuses): the self-edits then get the same fine-tuning budget as the passage-only control they are compared
     * with, and a self-edit under 2 tokens gives exactly that control's edit.
     */
    public static List<JsonNode> train(TextSealConfig c, Baselines.Recipe chooseInner, Path home, Path out, Progress progress,
                                       RolloutEngine.Factory engine) throws IOException {
        RunDir run = new RunDir(out);
        if (Files.exists(run.config())) {
            throw new IllegalArgumentException(out + " already holds a run: use --resume " + out + " to continue it, or choose another --out");
        }
        Files.createDirectories(out);
        try {
            if (chooseInner != null) {
                Baselines.SftChoice choice = innerChoice(c, chooseInner, home, out.resolve(SFT_PASSAGE_FILE));
                c = c.withInner(choice.steps(), choice.lr());
            }
            RunDir.writeAtomically(run.config(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
            return loop(c, home, out, progress, engine);
        } catch (IOException | RuntimeException | Error e) {
            // Failed before any round was recorded (model, tokenizer, memory): leave no half-made run behind.
            if (!Files.exists(out.resolve("state.json")) && (!Files.exists(run.metrics()) || Files.size(run.metrics()) == 0)) {
                Files.deleteIfExists(run.metrics());
                Files.deleteIfExists(run.config());
                Files.deleteIfExists(out.resolve(SFT_PASSAGE_FILE));
            }
            throw e;
        }
    }

    /** Where a text run keeps the sft_passage choice (steps, lr, the grid's heldout rewards). */
    public static final String SFT_PASSAGE_FILE = "sft_passage.json";

    /** The sft_passage grid's choice for this config's model, task and inner targets (read from {@code file} if there). */
    static Baselines.SftChoice innerChoice(TextSealConfig c, Baselines.Recipe recipe, Path home, Path file) throws IOException {
        Path modelDir = Path.of(c.model());
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, tokenizer(home, modelDir));
             Baselines<FactsTask.Heldout> baselines = baselines(c, model, seal, recipe)) {
            return baselines.sftChoice(file, c.seed());
        }
    }

    /** The controls of a text run: context-free edits and sft_passage on the inner fine-tune's targets, rank and alpha. */
    static Baselines<FactsTask.Heldout> baselines(TextSealConfig c, Gpt2Model model, TextSeal seal, Baselines.Recipe recipe) {
        return new Baselines<>(model, seal.task, new RewardFn(0, 0, List.of()), Target.parse(c.innerTargets(), model.config),
                c.innerRank(), c.innerAlpha(), recipe);
    }

    public static List<JsonNode> resume(Path home, Path out, Progress progress) throws IOException {
        return resume(home, out, progress, EngineSpec.LOCAL);
    }

    /** Continues the run in {@code out} at the start of its interrupted round, its rollouts on {@code engine}. */
    public static List<JsonNode> resume(Path home, Path out, Progress progress, RolloutEngine.Factory engine) throws IOException {
        return loop(readConfig(out), home, out, progress, engine);
    }

    private static List<JsonNode> loop(TextSealConfig c, Path home, Path out, Progress progress, RolloutEngine.Factory engine) throws IOException {
        RunDir run = new RunDir(out);
        Path modelDir = Path.of(c.model());
        int done = roundsDone(out);
        run.truncateMetrics(done * c.passagesPerRound());
        Arena policyArena = Arena.ofShared();
        RolloutJob job = new RolloutJob(RolloutJob.Method.TEXT, Files.readString(run.config()), home.toAbsolutePath().toString(), out.toAbsolutePath().toString());
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, tokenizer(home, modelDir));
             RolloutEngine rollouts = engine.open(job)) {
            Edit policy = loadPolicy(out, model, policyArena);
            List<LoraSft.Example> warm = seal.warmStartExamples();
            if (done == 0 && policy == null && !warm.isEmpty()) {   // the warm start: round 0's policy
                LoraSft.Result fit = seal.fitPolicy(warm, RandomStreams.mix(c.seed() ^ 0x9011C7L, -1), policyArena);
                PeftAdapter.write(out.resolve("policy-round-0"), fit.edit(), c.model());
                policy = fit.edit();
                ObjectNode state = JSON.createObjectNode().put("rounds_done", 0).put("policy", "policy-round-0").put("warm_start_pairs", warm.size())
                        .put("policy_sft_loss_first", fit.losses()[0]).put("policy_sft_loss_last", fit.losses()[fit.losses().length - 1]);
                RunDir.writeAtomically(out.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
            }
            progress.start("text-seal", (long) c.rounds() * c.passagesPerRound(), (long) done * c.passagesPerRound());
            try {
                for (int r = done; r < c.rounds(); r++) {
                    List<ObjectNode> lines = new ArrayList<>();
                    List<LoraSft.Example> kept = seal.collect(r, rollouts.textRound(seal, r, policy), lines);
                    for (ObjectNode m : lines) run.appendMetrics(m);
                    ObjectNode state = JSON.createObjectNode().put("rounds_done", r + 1).put("kept_last_round", kept.size());
                    String policyName = policy == null ? "" : JSON.readTree(out.resolve("state.json").toFile()).path("policy").asText("");
                    if (!kept.isEmpty()) {
                        Arena next = Arena.ofShared();
                        LoraSft.Result fit = seal.fitPolicy(seal.mStepExamples(kept, warm), RandomStreams.mix(c.seed() ^ 0x9011C7L, r), next);
                        policyName = "policy-round-" + (r + 1);
                        PeftAdapter.write(out.resolve(policyName), fit.edit(), c.model());
                        policyArena.close();
                        policyArena = next;
                        policy = fit.edit();
                        state.put("policy_sft_loss_first", fit.losses()[0]).put("policy_sft_loss_last", fit.losses()[fit.losses().length - 1]);
                    }
                    state.put("policy", policyName);
                    RunDir.writeAtomically(out.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
                    progress.step((long) (r + 1) * c.passagesPerRound(), String.format("round %d: reward %+.4f, kept %d/%d", r + 1,
                            lines.stream().mapToDouble(m -> m.get("reward_mean").asDouble()).average().orElse(0), kept.size(), lines.size()));
                }
            } finally {
                progress.finish();
            }
        } finally {
            policyArena.close();
        }
        return run.readMetrics();
    }
}
