package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.seal.RunDir;
import sealjvm.seal.SealEval;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.data.BrownCorpus;
import sealjvm.seal.text.TextSealEval;
import sealjvm.seal.text.TextSealTrainer;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;
import picocli.CommandLine.Mixin;

/** {@code seal eval --run RUN_DIR --task T --episodes N --seed S}: every arm on the eval split, one JSON line. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a run on its task's eval split (each passage/document once); the last line is one JSON object: "
                + "\"arms\" {no_edit, static_edit, shuffled_context, sft_passage, trained, (text) untrained_self_edit, (spam) head_recalibration} "
                + "with accuracy, gain, margin and reward each, and \"ci95\" {METRIC: {trained_minus_ARM: [lo, hi]}} from a bootstrap clustered by passage; "
                + "the same with every passage's values is kept in RUN_DIR/eval.json (bin/seal pool reads it).",
                "--sequential N (facts): write the edits of N eval passages one after another; a JSON line per step, "
                + "heat maps RUN_DIR/sequential-ARM.png, a summary line."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A run folder of bin/seal train.") Path run;
    @Option(names = "--task", description = "${COMPLETION-CANDIDATES}; must match the run's task (checked).") TrainConfig.TaskName task;
    @Option(names = "--episodes", description = "Eval episodes, N consecutive ones of the eval split, each once (default: 200 for generator runs, 100 for text runs, at most a third of the split, so that seeds 1, 2 and 3 read disjoint slices).") Integer episodes;
    @Option(names = "--first-episode", paramLabel = "K", description = "Start at eval episode K (default: the run's seed picks the slice: "
            + "seed 1 the first N, seed 2 the next N, ..., wrapping after split/N slices, so consecutive seeds can be pooled with bin/seal pool).") Integer firstEpisode;
    @Mixin SeedOption seed = new SeedOption(7);   // the bootstrap, the eval-time fine-tunes and samples
    @Option(names = "--draws", paramLabel = "D", description = "Text runs: judge each passage D times — new self-edit samples and "
            + "fine-tune initializations each time (draw d as --seed S+d alone would) — and average every arm's values over the draws "
            + "(default: " + sealjvm.seal.text.TextSealEval.DEFAULT_DRAWS + "; 2 narrows the interval by about a quarter at twice the time).") Integer draws;
    @Option(names = "--sequential", paramLabel = "N", description = "Sequential edits of N eval passages instead of the arms (facts runs).") Integer sequential;
    @Option(names = "--ppl-tokens", defaultValue = "4096", description = "--sequential: Brown held-out tokens for the perplexity after each step, 0 = none (default: ${DEFAULT-VALUE}).") int pplTokens;
    @Option(names = "--brown-dir", paramLabel = "DIR", description = "--sequential: read the Brown corpus from raw files in DIR instead of the npm cache.") Path brownDir;
    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A PEFT LoRA adapter merged into the run's model before every arm (repeatable, applied in order); the controls fitted on "
                    + "that model are cached in RUN_DIR/eval-adapters-HASH/.")
    java.util.List<Path> adapters = new java.util.ArrayList<>();
    @Option(names = "--adapter-mode", paramLabel = "MODE", defaultValue = "merged", converter = AdapterOption.ModeConverter.class,
            description = "merged (default; the only mode eval takes: its arms are forward hooks of their own).")
    sealjvm.seal.edit.Adapters.Mode adapterMode;
    @Mixin PlacementOption placementOption;
    private Placement placement;

    @Override
    public Integer call() throws Exception {
        placement = placementOption.placement();
        if (adapterMode != sealjvm.seal.edit.Adapters.Mode.MERGED) {
            throw new IllegalArgumentException("--adapter-mode " + adapterMode.cliName() + ": eval scores its arms with forward hooks of its own; use --adapter-mode merged");
        }
        for (Path d : adapters) {
            if (!java.nio.file.Files.isRegularFile(d.resolve("adapter_config.json"))) throw Checks.bad("--adapter", d, "has no adapter_config.json (not a PEFT adapter folder)");
        }
        if (!adapters.isEmpty() && sequential != null) throw new IllegalArgumentException("--adapter: not with --sequential (which writes edits onto the run's own model)");
        boolean text = TextSealTrainer.isTextRun(run);
        String runTask = text ? TextSealTrainer.readConfig(run).task() : new RunDir(run).readConfig().task().toString();
        if (task != null && !task.toString().equals(runTask)) throw new IllegalArgumentException(run + " was trained on task " + runTask + ", not " + task);
        if (text && placement.device() != Device.CPU) {
            throw new IllegalArgumentException("--device cuda: text-SEAL runs fine-tune with the backward pass, which runs on the CPU only in this build; use --device cpu");
        }
        if (episodes != null) Checks.atLeast("--episodes", episodes, 1);
        if (draws != null) Checks.atLeast("--draws", draws, 1);
        if (draws != null && (!text || sequential != null)) {
            throw new IllegalArgumentException("--draws: only for the arms of text runs (generator runs and --sequential draw once)");
        }
        if (firstEpisode != null) Checks.atLeast("--first-episode", firstEpisode, 0);
        if (firstEpisode != null && sequential != null) throw new IllegalArgumentException("--first-episode: not with --sequential (which writes the first N eval passages)");
        if (sequential != null && sequential < 1) throw new IllegalArgumentException("--sequential must be >= 1, got " + sequential);
        if (pplTokens < 0) throw new IllegalArgumentException("--ppl-tokens must be >= 0, got " + pplTokens);
        if (brownDir != null && !java.nio.file.Files.isDirectory(brownDir)) throw Checks.bad("--brown-dir", brownDir, "not a directory");
        // eval writes cached controls (static_edit/, sft_passage.json) into the run folder: one writer at a time.
        try (sealjvm.seal.RunLock lock = sealjvm.seal.RunLock.acquire(run)) {
            return evaluate(text);
        }
    }

    private Integer evaluate(boolean text) throws Exception {
        if (sequential != null) {
            if (sequential < 1) throw new IllegalArgumentException("--sequential must be >= 1, got " + sequential);
            if (pplTokens < 0) throw new IllegalArgumentException("--ppl-tokens must be >= 0, got " + pplTokens);
            int[] ppl = null;
            if (pplTokens > 0) {
                BrownCorpus brown = brownDir != null ? BrownCorpus.load(brownDir) : BrownCorpus.loadDefault();
                int[] all = brown.tokens(BrownCorpus.Split.HELDOUT, sealjvm.gpt2.Gpt2Tokenizer.fromDirectory(SealCli.home().resolve("weights/tokenizer")));
                ppl = Arrays.copyOf(all, Math.min(all.length, pplTokens));
            }
            SequentialHeatMaps lines = new SequentialHeatMaps(run, sequential, System.out::println);
            ObjectNode summary = text ? TextSealEval.sequential(SealCli.home(), run, sequential, seed.seed, ppl, lines)
                    : SealEval.sequential(SealCli.home(), run, sequential, seed.seed, ppl, lines, placement);
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().set("sequential", summary));
            return 0;
        }
        System.out.println(text ? TextSealEval.evaluate(SealCli.home(), run, firstEpisode, episodes, seed.seed,
                        draws != null ? draws : sealjvm.seal.text.TextSealEval.DEFAULT_DRAWS, sealjvm.seal.eval.Baselines.Recipe.TEXT_INNER, adapters)
                : SealEval.evaluate(SealCli.home(), run, firstEpisode, episodes, seed.seed, sealjvm.seal.eval.Baselines.Recipe.DEFAULT, placement, adapters));
        return 0;
    }
}
