package sealjvm.seal.cli;

import picocli.CommandLine.Option;
import sealjvm.tensor.Parallel;

/** {@code --threads N}: the kernel thread count. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: the number of cores).")
    Integer threads;

    /** Refuses a count below 1. */
    void check() {
        if (threads != null) Checks.atLeast("--threads", threads, 1);
    }

    /** Checks the count and sets it for the kernels; returns the thread count in use. */
    int apply() {
        check();
        if (threads != null) Parallel.setThreads(threads);
        return Parallel.threads();
    }
}
