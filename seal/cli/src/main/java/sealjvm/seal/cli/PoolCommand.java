package sealjvm.seal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import sealjvm.seal.eval.EvalPool;

/** {@code seal pool RUN_DIR...}: the evals of runs of one recipe under different seeds, pooled, one JSON line. */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"Pool the last evals of runs of one recipe under different seeds (each RUN_DIR/eval.json, or an eval file): "
                + "one JSON line with the arms' means over every episode of every run and \"ci95\" {METRIC: {trained_minus_ARM: [lo, hi]}} "
                + "from a bootstrap clustered by episode and stratified by run.",
                "The runs must differ in their seed only and share no eval episode (bin/seal eval's default slice differs by seed)."})
final class PoolCommand implements Callable<Integer> {
    @Parameters(arity = "2..*", paramLabel = "RUN_DIR", description = "Run folders evaluated by bin/seal eval (or their eval.json files).") List<Path> runs;
    @Mixin SeedOption seed = new SeedOption(7);   // the bootstrap

    @Override
    public Integer call() throws Exception {
        for (Path r : runs) {
            if (!java.nio.file.Files.exists(r)) throw Checks.bad("RUN_DIR", r, "does not exist");
        }
        System.out.println(EvalPool.pool(runs, seed.seed));
        return 0;
    }
}
