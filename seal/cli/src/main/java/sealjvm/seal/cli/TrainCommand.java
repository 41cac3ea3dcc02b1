package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.seal.Progress;
import sealjvm.seal.RunDir;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.TrainConfig.Baseline;
import sealjvm.seal.TrainConfig.DataSource;
import sealjvm.seal.TrainConfig.Schedule;
import sealjvm.seal.TrainConfig.TaskName;
import sealjvm.seal.Trainer;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.policy.InitialEdit;
import sealjvm.seal.policy.NoiseScope;
import sealjvm.seal.rollout.Engine;
import sealjvm.seal.rollout.EngineSpec;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.rollout.RolloutJob.Method;
import sealjvm.seal.text.TextSealConfig.EditSplit;
import sealjvm.seal.text.TextSealConfig.InnerData;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;

/** {@code seal train --task spam|facts --out RUN_DIR}: REINFORCE-train the edit generator. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train SEAL. --method generator (default): an edit generator emits ΔW directly, trained with REINFORCE; "
                + "writes RUN_DIR/metrics.jsonl, a checkpoint per episode and reward_curve.png.",
                "--method text (the paper's method, --task facts): the model writes a self-edit as text, applied by a LoRA fine-tune; "
                + "ReST-EM trains the model's own policy adapter; writes metrics.jsonl, policy-round-N/ (PEFT), state.json, reward_curve.png."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--method", defaultValue = "generator", description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--task", description = "${COMPLETION-CANDIDATES} (required unless --resume); text: facts.")
    TaskName task;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "New run directory.")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its last checkpoint (its config.json wins over other flags).")
    Path resume;

    @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face GPT-2 directory (default: the bundled gpt2-brown-reader for --task facts and --method text, gpt2-brown otherwise).")
    Path model;

    @Option(names = "--targets", description = "Linears to edit, e.g. h.10-11.mlp.c_proj or h.*.attn.c_attn (default: " + TrainConfig.MLP_TARGETS
            + " for --task facts and lm, " + TrainConfig.GLOBAL_TARGETS + " for spam).")
    String targets;

    @Option(names = "--rank", defaultValue = "4", description = "Rank r of ΔW = (α/r)·A·B (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", defaultValue = "4", description = "LoRA α (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--samples", description = "Edits sampled per context, K (default: 8 for generator, 4 for text).")
    Integer samples;

    @Option(names = "--episodes", description = "Training episodes (default: 300 for --generator sft, whose episodes each fine-tune on the context; 1500 otherwise).")
    Integer episodes;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-schedule", defaultValue = "cosine", description = "${COMPLETION-CANDIDATES}; cosine decays to 0 at the last episode (default: ${DEFAULT-VALUE}).")
    Schedule lrSchedule;

    @Mixin SeedOption seed;

    @Option(names = "--generator", description = "generator: ${COMPLETION-CANDIDATES}; mlp: factors from the pooled hidden state; grad: "
            + "plus the context's own LM-loss gradient at each target, rank --content-rank, with a learned step size; sft: plus the model's LoRA "
            + "fine-tune on the context, rank --content-rank, steps and lr chosen on the heldout split, with a learned scale (default: sft for --task facts and lm, "
            + "mlp for spam).")
    EditPolicy policy;

    @Option(names = "--content-rank", defaultValue = "8", description = "--generator grad|sft: rank of the content part (default: ${DEFAULT-VALUE}).")
    int contentRank;

    @Option(names = "--noise-scope", description = "Which dimensions the policy samples: ${COMPLETION-CANDIDATES}; all: every "
            + "factor entry and content scale; content (--generator grad|sft): only the per-target content scales, the factor edit stays at its "
            + "mean (default: content for --task facts and lm with --generator grad|sft, all otherwise).")
    NoiseScope noiseScope;

    @Option(names = "--antithetic", negatable = true, description = "Sample the K edits of a context in pairs (ε, −ε) (default: on for --task facts and lm "
            + "with --generator grad|sft and an even K, off otherwise).")
    Boolean antithetic;

    @Option(names = "--init-edit", description = "Where the factor edit starts: ${COMPLETION-CANDIDATES}; none: zero (LoRA's start); static: the "
            + "run's static_edit (the best context-free edit, fitted by backprop on the training split, RUN/static_edit), so the policy learns what "
            + "the context adds on top of it (facts, lm; default: static for --task lm with --generator grad|sft, none otherwise).")
    InitialEdit initEdit;

    @Option(names = "--hidden", defaultValue = "64", description = "Generator MLP width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--init-std", defaultValue = "0.01", description = "Initial σ of the edit Gaussian (default: ${DEFAULT-VALUE}).")
    double initStd;

    @Option(names = "--entropy", defaultValue = "0", description = "Entropy bonus β (default: ${DEFAULT-VALUE}).")
    double entropy;

    @Option(names = "--baseline", defaultValue = "rloo", description = "${COMPLETION-CANDIDATES}; rloo is leave-one-out (default: ${DEFAULT-VALUE}).")
    Baseline baseline;

    @Option(names = "--ema-decay", defaultValue = "0.9", description = "EMA baseline decay (default: ${DEFAULT-VALUE}).")
    double emaDecay;

    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Max gradient norm, 0 = off (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--clip", hidden = true, paramLabel = "NORM", description = "Former name of --grad-clip.")
    Double formerClip;

    @Option(names = "--lambda-forget", defaultValue = "1.0", description = "Weight of the LM-loss increase on general text (default: ${DEFAULT-VALUE}).")
    double lambdaForget;

    @Option(names = "--lambda-norm", defaultValue = "0.0002", description = "Weight of ‖ΔW‖ (default: ${DEFAULT-VALUE}).")
    double lambdaNorm;

    @Option(names = "--data", defaultValue = "full", description = "${COMPLETION-CANDIDATES}; full: the spam corpus, fetched on first use; sample: a small committed sample (default: ${DEFAULT-VALUE}).")
    DataSource data;

    @Option(names = "--data-seed", defaultValue = "1234", description = "Seed of the data splits and synthetic facts (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    @Mixin PlacementOption placementOption;
    private Placement placement;

    @Option(names = "--engine", defaultValue = "local", description = "Where the rollouts run: ${COMPLETION-CANDIDATES}; local: this JVM; spark: Apache Spark executors "
            + "(needs the seal-spark module: ./mvnw -Pspark -pl seal/spark -am package -DskipTests). Same results either way (default: ${DEFAULT-VALUE}).")
    Engine engine;
    @Option(names = "--master", paramLabel = "URL", description = "--engine spark: the Spark master, e.g. local[4], local-cluster[2,1,1024], spark://HOST:7077 (default: local[*]).")
    String master;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    // --method text
    @Option(names = "--prompt", description = "text: self-edit prompt, {passage} is replaced (default: \"{passage}\\n\\nImplications of the passage:\\n\").")
    String prompt = sealjvm.seal.text.TextSealConfig.DEFAULT_PROMPT;
    @Option(names = "--edit-tokens", description = "text: max tokens of a self-edit, of each of its lines with --edit-unit sentence "
            + "(default: ${DEFAULT-VALUE}).")
    int editTokens = sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_TOKENS;
    @Option(names = "--temperature", description = "text: sampling temperature of the self-edits (default: ${DEFAULT-VALUE}).")
    float temperature = sealjvm.seal.text.TextSealConfig.DEFAULT_TEMPERATURE;
    @Option(names = "--top-k", defaultValue = "50", description = "text: top-k of sampling, 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--copy-bias", description = "text: added to the logit of every token of the passage while sampling a "
            + "self-edit, in training and eval; 0: none (default: ${DEFAULT-VALUE}).")
    float copyBias = sealjvm.seal.text.CopyBias.DEFAULT.token();
    @Option(names = "--copy-span-bias", description = "text: added to the logit of every token that follows, in the passage, "
            + "what was just sampled (--copy-span-match): names the passage spells in several pieces are continued as it spells them; 0: none "
            + "(default: ${DEFAULT-VALUE}).")
    float copySpanBias = sealjvm.seal.text.CopyBias.DEFAULT.span();
    @Option(names = "--copy-span-match", description = "text: what the span bias continues: ${COMPLETION-CANDIDATES}; last_token: every place "
            + "of the last sampled token in the passage; longest: the places where the longest run of the self-edit's last tokens occurs; "
            + "sentences: longest within the passage's sentences not yet written, their first tokens after a sentence's end, end-of-text "
            + "once all are written; words: longest, biasing only a token that goes on with the word being written (default: ${DEFAULT-VALUE}).")
    sealjvm.seal.text.CopyBias.SpanMatch copySpanMatch = sealjvm.seal.text.CopyBias.DEFAULT.match();
    @Option(names = "--rounds", defaultValue = "2", description = "text: ReST-EM rounds (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--passages", defaultValue = "24", description = "text: training passages per round (default: ${DEFAULT-VALUE}).")
    int passages;
    @Option(names = "--threshold", defaultValue = "0", description = "text: keep a passage's best self-edit if its reward exceeds this (default: ${DEFAULT-VALUE}).")
    double threshold;
    @Option(names = "--keep-vs-passage", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "text: a self-edit is kept only if it also beats fine-tuning on the passage alone (default: ${DEFAULT-VALUE}).")
    boolean keepVsPassage;
    @Option(names = "--keep-by", description = "text: what picks the self-edit a passage keeps and compares it with the passage alone: "
            + "${COMPLETION-CANDIDATES}; reward: the answers' log-likelihood gain; accuracy: the questions' exact-match accuracy, the reward "
            + "breaking ties (default: ${DEFAULT-VALUE}).")
    sealjvm.seal.text.TextSealConfig.KeepBy keepBy = sealjvm.seal.text.TextSealConfig.KeepBy.REWARD;
    @Option(names = "--inner-data", defaultValue = "passage+edit", description = "text: what the inner fine-tune trains on: ${COMPLETION-CANDIDATES}; "
            + "passage+edit is the paper's, edit the self-edit alone (default: ${DEFAULT-VALUE}).")
    InnerData innerData;
    @Option(names = "--edit-unit", description = "text: what a self-edit is written from: ${COMPLETION-CANDIDATES}; passage: one text from "
            + "the prompt of the whole passage; sentence: a line per sentence of the passage, each from the prompt of that sentence alone, "
            + "cut after its first line (--edit-tokens then bounds each line); in training and eval alike (default: ${DEFAULT-VALUE}).")
    sealjvm.seal.text.TextSealConfig.EditUnit editUnit = sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_UNIT;
    @Option(names = "--edit-split", description = "text: how a self-edit enters the inner fine-tune: ${COMPLETION-CANDIDATES}; "
            + "lines: each line of it is its own example, as the paper; sentences: each sentence of each line; sentences_qa: so, with an "
            + "\"A: ...\" sentence kept after its question; whole: one example; in training "
            + "and eval alike (default: ${DEFAULT-VALUE}).")
    EditSplit editSplit = sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_SPLIT;
    @Option(names = "--inner-seeds", defaultValue = "2", paramLabel = "N", description = "text: in training, each self-edit (and the passage alone) is "
            + "fine-tuned N times with N seeds and its reward averaged before the best is kept, as the paper; the eval fine-tunes once per self-edit "
            + "(default: ${DEFAULT-VALUE}).")
    int innerSeeds;
    @Option(names = "--inner-targets", defaultValue = "h.*.mlp.c_fc,h.*.mlp.c_proj", description = "text: linears the inner LoRA fine-tune edits (default: ${DEFAULT-VALUE}).")
    String innerTargets;
    @Option(names = "--inner-rank", defaultValue = "8", description = "text: rank of the inner LoRA fine-tune (default: ${DEFAULT-VALUE}).") int innerRank;
    @Option(names = "--inner-alpha", defaultValue = "16", description = "text: LoRA α of the inner fine-tune (default: ${DEFAULT-VALUE}).") float innerAlpha;
    @Option(names = "--inner-steps", description = "text: steps of the inner fine-tune (default: with --inner-lr, chosen on the heldout split by the sft_passage control's grid).")
    Integer innerSteps;
    @Option(names = "--inner-lr", description = "text: learning rate of the inner fine-tune (default: chosen with --inner-steps).")
    Double innerLr;
    @Option(names = "--policy-targets", defaultValue = "h.*.attn.c_attn,h.*.mlp.c_fc", description = "text: linears of the policy adapter (default: ${DEFAULT-VALUE}).")
    String policyTargets;
    @Option(names = "--policy-rank", defaultValue = "8", description = "text: rank of the policy adapter (default: ${DEFAULT-VALUE}).") int policyRank;
    @Option(names = "--policy-alpha", defaultValue = "16", description = "text: LoRA α of the policy adapter (default: ${DEFAULT-VALUE}).") float policyAlpha;
    @Option(names = "--policy-epochs", defaultValue = "2", description = "text: epochs of the policy fine-tune over the kept self-edits (default: ${DEFAULT-VALUE}).")
    int policyEpochs;
    @Option(names = "--policy-lr", defaultValue = "0.001", description = "text: learning rate of the policy fine-tune (default: ${DEFAULT-VALUE}).") double policyLr;
    @Option(names = "--warm-start", defaultValue = "" + sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START, paramLabel = "N", description = "text: first fine-tune the policy on N restatement pairs "
            + "(a passage → its facts as answered questions, passages of their own seed) and keep them in every M-step, as the paper's model "
            + "starts instruction-tuned; 0 = off (default: ${DEFAULT-VALUE}).")
    int warmStart;
    @Option(names = "--warm-start-unit", description = "text: what a restatement pair of the warm start is written from: "
            + "${COMPLETION-CANDIDATES}; passage: prompt(passage) → its facts restated; sentence: prompt(one sentence) → its fact restated, "
            + "the form --edit-unit sentence samples in (default: ${DEFAULT-VALUE}).")
    sealjvm.seal.text.TextSealConfig.EditUnit warmStartUnit = sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START_UNIT;
    @Option(names = "--warm-start-questions", description = "text: the wordings of the warm start's questions: ${COMPLETION-CANDIDATES}; "
            + "any: as the restatement passages word them, the eval's own wording among them; unasked: never the eval's wording "
            + "(default: ${DEFAULT-VALUE}).")
    sealjvm.seal.text.TextSealConfig.WarmStartQuestions warmStartQuestions = sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START_QUESTIONS;
    @Option(names = "--kept-repeat", paramLabel = "N", description = "text: each kept pair enters an M-step's data N times beside the "
            + "warm-start pairs (default: ${DEFAULT-VALUE}).")
    int keptRepeat = sealjvm.seal.text.TextSealConfig.DEFAULT_KEPT_REPEAT;

    /** A new generator run's config: the options given, the task's defaults for the rest. */
    TrainConfig generatorConfig(Path modelDir) {
        TrainConfig.Builder b = TrainConfig.forTask(task, modelDir.toAbsolutePath().toString())
                .rank(rank).alpha(alpha).samples(samples == null ? 8 : samples).lr(lr)
                .lrSchedule(lrSchedule).seed(seed.seed).hidden(hidden).initStd(initStd).entropyBonus(entropy)
                .baseline(baseline).emaDecay(emaDecay).clip(clip).lambdaForget(lambdaForget)
                .lambdaNorm(lambdaNorm).data(data).dataSeed(dataSeed).contentRank(contentRank);
        if (targets != null) b.targets(targets);
        if (episodes != null) b.episodes(episodes);
        if (policy != null) b.policy(policy);
        if (noiseScope != null) b.noiseScope(noiseScope);
        if (antithetic != null) b.antithetic(antithetic);
        if (initEdit != null) b.initEdit(initEdit);
        return b.build();
    }

    /** Every option of a new generator run, the targets against the model and the generator's memory, before any work. */
    private void checkGenerator(Path modelDir) {
        Checks.atLeast("--rank", rank, 1);
        Checks.finite("--alpha", alpha);
        int k = samples == null ? 8 : samples;
        Checks.atLeast("--samples", k, baseline == Baseline.RLOO ? 2 : 1);
        if (episodes != null) Checks.atLeast("--episodes", episodes, 0);
        Checks.positive("--lr", lr);
        Checks.atLeast("--hidden", hidden, 1);
        Checks.positive("--init-std", initStd);
        Checks.finite("--entropy", entropy);
        if (!(emaDecay >= 0 && emaDecay <= 1)) throw Checks.bad("--ema-decay", emaDecay, "must be in [0, 1]");
        if (formerClip != null) clip = formerClip;
        Checks.nonNegative(formerClip != null ? "--clip" : "--grad-clip", clip);
        Checks.finite("--lambda-forget", lambdaForget);
        Checks.finite("--lambda-norm", lambdaNorm);
        var config = Checks.modelConfig(modelDir);
        String targets = generatorConfig(modelDir).targets();
        long d = 0;   // Gaussian dimensions of the generator: every factor of every target
        for (var t : Checks.targets("--targets", targets, config)) d += (long) rank * (t.in() + t.out());
        double theta = (double) config.nEmbd() * hidden + hidden + (double) hidden * d + 2.0 * d;
        String what = "--rank " + rank + " with --targets " + targets + " and --hidden " + hidden + ": the edit generator (" + String.format(java.util.Locale.ROOT, "%.3g", theta)
                + " parameters)";
        if (theta > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(what + " is more than one array holds (" + Integer.MAX_VALUE + ")");
        Checks.fitsHeap(what + " with its Adam state and gradient, float64,", 8.0 * 5 * theta);
        Checks.fitsMemory(what + ": " + k + " sampled edits", 4.0 * 2 * k * d);
    }

    /** The same for a new text-SEAL run. */
    private void checkText(Path modelDir) {
        if (task != TaskName.FACTS) throw new IllegalArgumentException("--method text supports --task facts (knowledge incorporation), got '" + task + "'");
        Checks.atLeast("--edit-tokens", editTokens, 2);
        Checks.atLeast("--samples", samples == null ? 4 : samples, 1);
        Checks.atLeast("--rounds", rounds, 0);
        Checks.atLeast("--passages", passages, 1);
        Checks.positive("--temperature", temperature);
        Checks.atLeast("--top-k", topK, 0);
        new sealjvm.seal.text.CopyBias(copyBias, copySpanBias, copySpanMatch);   // its checks name the option
        Checks.finite("--threshold", threshold);
        Checks.atLeast("--inner-rank", innerRank, 1);
        Checks.finite("--inner-alpha", innerAlpha);
        if (innerSteps != null) Checks.atLeast("--inner-steps", innerSteps, 1);
        if (innerLr != null) Checks.positive("--inner-lr", innerLr);
        Checks.atLeast("--inner-seeds", innerSeeds, 1);
        if ((innerSteps == null) != (innerLr == null)) {
            throw new IllegalArgumentException("give both --inner-steps and --inner-lr, or neither (then both are chosen on the heldout split)");
        }
        Checks.atLeast("--policy-rank", policyRank, 1);
        Checks.finite("--policy-alpha", policyAlpha);
        Checks.atLeast("--policy-epochs", policyEpochs, 1);
        Checks.atLeast("--kept-repeat", keptRepeat, 1);
        Checks.positive("--policy-lr", policyLr);
        var config = Checks.modelConfig(modelDir);
        for (var t : new String[][] {{"--inner-targets", innerTargets, "" + innerRank}, {"--policy-targets", policyTargets, "" + policyRank}}) {
            long d = 0;
            for (var x : Checks.targets(t[0], t[1], config)) d += Long.parseLong(t[2]) * (x.in() + x.out());
            Checks.fitsMemory(t[0] + " " + t[1] + " at rank " + t[2] + ": the LoRA factors (with gradients and Adam state)", 4.0 * 6 * d);
        }
    }

    /** --model, or the bundled default of the task and method. */
    private Path modelDir() {
        return model != null ? model : sealjvm.seal.BundledModel.forTraining(SealCli.home(), task == null ? null : task.toString(), method.toString());
    }

    @Override
    public Integer call() throws Exception {
        placement = placementOption.placement();
        if (master != null && engine == Engine.LOCAL) throw Checks.bad("--master", master, "needs --engine spark");
        if (master != null && master.isBlank()) throw Checks.bad("--master", "''", "must name a Spark master");
        if (engine != Engine.LOCAL) RolloutEngine.provider(engine);   // a missing module: one line, before any work
        engineSpec = engine == Engine.LOCAL ? EngineSpec.LOCAL : new EngineSpec(engine, master == null ? "local[*]" : master);
        if (resume != null) {
            if (out != null && !out.equals(resume)) throw new IllegalArgumentException("--resume continues RUN_DIR in place: drop --out or give the same folder");
            if (!java.nio.file.Files.isDirectory(resume)) {
                throw Checks.bad("--resume", resume, java.nio.file.Files.exists(resume) ? "not a directory" : "not found");
            }
        } else {
            if (task == null || out == null) {
                throw new IllegalArgumentException("give --task " + (method == Method.TEXT ? "facts" : "spam|facts|lm") + " and --out RUN_DIR (or --resume RUN_DIR)");
            }
            if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) throw Checks.bad("--out", out, "is a file, not a run folder");
            Path modelDir = modelDir();
            if (method == Method.TEXT) checkText(modelDir);
            else checkGenerator(modelDir);
        }
        // One writer per run folder, for the whole run (released on exit; a crashed holder's lock is free again).
        try (sealjvm.seal.RunLock lock = sealjvm.seal.RunLock.acquire(resume != null ? resume : out)) {
            return run();
        }
    }

    private EngineSpec engineSpec;

    private Integer run() throws Exception {
        boolean textRun = resume != null ? sealjvm.seal.text.TextSealTrainer.isTextRun(resume) : method == Method.TEXT;
        if (textRun && placement.device() != Device.CPU) {
            throw new IllegalArgumentException("--device cuda: text-SEAL fine-tunes with the backward pass, which runs on the CPU only in this build; use --device cpu");
        }
        List<JsonNode> metrics;
        if (resume != null && sealjvm.seal.text.TextSealTrainer.isTextRun(resume)) {
            if (out != null && !out.equals(resume)) throw new IllegalArgumentException("--resume continues RUN_DIR in place: drop --out or give the same folder");
            metrics = sealjvm.seal.text.TextSealTrainer.resume(SealCli.home(), resume, progress(), engineSpec);
        } else if (resume == null && method == Method.TEXT) {
            if (task == null || out == null) throw new IllegalArgumentException("give --task facts and --out RUN_DIR (or --resume RUN_DIR)");
            Path modelDir = modelDir();
            var c = sealjvm.seal.text.TextSealConfig.builder(task.toString(), modelDir.toAbsolutePath().toString()).prompt(prompt).editTokens(editTokens)
                    .temperature(temperature).topK(topK).samples(samples == null ? 4 : samples).rounds(rounds).passagesPerRound(passages)
                    .threshold(threshold).keepVsPassage(keepVsPassage).innerData(innerData.toString()).innerTargets(innerTargets).innerRank(innerRank)
                    .innerAlpha(innerAlpha).innerSteps(innerSteps == null ? 1 : innerSteps).innerLr(innerLr == null ? 1e-3 : innerLr).policyTargets(policyTargets).policyRank(policyRank)
                    .policyAlpha(policyAlpha).policyEpochs(policyEpochs).policyLr(policyLr).seed(seed.seed).dataSeed(dataSeed).warmStart(warmStart)
                    .editSplit(editSplit.toString()).innerSeeds(innerSeeds).keepBy(keepBy.toString()).editUnit(editUnit.toString())
                    .warmStartUnit(warmStartUnit.toString()).warmStartQuestions(warmStartQuestions.toString()).keptRepeat(keptRepeat)
                    .copyBias(new sealjvm.seal.text.CopyBias(copyBias, copySpanBias, copySpanMatch)).build();
            metrics = sealjvm.seal.text.TextSealTrainer.train(c, innerSteps == null ? sealjvm.seal.eval.Baselines.Recipe.TEXT_INNER : null,
                    SealCli.home(), out, progress(), engineSpec);
        } else if (resume != null) {
            if (out != null && !out.equals(resume)) throw new IllegalArgumentException("--resume continues RUN_DIR in place: drop --out or give the same folder");
            metrics = Trainer.resume(SealCli.home(), resume, progress(), placement, engineSpec);
        } else {
            if (task == null || out == null) throw new IllegalArgumentException("give --task spam|facts and --out RUN_DIR (or --resume RUN_DIR)");
            Path modelDir = modelDir();
            TrainConfig c = generatorConfig(modelDir);
            metrics = Trainer.train(c, SealCli.home(), out, progress(), placement, engineSpec);
        }
        RunDir run = new RunDir(resume != null ? resume : out);
        RewardPlot.write(run.plot(), metrics, textRun ? "text-SEAL facts" : run.readConfig().task().toString());
        if (!metrics.isEmpty()) System.out.println(metrics.getLast());
        return 0;
    }

    private Progress progress() { return TextProgressBar.of(noProgress, 500); }
}
