package sealjvm.seal.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: the random seed of a command whose default seed is 1. */
final class SeedOption {
    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;
}
