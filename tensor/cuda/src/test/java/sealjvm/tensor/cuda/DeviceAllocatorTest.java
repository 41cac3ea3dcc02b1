package sealjvm.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sealjvm.bindings.CudaException;

/** The allocator's own counters, on a fake driver (no GPU): what the leak check of {@code seal gpu-check} compares. */
class DeviceAllocatorTest {
    /** Hands out fake pointers; tracks what is allocated at the driver; can fail with out-of-memory once. */
    static final class FakeDriver implements DeviceAllocator.Driver {
        long next = 1L << 20, budget = Long.MAX_VALUE, held;
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();

        @Override
        public long malloc(long bytes) {
            if (held + bytes > budget) throw new CudaException("cuda", "cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
            long p = next;
            next += bytes + 256;
            live.put(p, bytes);
            held += bytes;
            return p;
        }

        @Override
        public void free(long ptr) {
            Long bytes = live.remove(ptr);
            assertTrue(bytes != null, "free of a pointer the driver did not hand out");
            held -= bytes;
        }
    }

    @Test
    void liveBytesAndBlocksReturnExactlyToTheirValueAfterApplyRevertLikeCycles() {
        FakeDriver drv = new FakeDriver();
        DeviceAllocator a = new DeviceAllocator(drv);
        long weights = a.allocate(4096 * 4);                    // held for the whole run, like the model's parameters
        // one "apply + revert": a snapshot, A·B scratch, released in another order than allocated
        Runnable cycle = () -> {
            long snap = a.allocate(768 * 3072 * 4L), ab = a.allocate(768 * 8 * 4L), tmp = a.allocate(1000);
            a.release(ab, 768 * 8 * 4L);
            a.release(snap, 768 * 3072 * 4L);
            a.release(tmp, 1000);
        };
        cycle.run();
        DeviceAllocator.Stats s0 = a.stats();
        for (int i = 0; i < 1000; i++) cycle.run();
        DeviceAllocator.Stats s1 = a.stats();
        assertEquals(s0.liveBytes(), s1.liveBytes());
        assertEquals(1, s1.liveBlocks());
        assertEquals(DeviceAllocator.rounded(4096 * 4), s1.liveBytes());
        assertEquals(s0.driverAllocs(), s1.driverAllocs(), "cycles after the first reach the driver");
        assertEquals(s0.cachedBytes(), s1.cachedBytes());
        a.release(weights, 4096 * 4);
        assertEquals(0, a.stats().liveBytes());
        assertEquals(0, a.stats().liveBlocks());
    }

    @Test
    void aBlockKeptByMistakeShowsInTheLiveCounters() {
        DeviceAllocator a = new DeviceAllocator(new FakeDriver());
        DeviceAllocator.Stats s0 = a.stats();
        List<Long> leaked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long keep = a.allocate(512);
            long tmp = a.allocate(2048);
            a.release(tmp, 2048);
            leaked.add(keep);
        }
        DeviceAllocator.Stats s1 = a.stats();
        assertEquals(3 * 512, s1.liveBytes() - s0.liveBytes());
        assertEquals(3, s1.liveBlocks() - s0.liveBlocks());
        assertNotEquals(leaked.get(0), leaked.get(1));
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDriver drv = new FakeDriver();
        DeviceAllocator a = new DeviceAllocator(drv);
        long p = a.allocate(4 << 20);
        a.release(p, 4 << 20);                                  // cached, still held at the driver
        drv.budget = drv.held + (1 << 20);
        long q = a.allocate(2 << 20);                           // a new size: the driver says no until the cache is emptied
        DeviceAllocator.Stats s = a.stats();
        assertEquals(1, s.driverFrees());
        assertEquals(0, s.cachedBytes());
        assertEquals(1, s.liveBlocks());
        assertTrue(q != 0);
        drv.budget = 0;
        CudaException e = assertThrows(CudaException.class, () -> a.allocate(64 << 20));
        assertTrue(e.getMessage().contains("cache emptied"), e.getMessage());
        assertEquals(1, a.stats().liveBlocks(), "a failed allocation counts nothing");
    }
}
