package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void chunksCoverTheRangeOnceWithSizesWithinOne() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {1, 5, 12, 36, 48, 785}) {
                    for (int minChunk : new int[] {1, 3, 8}) {
                        List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
                        Parallel.forChunks(n, minChunk, (s, e) -> ranges.add(new int[] {s, e}));
                        List<int[]> sorted = new ArrayList<>(ranges);
                        sorted.sort((x, y) -> Integer.compare(x[0], y[0]));
                        int next = 0, min = Integer.MAX_VALUE, max = 0;
                        for (int[] r : sorted) {
                            assertEquals(next, r[0], "contiguous, n=" + n);
                            assertTrue(r[1] > r[0], "non-empty, n=" + n);
                            next = r[1];
                            min = Math.min(min, r[1] - r[0]);
                            max = Math.max(max, r[1] - r[0]);
                        }
                        assertEquals(n, next, "covers [0, n), n=" + n);
                        assertTrue(max - min <= 1, "sizes within one, n=" + n + ": " + min + ".." + max);
                        if (n >= minChunk) assertTrue(min >= minChunk, "at least minChunk, n=" + n);
                        assertTrue(sorted.size() <= Math.max(1, threads * 4), "about 4 chunks a thread");
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void guidedChunksCoverTheRangeOnceAndShrinkTowardTheEnd() {
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                for (int n : new int[] {1, 2, 5, 36, 48, 786}) {
                    for (int minChunk : new int[] {1, 2, 8}) {
                        List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
                        Parallel.forGuided(n, minChunk, (s, e) -> ranges.add(new int[] {s, e}));
                        List<int[]> sorted = new ArrayList<>(ranges);
                        sorted.sort((x, y) -> Integer.compare(x[0], y[0]));
                        int next = 0;
                        for (int i = 0; i < sorted.size(); i++) {
                            int[] r = sorted.get(i);
                            assertEquals(next, r[0], "contiguous, n=" + n);
                            int size = r[1] - r[0];
                            if (i + 1 < sorted.size()) assertTrue(size >= minChunk, "at least minChunk but the last, n=" + n + ": " + size);
                            // each chunk is a 2·threads-th of what is left when it is taken (or minChunk)
                            if (threads > 1) assertEquals(Math.min(n - r[0], Math.max(minChunk, (n - r[0]) / (2 * threads))), size, "n=" + n + " at " + r[0]);
                            next = r[1];
                        }
                        assertEquals(n, next, "covers [0, n), n=" + n);
                        if (threads > 1 && n >= 4 * threads * minChunk) {
                            assertTrue(sorted.getFirst()[1] - sorted.getFirst()[0] > sorted.getLast()[1] - sorted.getLast()[0], "shrinks, n=" + n);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void everyTaskRunsOnceAlsoNestedAndFromSeveralCallers() {
        int before = Parallel.threads();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int threads : new int[] {1, 2, 3}) {
                    Parallel.setThreads(threads);
                    for (int n : new int[] {1, 2, 7, 64, 1000}) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(n);
                        Parallel.forEach(n, runs::incrementAndGet);
                        for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "task " + i + " of " + n);
                    }
                    // a task that itself calls forEach: runs inline, every inner task once
                    AtomicIntegerArray inner = new AtomicIntegerArray(8 * 50);
                    Parallel.forEach(8, o -> Parallel.forEach(50, i -> inner.incrementAndGet(o * 50 + i)));
                    for (int i = 0; i < inner.length(); i++) assertEquals(1, inner.get(i), "nested task " + i);
                    // several threads calling at once: one holds the pool, the others run inline; all complete
                    AtomicIntegerArray many = new AtomicIntegerArray(4 * 2000);
                    Thread[] callers = new Thread[4];
                    for (int c = 0; c < callers.length; c++) {
                        int base = c * 2000;
                        callers[c] = new Thread(() -> {
                            for (int r = 0; r < 20; r++) {
                                int off = base + r * 100;
                                Parallel.forEach(100, i -> many.incrementAndGet(off + i));
                            }
                        });
                        callers[c].start();
                    }
                    for (Thread t : callers) t.join();
                    for (int i = 0; i < many.length(); i++) assertEquals(1, many.get(i), "concurrent task " + i);
                }
            });
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aFailingTaskThrowsItsExceptionAndThePoolStaysUsable() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(2);
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.forEach(100, i -> {
                    if (i == 37) throw new IllegalArgumentException("task 37");
                }));
                assertEquals("task 37", e.getMessage());
                AtomicIntegerArray runs = new AtomicIntegerArray(100);
                Parallel.forEach(100, runs::incrementAndGet);
                for (int i = 0; i < 100; i++) assertEquals(1, runs.get(i));
            });
        } finally {
            Parallel.setThreads(before);
        }
    }
}
