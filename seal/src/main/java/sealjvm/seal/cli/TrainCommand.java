package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.Trainer;

/** {@code seal train --task spam|facts --out RUN_DIR}: REINFORCE-train the edit generator. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train the edit generator with REINFORCE (SEAL). Writes RUN_DIR/metrics.jsonl, a checkpoint per episode and reward_curve.png.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", description = "spam | facts (required unless --resume).")
    String task;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "New run directory.")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its last checkpoint (its config.json wins over other flags).")
    Path resume;

    @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face GPT-2 directory (default: the bundled model).")
    Path model;

    @Option(names = "--targets", defaultValue = "h.1.attn.c_proj", description = "Linears to edit, e.g. h.10-11.mlp.c_proj or h.*.attn.c_attn (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(names = "--rank", defaultValue = "4", description = "Rank r of ΔW = (α/r)·A·B (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", defaultValue = "4", description = "LoRA α (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--samples", defaultValue = "8", description = "Edits sampled per context, K (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--episodes", defaultValue = "1500", description = "Training episodes (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--lr-schedule", defaultValue = "cosine", description = "cosine (decays to 0 at the last episode) | constant (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--hidden", defaultValue = "64", description = "Generator MLP width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--init-std", defaultValue = "0.01", description = "Initial σ of the edit Gaussian (default: ${DEFAULT-VALUE}).")
    double initStd;

    @Option(names = "--entropy", defaultValue = "0", description = "Entropy bonus β (default: ${DEFAULT-VALUE}).")
    double entropy;

    @Option(names = "--baseline", defaultValue = "rloo", description = "rloo (leave-one-out) | ema (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = "--ema-decay", defaultValue = "0.9", description = "EMA baseline decay (default: ${DEFAULT-VALUE}).")
    double emaDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "Max gradient norm, 0 = off (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--lambda-forget", defaultValue = "1.0", description = "Weight of the LM-loss increase on general text (default: ${DEFAULT-VALUE}).")
    double lambdaForget;

    @Option(names = "--lambda-norm", defaultValue = "0.0002", description = "Weight of ‖ΔW‖ (default: ${DEFAULT-VALUE}).")
    double lambdaNorm;

    @Option(names = "--data", defaultValue = "full", description = "full (spam corpus fetched on first use) | sample (small committed sample) (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--data-seed", defaultValue = "1234", description = "Seed of the data splits and synthetic facts (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) | cuda.")
    String device;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        SealCli.checkDevice(device);
        List<JsonNode> metrics;
        if (resume != null) {
            if (out != null && !out.equals(resume)) throw new IllegalArgumentException("--resume continues RUN_DIR in place: drop --out or give the same folder");
            metrics = Trainer.resume(SealCli.home(), resume, !noProgress);
        } else {
            if (task == null || out == null) throw new IllegalArgumentException("give --task spam|facts and --out RUN_DIR (or --resume RUN_DIR)");
            Path modelDir = model != null ? model : SealCli.defaultModel();
            TrainConfig c = new TrainConfig(task, modelDir.toAbsolutePath().toString(), targets, rank, alpha, samples, episodes, lr, lrSchedule, seed,
                    hidden, initStd, entropy, baseline, emaDecay, clip, lambdaForget, lambdaNorm, data, dataSeed);
            metrics = Trainer.train(c, SealCli.home(), out, !noProgress);
        }
        if (!metrics.isEmpty()) System.out.println(metrics.getLast());
        return 0;
    }
}
