package sealjvm.tensor.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import sealjvm.bindings.Cuda;
import sealjvm.bindings.CudaException;

/**
 * A caching allocator for device memory, PyTorch's idea in its simplest form: a freed block goes back to a
 * free list for its (rounded) size instead of to {@code cuMemFree}, so a loop that allocates the same shapes
 * every step (a forward, an apply/revert cycle) stops calling the driver after its first step. Sizes are
 * rounded up to 512 bytes below 1 MiB and to 2 MiB above, so near-equal requests share blocks.
 * All work runs on one stream, in order, so a block freed by the host can be handed out again at once:
 * any kernel still reading it precedes, on the stream, whatever the next owner enqueues.
 * On out-of-memory the cache is emptied and the allocation retried once.
 *
 * <p>{@link #stats} counts what the allocator itself holds: bytes and blocks handed out and not yet released
 * ({@code liveBytes}, {@code liveBlocks}), exact on any GPU, shared or not — the leak check compares these, while the
 * driver's free memory ({@code cuMemGetInfo}) also moves with other processes and the driver's own bookkeeping.
 */
public final class DeviceAllocator {
    /** The driver calls the allocator makes: {@code cuMemAlloc}/{@code cuMemFree}, replaceable in tests. */
    interface Driver {
        long malloc(long bytes);

        void free(long ptr);
    }

    private static final Driver CUDA = new Driver() {
        @Override public long malloc(long bytes) { return Cuda.malloc(bytes); }

        @Override public void free(long ptr) { Cuda.free(ptr); }
    };

    private final Driver driver;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long liveBytes, liveBlocks, cachedBytes, peakBytes, driverAllocs, driverFrees;

    public DeviceAllocator() { this(CUDA); }

    DeviceAllocator(Driver driver) { this.driver = driver; }

    /** The size a request of {@code bytes} occupies. */
    static long rounded(long bytes) {
        if (bytes <= 0) return 512;
        long unit = bytes < (1L << 20) ? 512 : 2L << 20;
        return (bytes + unit - 1) / unit * unit;
    }

    /** A device pointer to at least {@code bytes} bytes (256-byte aligned, as cuMemAlloc gives). */
    public synchronized long allocate(long bytes) {
        long size = rounded(bytes);
        ArrayDeque<Long> list = free.get(size);
        long ptr;
        if (list != null && !list.isEmpty()) {
            ptr = list.pop();
            cachedBytes -= size;
        } else {
            ptr = driverAlloc(size);
        }
        liveBytes += size;
        liveBlocks++;
        peakBytes = Math.max(peakBytes, liveBytes);
        return ptr;
    }

    /** Returns a block from {@link #allocate} of the same requested size to the cache. */
    public synchronized void release(long ptr, long bytes) {
        long size = rounded(bytes);
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(ptr);
        liveBytes -= size;
        liveBlocks--;
        cachedBytes += size;
    }

    /** Hands every cached block back to the driver. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Long> list : free.values()) {
            while (!list.isEmpty()) {
                driver.free(list.pop());
                driverFrees++;
            }
        }
        cachedBytes = 0;
    }

    private long driverAlloc(long size) {
        try {
            long p = driver.malloc(size);
            driverAllocs++;
            return p;
        } catch (CudaException e) {
            if (cachedBytes == 0) throw outOfMemory(size, e);
            emptyCache();
            try {
                long p = driver.malloc(size);
                driverAllocs++;
                return p;
            } catch (CudaException again) {
                throw outOfMemory(size, again);
            }
        }
    }

    private CudaException outOfMemory(long size, CudaException cause) {
        return new CudaException(cause.api(), "allocate " + size + " bytes (" + liveBytes + " bytes live in tensors, cache emptied)",
                cause.code(), cause.errorName(), cause.errorText());
    }

    /** Bytes and blocks held by live tensors, bytes cached for reuse, the high-water mark, and driver calls so far. */
    public record Stats(long liveBytes, long liveBlocks, long cachedBytes, long peakBytes, long driverAllocs, long driverFrees) {}

    public synchronized Stats stats() { return new Stats(liveBytes, liveBlocks, cachedBytes, peakBytes, driverAllocs, driverFrees); }
}
