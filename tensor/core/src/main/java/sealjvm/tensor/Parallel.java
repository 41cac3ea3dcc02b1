package sealjvm.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The engine's one thread pool, sized to the cores (or to {@code --threads}): the calling thread and threads − 1
 * helpers. Kernels split their work into independent tasks and call {@link #forEach}; the caller takes tasks too,
 * and a helper that finds no new job spins for {@link #SPIN_NANOS} before it parks, so the many short parallel
 * regions of a decode step do not each pay a park/unpark round trip (ONNX Runtime's pool spins likewise). A call
 * from inside a task, or while another thread's job holds the pool, runs its tasks inline, in order.
 */
public final class Parallel {
    /** How long an idle helper spins for the next job before parking. */
    static final long SPIN_NANOS = 100_000;

    private static volatile Workers workers = new Workers(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    /** Number of threads kernels may use. */
    public static int threads() { return workers.threads; }

    /** Resize the pool (e.g. {@code bin/seal bench --threads N}); call between kernels, not during one. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (threads == threads()) return;
        Workers old = workers;
        workers = new Workers(threads);
        old.shutdown();
    }

    /** Runs {@code body(i)} for i in [0, n), in parallel when there is more than one task and thread. */
    public static void forEach(int n, IntConsumer body) {
        if (n <= 0) return;
        Workers w = workers;
        if (n == 1 || w.threads == 1 || !w.tryRun(n, body)) {
            for (int i = 0; i < n; i++) body.accept(i);
        }
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

    /**
     * Runs {@code body} over [0, n) in contiguous chunks that the threads take from a shared counter, each a
     * {@code 2·threads}-th of what is left but at least {@code minChunk}: large chunks first and small ones last, so
     * the threads finish together. Where the boundaries fall depends on timing: only for bodies whose every result is
     * independent of them.
     */
    public static void forGuided(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int t = threads(), min = Math.max(1, minChunk);
        if (t == 1 || n <= min) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        forEach(t, task -> {
            for (int s; (s = next.get()) < n; ) {
                int e = Math.min(n, s + Math.max(min, (n - s) / (2 * t)));
                if (next.compareAndSet(s, e)) body.run(s, e);
            }
        });
    }

    @FunctionalInterface
    public interface RangeBody { void run(int start, int end); }

    /** One job: tasks [0, n) handed out by a counter; the first failure is kept and the remaining tasks skipped. */
    private static final class Job {
        final IntConsumer body;
        final int n;
        final AtomicInteger next = new AtomicInteger(), finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int n, IntConsumer body) { this.n = n; this.body = body; }

        void work() {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    if (failure.get() == null) body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    finished.incrementAndGet();
                }
            }
        }
    }

    private static final class Workers {
        final int threads;
        private final Thread[] helpers;
        private final ReentrantLock lock = new ReentrantLock();   // one job at a time
        private volatile Job current;                             // the job helpers work on; null between jobs
        private volatile boolean shutdown;

        Workers(int threads) {
            this.threads = threads;
            helpers = new Thread[threads - 1];
            for (int h = 0; h < helpers.length; h++) {
                helpers[h] = new Thread(this::helperLoop, "seal-kernel-" + h);
                helpers[h].setDaemon(true);
                helpers[h].start();
            }
        }

        /** Runs the job with the helpers; false (nothing run) when called from a task or while another job holds the pool. */
        boolean tryRun(int n, IntConsumer body) {
            if (lock.isHeldByCurrentThread() || isHelper(Thread.currentThread()) || !lock.tryLock()) return false;
            try {
                Job job = new Job(n, body);
                current = job;
                for (Thread h : helpers) LockSupport.unpark(h);
                job.work();
                while (job.finished.get() < n) Thread.onSpinWait();
                current = null;
                Throwable t = job.failure.get();
                if (t instanceof RuntimeException e) throw e;
                if (t instanceof Error e) throw e;
                if (t != null) throw new IllegalStateException(t);
                return true;
            } finally {
                lock.unlock();
            }
        }

        private boolean isHelper(Thread t) {
            for (Thread h : helpers) if (h == t) return true;
            return false;
        }

        private void helperLoop() {
            Job last = null;
            while (!shutdown) {
                Job j = current;
                if (j != null && j != last) {
                    last = j;
                    j.work();
                    continue;
                }
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (current == j && !shutdown && System.nanoTime() < deadline) Thread.onSpinWait();
                // A job published after this check unparks us: park then returns at once (the permit is kept).
                if (current == j && !shutdown) LockSupport.park(this);
            }
        }

        void shutdown() {
            shutdown = true;
            for (Thread h : helpers) LockSupport.unpark(h);
        }
    }
}
