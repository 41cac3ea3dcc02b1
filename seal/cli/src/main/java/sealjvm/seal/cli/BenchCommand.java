package sealjvm.seal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code seal bench ...}: quick wall-clock benchmarks on random weights made in-process.
 * Every subcommand prints, as its last line on stdout, one JSON object with at least
 * {@code median_ms}, {@code min_ms} and {@code gflops} — outside checks parse that line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on random weights; the last line printed is one JSON object.",
        subcommands = {BenchForwardCommand.class, BenchTrainCommand.class, BenchMatmulCommand.class, BenchEditCommand.class,
                BenchReinforceCommand.class, BenchGenerateCommand.class,
                CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a subcommand: forward, matmul"); }
}
