package sealjvm.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import sealjvm.seal.rollout.EngineSpec;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.rollout.RolloutJob;
import sealjvm.tensor.Placement;

/** Runs {@link SealLoop} over a run directory: metrics, a checkpoint per episode, progress told to a {@link Progress}. */
public final class Trainer {
    private Trainer() {}

    /** Starts a new run in {@code out} (which must not hold one already). */
    public static List<JsonNode> train(TrainConfig config, Path home, Path out, Progress progress) throws IOException {
        return train(config, home, out, progress, Placement.CPU, EngineSpec.LOCAL);
    }

    /** Starts a new run in {@code out} with the frozen model's forwards on {@code placement}. */
    public static List<JsonNode> train(TrainConfig config, Path home, Path out, Progress progress, Placement placement) throws IOException {
        return train(config, home, out, progress, placement, EngineSpec.LOCAL);
    }

    /** Starts a new run in {@code out} whose rollouts run on {@code engine}. */
    public static List<JsonNode> train(TrainConfig config, Path home, Path out, Progress progress, RolloutEngine.Factory engine) throws IOException {
        return train(config, home, out, progress, Placement.CPU, engine);
    }

    /** Starts a new run in {@code out}: the frozen model's forwards on {@code placement}, rollouts on {@code engine}. */
    public static List<JsonNode> train(TrainConfig config, Path home, Path out, Progress progress, Placement placement,
                                       RolloutEngine.Factory engine) throws IOException {
        RunDir run = new RunDir(out);
        if (Files.exists(run.config()) || Files.exists(run.checkpoint())) {
            throw new IllegalArgumentException(out + " already holds a run: use --resume " + out + " to continue it, or choose another --out");
        }
        // The engine starts first: one that cannot (a bad master) leaves no run behind.
        try (RolloutEngine rollouts = engine.open(job(new ObjectMapper().writeValueAsString(config), home, out))) {
            return start(config, home, run, progress, placement, rollouts);
        }
    }

    private static List<JsonNode> start(TrainConfig config, Path home, RunDir run, Progress progress, Placement placement,
                                        RolloutEngine rollouts) throws IOException {
        Path out = run.dir;
        run.writeConfig(config);
        boolean started = false;
        try (Setup setup = Setup.create(config, home, out, placement)) {
            SealLoop.State state = SealLoop.initialState(config, setup, out);
            run.truncateMetrics(0);
            run.saveCheckpoint(state);
            started = true;
            return loop(config, setup, state, run, progress, rollouts);
        } finally {
            // A run that failed before its first checkpoint (model, data, memory) leaves no half-made run behind,
            // so the same --out can be used again rather than being "already a run" that --resume cannot continue.
            if (!started) {
                Files.deleteIfExists(run.checkpoint());
                Files.deleteIfExists(run.metrics());
                Files.deleteIfExists(run.config());
            }
        }
    }

    /** Continues the run in {@code out} from its last checkpoint. */
    public static List<JsonNode> resume(Path home, Path out, Progress progress) throws IOException {
        return resume(home, out, progress, Placement.CPU, EngineSpec.LOCAL);
    }

    /** Continues the run in {@code out} from its last checkpoint, its forwards on {@code placement}. */
    public static List<JsonNode> resume(Path home, Path out, Progress progress, Placement placement) throws IOException {
        return resume(home, out, progress, placement, EngineSpec.LOCAL);
    }

    /** Continues the run in {@code out} from its last checkpoint, its rollouts on {@code engine}. */
    public static List<JsonNode> resume(Path home, Path out, Progress progress, RolloutEngine.Factory engine) throws IOException {
        return resume(home, out, progress, Placement.CPU, engine);
    }

    /** Continues the run in {@code out} from its last checkpoint: forwards on {@code placement}, rollouts on {@code engine}. */
    public static List<JsonNode> resume(Path home, Path out, Progress progress, Placement placement, RolloutEngine.Factory engine) throws IOException {
        RunDir run = new RunDir(out);
        TrainConfig config = run.readConfig();
        run.removeStaleTemps();                // a killed run may have died inside an atomic write
        try (RolloutEngine rollouts = engine.open(job(Files.readString(run.config()), home, out));
             Setup setup = Setup.create(config, home, out, placement)) {
            SealLoop.State state = SealLoop.initialState(config, setup);
            if (Files.exists(run.checkpoint())) run.loadCheckpoint(state);
            run.truncateMetrics(state.episodesDone);
            return loop(config, setup, state, run, progress, rollouts);
        }
    }

    /** What the engine's workers need to rebuild this run: its config, the SEAL home and the run folder. */
    private static RolloutJob job(String configJson, Path home, Path out) {
        return new RolloutJob(RolloutJob.Method.GENERATOR, configJson, home.toAbsolutePath().toString(), out.toAbsolutePath().toString());
    }

    private static List<JsonNode> loop(TrainConfig config, Setup setup, SealLoop.State state, RunDir run, Progress progress, RolloutEngine rollouts)
            throws IOException {
        try (SealLoop loop = new SealLoop(config, setup, state, rollouts, run.dir)) {
            return run(config, state, run, progress, loop);
        }
    }

    private static List<JsonNode> run(TrainConfig config, SealLoop.State state, RunDir run, Progress progress, SealLoop loop) throws IOException {
        progress.start("seal " + config.task(), config.episodes(), state.episodesDone);
        try {
            double ema = Double.NaN;
            while (state.episodesDone < config.episodes()) {
                ObjectNode m = loop.episode();
                run.appendMetrics(m);          // line first, then checkpoint: resume drops lines past the checkpoint
                run.saveCheckpoint(state);
                double r = m.get("reward_mean").doubleValue();
                ema = Double.isNaN(ema) ? r : 0.95 * ema + 0.05 * r;
                progress.step(state.episodesDone, String.format("reward %+.4f (avg %+.4f)", r, ema));
            }
        } finally {
            progress.finish();
        }
        return run.readMetrics();
    }
}
