package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.seal.Stats;
import sealjvm.seal.TrainConfig.DataSource;
import sealjvm.seal.TrainConfig.TaskName;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Placement;

/** {@code seal bench reinforce}: SEAL episodes (K rollouts each) of a fresh generator, nothing written to disk. */
@Command(name = "reinforce", mixinStandardHelpOptions = true,
        description = "Time SEAL training episodes (sample K edits, score them, REINFORCE update); last line is JSON with rollouts_per_s.")
final class BenchReinforceCommand implements Callable<Integer> {
    @Option(names = "--task", defaultValue = "facts", description = "${COMPLETION-CANDIDATES}; spam needs the corpus or --data sample (default: ${DEFAULT-VALUE}).") TaskName task;
    @Mixin ModelOption model;
    @Option(names = "--targets", defaultValue = "h.1.attn.c_proj", description = "Linears to edit (default: ${DEFAULT-VALUE}).") String targets;
    @Option(names = "--samples", defaultValue = "8", description = "Rollouts (edits) per episode, K (default: ${DEFAULT-VALUE}).") int samples;
    @Option(names = "--episodes", defaultValue = "10", description = "Timed episodes (default: ${DEFAULT-VALUE}).") int episodes;
    // 20: on 2 cores the JIT's compilations (about 6 s of C2 time in a run of this command, -XX:+CITime) share the
    // cores with the kernels through roughly the first 20 episodes of the bundled model (Zen 4, 2026-12-07).
    @Option(names = "--warmup", defaultValue = "20", description = "Untimed episodes first, past the JIT's compilations (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--data", defaultValue = "sample", description = "spam: ${COMPLETION-CANDIDATES}; full: the corpus; sample: the committed sample (default: ${DEFAULT-VALUE}).") DataSource data;
    @Mixin ThreadsOption threads;
    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() throws Exception {
        Placement placement = placementOption.placement();
        Checks.atLeast("--samples", samples, 2);
        Checks.atLeast("--episodes", episodes, 1);
        Checks.atLeast("--warmup", warmup, 0);
        threads.apply();
        java.nio.file.Path modelDir = model.dir();
        var c = sealjvm.seal.TrainConfig.builder(task, modelDir.toAbsolutePath().toString())
                .targets(targets).samples(samples).episodes(warmup + episodes).lrSchedule(sealjvm.seal.TrainConfig.Schedule.CONSTANT)
                .data(data).build();
        java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("seal-bench-reinforce");
        try (var setup = sealjvm.seal.Setup.create(c, SealCli.home(), tmp, placement);
             var loop = new sealjvm.seal.SealLoop(c, setup, sealjvm.seal.SealLoop.initialState(c, setup))) {
            for (int i = 0; i < warmup; i++) loop.episode();
            double[] ms = new double[episodes];
            for (int i = 0; i < episodes; i++) {
                long t0 = System.nanoTime();
                loop.episode();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            double med = Stats.median(ms);
            System.out.println(String.format(Locale.ROOT, "reinforce task=%s model=%s K=%d %s: median %.1f ms per episode, %.1f rollouts/s",
                    task, modelDir.getFileName(), samples, placementOption.device, med, samples / med * 1000));
            ObjectNode json = BenchJson.result("reinforce");
            json.put("task", task.toString()).put("model", modelDir.getFileName().toString()).put("samples", samples).put("threads", Parallel.threads());
            BenchJson.device(json, placement, setup.backend().deviceName());
            json.put("iters", episodes).put("median_ms", BenchJson.num(med)).put("min_ms", BenchJson.num(ms[0]))
                    .put("rollouts_per_s", BenchJson.num(samples / med * 1000));
            System.out.println(BenchJson.write(json));
        } finally {
            try (var files = java.nio.file.Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }
}
