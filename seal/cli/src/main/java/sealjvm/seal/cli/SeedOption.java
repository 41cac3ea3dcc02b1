package sealjvm.seal.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: the random seed of a command; its default is the command's own (1 unless it says otherwise). */
final class SeedOption {
    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    SeedOption() { this(1); }

    /** The option with {@code defaultSeed} as its default. */
    SeedOption(long defaultSeed) { seed = defaultSeed; }
}
