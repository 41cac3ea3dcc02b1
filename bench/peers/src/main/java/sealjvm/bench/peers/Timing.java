package sealjvm.bench.peers;

import java.util.Arrays;

/**
 * The timing loop of {@code bin/seal bench}: warm-up runs for at least a count and a wall time, then timed runs,
 * sorted. A step that takes seconds (an engine far slower than the rest) is held to a budget instead: one warm-up
 * run at least, three timed runs at least, and no further runs once {@code maxMs} of each phase is spent.
 */
final class Timing {
    private Timing() {}

    interface Step { void run() throws Exception; }

    static double[] time(Step body, int warmup, long warmupMs, int iters, long maxMs) throws Exception {
        long start = System.nanoTime(), until = start + warmupMs * 1_000_000, cap = start + maxMs * 1_000_000;
        for (int i = 0; i < 1 || (i < warmup || System.nanoTime() < until) && System.nanoTime() < cap; i++) body.run();
        double[] ms = new double[iters];
        int n = 0;
        cap = System.nanoTime() + maxMs * 1_000_000;
        while (n < iters && (n < Math.min(3, iters) || System.nanoTime() < cap)) {
            long t0 = System.nanoTime();
            body.run();
            ms[n++] = (System.nanoTime() - t0) / 1e6;
        }
        ms = Arrays.copyOf(ms, n);
        Arrays.sort(ms);
        return ms;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
