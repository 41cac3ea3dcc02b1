package sealjvm.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The engine's one thread pool, sized to the cores (or to {@code --threads}).
 * Kernels split their work into independent tasks and call {@link #forEach}; tiny jobs run inline
 * so that a 1-token decode does not pay fork/join overhead on every small op.
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("seal-kernel-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Number of threads kernels may use. */
    public static int threads() { return pool.getParallelism(); }

    /** Resize the pool (e.g. {@code bin/seal bench --threads N}); call between kernels, not during one. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == threads()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    /** Runs {@code body(i)} for i in [0, n), in parallel when there is more than one task and thread. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        ForkJoinPool p = pool;
        if (n == 1 || p.getParallelism() == 1 || java.util.concurrent.ForkJoinTask.getPool() == p) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        p.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
    }

    /**
     * Splits [0, n) into about {@code threads() * 4} contiguous chunks of at least {@code minChunk}, their sizes
     * differing by at most one (36 strips on 2 threads: four of 5 and four of 4, so each thread can get 18, where
     * seven of 5 and one of 1 left one thread 20).
     */
    public static void forChunks(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads() * 4, n / Math.max(1, minChunk)));
        forEach(chunks, c -> body.run((int) ((long) c * n / chunks), (int) ((long) (c + 1) * n / chunks)));
    }

    @FunctionalInterface
    public interface RangeBody { void run(int start, int end); }
}
