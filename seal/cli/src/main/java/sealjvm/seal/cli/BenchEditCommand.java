package sealjvm.seal.cli;

import java.util.concurrent.Callable;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.tensor.Placement;

/** {@code seal bench edit}: MERGED apply + bit-exact revert vs a plain copy of the same bytes, in one run. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = "Time merged low-rank apply and revert on a R×C weight against a plain copy; last line is JSON.")
final class BenchEditCommand implements Callable<Integer> {
    @CommandLine.Mixin BenchTiming timing;
    @Option(names = "--rows", defaultValue = "768", description = "Rows R of the weight (default: ${DEFAULT-VALUE}).") int rows;
    @Option(names = "--cols", defaultValue = "3072", description = "Columns C of the weight (default: ${DEFAULT-VALUE}).") int cols;
    @Option(names = "--rank", defaultValue = "8", description = "Rank of the edit (default: ${DEFAULT-VALUE}).") int rank;
    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() {
        Placement placement = placementOption.placement();
        Checks.atLeast("--rows", rows, 1);
        Checks.atLeast("--cols", cols, 1);
        Checks.atLeast("--rank", rank, 1);
        Checks.fitsMemory("--rows " + rows + " --cols " + cols + ": the weight, its copy and snapshot", 4.0 * 3 * rows * (double) cols);
        timing.applyThreads();
        var out = sealjvm.seal.diagnostics.EditBenchmark.run(placement, rows, cols, rank, Math.max(timing.iters, 20), timing.warmupMs);
        System.out.println(String.format(Locale.ROOT, "edit %dx%d rank %d threads=%d: apply %.3f ms, revert %.3f ms, copy %.3f ms",
                rows, cols, rank, out.get("threads").intValue(), out.get("apply_ms").doubleValue(), out.get("revert_ms").doubleValue(),
                out.get("copy_ms").doubleValue()));
        System.out.println(BenchJson.write(out));
        return 0;
    }
}
