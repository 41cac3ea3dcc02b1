package sealjvm.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import sealjvm.bindings.Cublas;
import sealjvm.bindings.Cuda;
import sealjvm.bindings.NativeLibraries;
import sealjvm.bindings.cublas_api_h;
import sealjvm.bindings.cuda_h;
import sealjvm.tensor.Precision;
import sealjvm.tensor.Tensor;

/**
 * One GPU as the engine uses it: the device's primary context, one stream on which every kernel, copy and
 * GEMM is queued in order, a cuBLAS handle bound to that stream, the caching allocator and the NVRTC-compiled
 * kernel module. The context is made current on whichever Java thread calls in ({@link #makeCurrent}).
 */
public final class CudaDevice implements AutoCloseable {
    public final int ordinal;
    public final String name;
    public final int ccMajor, ccMinor, multiprocessors;
    public final long totalMemory;
    private final int handle;
    private final MemorySegment context, stream, cublas;
    private final DeviceAllocator allocator = new DeviceAllocator();
    private final KernelModule kernels;
    private final CudaOps ops;
    private Precision precision;
    private boolean closed;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaDevice(int ordinal, Precision precision) {
        Cuda.init();
        // Before anything is retained: an NVRTC of a newer CUDA major than the driver is refused in one message.
        sealjvm.bindings.Nvrtc.requireCompatibleWithDriver(Cuda.driverVersion());
        int count = Cuda.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("CUDA device " + ordinal + " does not exist (" + count + " device(s) found)");
        }
        this.ordinal = ordinal;
        this.handle = Cuda.device(ordinal);
        this.name = Cuda.deviceName(handle);
        this.ccMajor = Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR(), handle);
        this.ccMinor = Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR(), handle);
        this.multiprocessors = Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT(), handle);
        this.context = Cuda.retainPrimaryContext(handle);
        current.set(true);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment total = a.allocate(cuda_h.C_LONG);
            Cuda.check(cuda_h.cuDeviceTotalMem_v2(total, handle), "cuDeviceTotalMem_v2");
            this.totalMemory = total.get(cuda_h.C_LONG, 0);
            // A blocking stream: it also orders against the legacy stream the synchronous memset/DtoD use.
            MemorySegment s = a.allocate(cuda_h.C_POINTER);
            Cuda.check(cuda_h.cuStreamCreate(s, cuda_h.CU_STREAM_DEFAULT()), "cuStreamCreate");
            this.stream = s.get(cuda_h.C_POINTER, 0);
        }
        this.cublas = Cublas.create();
        Cublas.check(cublas_api_h.cublasSetStream_v2(cublas, stream), "cublasSetStream_v2");
        setPrecision(precision);
        this.kernels = new KernelModule(ccMajor, ccMinor);
        this.ops = new CudaOps(this);
    }

    /** True when a CUDA driver and at least one device are present (never throws). */
    public static boolean available() { return NativeLibraries.cudaAvailable(); }

    /** Opens device {@code ordinal} with GEMMs in {@code precision}. */
    public static CudaDevice open(int ordinal, Precision precision) { return new CudaDevice(ordinal, precision); }

    public static CudaDevice open() { return open(0, Precision.FP32); }

    /** Makes this device's context current on the calling thread (once per thread). */
    public void makeCurrent() {
        if (closed) throw new IllegalStateException("CUDA device " + ordinal + " was closed");
        if (!current.get()) {
            Cuda.check(cuda_h.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    public Precision precision() { return precision; }

    /** FP32 keeps cuBLAS's default math (no TF32); TF32/BF16 let it use tensor cores (the compute type asks). */
    public void setPrecision(Precision p) {
        makeCurrent();
        int mode = p == Precision.FP32 ? cublas_api_h.CUBLAS_DEFAULT_MATH() : cublas_api_h.CUBLAS_TF32_TENSOR_OP_MATH();
        Cublas.check(cublas_api_h.cublasSetMathMode(cublas, mode), "cublasSetMathMode");
        this.precision = p;
    }

    MemorySegment stream() { return stream; }
    MemorySegment cublas() { return cublas; }
    KernelModule kernels() { return kernels; }
    public DeviceAllocator allocator() { return allocator; }
    public CudaOps ops() { return ops; }
    public String kernelSource() { return kernels.cacheState(); }

    /** A zero-filled device tensor of {@code shape}. */
    public DeviceTensor allocate(int... shape) {
        DeviceTensor t = allocateUninitialized(shape);
        t.zero();
        return t;
    }

    /** A device tensor of {@code shape} whose contents are whatever the block held. */
    public DeviceTensor allocateUninitialized(int... shape) {
        makeCurrent();
        long bytes = Tensor.numel(shape) * Float.BYTES;
        return new DeviceTensor(this, allocator.allocate(bytes), shape, bytes);
    }

    /** A device copy of a host tensor. */
    public DeviceTensor upload(Tensor host) {
        DeviceTensor t = allocateUninitialized(host.shape());
        t.copyFrom(host);
        return t;
    }

    /** Waits until everything queued on the stream has run. */
    public void synchronize() {
        makeCurrent();
        Cuda.check(cuda_h.cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    /** (free, total) bytes of device memory as the driver sees it. */
    public long[] memInfo() {
        makeCurrent();
        return Cuda.memInfo();
    }

    /** Milliseconds the device spends on {@code work}, measured with events on the stream. */
    public float timeMillis(Runnable work) {
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(cuda_h.C_POINTER), e = a.allocate(cuda_h.C_POINTER);
            Cuda.check(cuda_h.cuEventCreate(s, cuda_h.CU_EVENT_DEFAULT()), "cuEventCreate");
            Cuda.check(cuda_h.cuEventCreate(e, cuda_h.CU_EVENT_DEFAULT()), "cuEventCreate");
            MemorySegment start = s.get(cuda_h.C_POINTER, 0), end = e.get(cuda_h.C_POINTER, 0);
            try {
                Cuda.check(cuda_h.cuEventRecord(start, stream), "cuEventRecord");
                work.run();
                Cuda.check(cuda_h.cuEventRecord(end, stream), "cuEventRecord");
                Cuda.check(cuda_h.cuEventSynchronize(end), "cuEventSynchronize");
                return Cuda.elapsedMillis(start, end);
            } finally {
                cuda_h.cuEventDestroy_v2(start);
                cuda_h.cuEventDestroy_v2(end);
            }
        }
    }

    /** "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)". */
    public String describe() {
        return String.format("%s (sm_%d%d, %d SMs, %.1f GiB)", name, ccMajor, ccMinor, multiprocessors, totalMemory / (double) (1L << 30));
    }

    @Override
    public void close() {
        if (closed) return;
        makeCurrent();
        synchronize();
        Cublas.destroy(cublas);
        kernels.unload();
        allocator.emptyCache();
        Cuda.check(cuda_h.cuStreamDestroy_v2(stream), "cuStreamDestroy_v2");
        closed = true;
        Cuda.check(cuda_h.cuDevicePrimaryCtxRelease_v2(handle), "cuDevicePrimaryCtxRelease_v2");
    }
}
