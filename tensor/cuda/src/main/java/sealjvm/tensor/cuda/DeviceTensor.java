package sealjvm.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import sealjvm.bindings.Cuda;
import sealjvm.bindings.cuda_h;
import sealjvm.tensor.Tensor;

/**
 * A dense, row-major float32 tensor in device memory: the device twin of {@link Tensor}, with the same
 * shape vocabulary ({@link #view}, {@link #slice}, {@link #row} share memory). Only the tensor that
 * allocated a block frees it ({@link #close}); views are plain windows, as the CPU's are.
 * Elements may also hold int32 (token ids, targets): the kernels read them as int through the same pointer.
 */
public final class DeviceTensor implements AutoCloseable {
    private final CudaDevice device;
    private final long ptr;
    private final int[] shape;
    private final long size;
    private final long owned;   // bytes requested from the allocator, or -1 for a view
    private boolean closed;

    DeviceTensor(CudaDevice device, long ptr, int[] shape, long owned) {
        this.device = device;
        this.ptr = ptr;
        this.shape = shape.clone();
        this.size = Tensor.numel(shape);
        this.owned = owned;
    }

    public CudaDevice device() { return device; }
    /** The CUdeviceptr of element 0. */
    public long ptr() {
        if (closed) throw new IllegalStateException("device tensor " + this + " was closed");
        return ptr;
    }
    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public long size() { return size; }
    public long byteSize() { return size * Float.BYTES; }

    public DeviceTensor view(int... newShape) {
        if (Tensor.numel(newShape) != size) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        }
        return new DeviceTensor(device, ptr(), newShape, -1);
    }

    /** Elements [offset, offset + numel(newShape)) as a tensor of {@code newShape}; shares memory. */
    public DeviceTensor slice(long offset, int... newShape) {
        long n = Tensor.numel(newShape);
        if (offset < 0 || offset + n > size) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + n) + ") outside device tensor of " + size);
        }
        return new DeviceTensor(device, ptr() + offset * Float.BYTES, newShape, -1);
    }

    public DeviceTensor row(int i) {
        int[] rest = Arrays.copyOfRange(shape, 1, shape.length);
        if (i < 0 || i >= shape[0]) throw new IndexOutOfBoundsException("row " + i + " of " + shape[0]);
        return slice(i * Tensor.numel(rest), rest);
    }

    /** Host → device, in stream order (the host buffer may be reused as soon as this returns). */
    public void copyFrom(Tensor host) {
        requireSize(host.size(), "copy from host tensor " + host);
        copyFromHost(host.segment());
    }

    public void copyFrom(float[] host) {
        requireSize(host.length, "copy of float[" + host.length + "]");
        try (Arena a = Arena.ofConfined()) {
            copyFromHost(a.allocateFrom(Tensor.F32, host));
        }
    }

    /** Writes int32 values (ids, targets) into the first {@code ids.length} elements. */
    public void copyFromInts(int[] ids) {
        if (ids.length > size) throw new IllegalArgumentException(ids.length + " ints do not fit device tensor " + this);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, ids);
            device.makeCurrent();
            Cuda.check(cuda_h.cuMemcpyHtoDAsync_v2(ptr(), s, s.byteSize(), device.stream()), "cuMemcpyHtoDAsync_v2");
        }
    }

    private void copyFromHost(MemorySegment src) {
        device.makeCurrent();
        Cuda.check(cuda_h.cuMemcpyHtoDAsync_v2(ptr(), src, src.byteSize(), device.stream()), "cuMemcpyHtoDAsync_v2");
    }

    /** Device → host; returns when the data is there (waits for the work queued before it). */
    public void copyTo(Tensor host) {
        requireSize(host.size(), "copy to host tensor " + host);
        copyToHost(host.segment());
    }

    public float[] toArray() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(byteSize(), 64);
            copyToHost(s);
            return s.toArray(Tensor.F32);
        }
    }

    public int[] toIntArray() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(byteSize(), 64);
            copyToHost(s);
            return s.toArray(java.lang.foreign.ValueLayout.JAVA_INT);
        }
    }

    /** A host copy allocated in {@code arena}. */
    public Tensor toHost(Arena arena) {
        Tensor t = Tensor.allocate(arena, shape);
        copyTo(t);
        return t;
    }

    private void copyToHost(MemorySegment dst) {
        device.makeCurrent();
        Cuda.check(cuda_h.cuMemcpyDtoHAsync_v2(dst, ptr(), dst.byteSize(), device.stream()), "cuMemcpyDtoHAsync_v2");
        device.synchronize();
    }

    /** Device → device copy of a same-sized tensor, in stream order. */
    public void copyFrom(DeviceTensor src) {
        requireSize(src.size, "copy from device tensor " + src);
        device.ops().copy(this, src);
    }

    /** Sets every byte to zero. */
    public void zero() {
        device.makeCurrent();
        Cuda.check(cuda_h.cuMemsetD32_v2(ptr(), 0, size), "cuMemsetD32_v2");
    }

    private void requireSize(long n, String what) {
        if (n != size) throw new IllegalArgumentException(what + ": " + n + " elements, device tensor " + this + " has " + size);
    }

    /** Returns the block to the device's allocator; a no-op for views and second calls. */
    @Override
    public void close() {
        if (closed || owned < 0) return;
        closed = true;
        device.allocator().release(ptr, owned);
    }

    @Override
    public String toString() { return "DeviceTensor" + Arrays.toString(shape); }
}
