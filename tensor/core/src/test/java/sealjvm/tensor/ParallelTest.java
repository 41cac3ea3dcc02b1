package sealjvm.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
}
