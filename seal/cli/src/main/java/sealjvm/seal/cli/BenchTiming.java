package sealjvm.seal.cli;

import java.util.Arrays;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Backend;
import picocli.CommandLine.Mixin;

/** Options the timed bench subcommands share: threads, warmup and timed runs. */
final class BenchTiming {
    @Mixin ThreadsOption threads;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--iters", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup-ms", defaultValue = "2000",
            description = "Keep warming up (so that the JIT has compiled the kernels) until this long has passed (default: ${DEFAULT-VALUE}).")
    long warmupMs;

    int applyThreads() {
        Checks.atLeast("--warmup", warmup, 0);
        Checks.atLeast("--iters", iters, 1);
        return threads.apply();
    }

    /** Runs body warmup + iters times; returns the sorted timed durations in ms. */
    double[] time(Runnable body) {
        long until = System.nanoTime() + warmupMs * 1_000_000;
        for (int i = 0; i < warmup || System.nanoTime() < until; i++) body.run();
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** {@link #time(Runnable)} in the backend's own time (device time where work is queued). */
    double[] time(Gpt2Backend backend, Runnable body) {
        long until = System.nanoTime() + warmupMs * 1_000_000;
        for (int i = 0; i < warmup || System.nanoTime() < until; i++) body.run();
        backend.synchronize();
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) ms[i] = backend.timeMillis(body);
        Arrays.sort(ms);
        return ms;
    }
}
