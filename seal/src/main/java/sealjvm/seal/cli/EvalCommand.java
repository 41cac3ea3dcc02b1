package sealjvm.seal.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.seal.SealEval;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.RunDir;

/** {@code seal eval --run RUN_DIR --task T --episodes N --seed S}: held-out rewards, one JSON line. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a run on held-out episodes; prints one JSON line.", "generator runs: trained vs no_edit, random_edit and mean_edit.", "text runs: trained self-edit vs no_edit, SFT on the raw passage and the untrained model's self-edit."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR") Path run;
    @Option(names = "--task", description = "Must match the run's task (checked).") String task;
    @Option(names = "--episodes", defaultValue = "200", description = "Held-out episodes (default: ${DEFAULT-VALUE}).") int episodes;
    @Option(names = "--seed", defaultValue = "7", description = "Seed of the held-out episodes (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--device", defaultValue = "cpu") String device;
    @Option(names = "--precision", defaultValue = "fp32", description = "cuda GEMMs: fp32 (exact, default) | tf32 | bf16.")
    String precision;

    @Override
    public Integer call() throws Exception {
        SealCli.checkDevice(device, precision);
        if (sealjvm.seal.text.TextSealTrainer.isTextRun(run)) {
            if (sealjvm.seal.Accelerator.cuda()) {
                throw new IllegalArgumentException("--device cuda: text-SEAL runs fine-tune with the backward pass, which runs on the CPU only in this build; use --device cpu");
            }
            var c = sealjvm.seal.text.TextSealTrainer.readConfig(run);
            if (task != null && !task.equals(c.task())) throw new IllegalArgumentException(run + " was trained on task " + c.task() + ", not " + task);
            System.out.println(sealjvm.seal.text.TextSealEval.evaluate(SealCli.home(), run, episodes, seed));
            return 0;
        }
        TrainConfig c = new RunDir(run).readConfig();
        if (task != null && !task.equals(c.task())) throw new IllegalArgumentException(run + " was trained on task " + c.task() + ", not " + task);
        System.out.println(SealEval.evaluate(SealCli.home(), run, episodes, seed));
        return 0;
    }
}
