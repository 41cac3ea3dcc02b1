package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Needs an NVIDIA GPU; every test skips (not fails) where {@link NativeLibraries#cudaAvailable()} is false. */
@Tag("gpu")
class GpuSmokeTest {

    private static int device() {
        Cuda.init();
        int dev = Cuda.device(0);
        Cuda.retainPrimaryContext(dev);
        return dev;
    }

    @Test
    void driverReportsADevice() {
        Assumptions.assumeTrue(NativeLibraries.cudaAvailable(), "no CUDA driver");
        int dev = device();
        assertTrue(Cuda.deviceCount() >= 1);
        assertTrue(Cuda.driverVersion() >= 12000, "driver " + Cuda.driverVersion());
        assertFalse(Cuda.deviceName(dev).isBlank());
        assertTrue(Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR(), dev) >= 5);
        long[] mem = Cuda.memInfo();
        assertTrue(mem[0] > 0 && mem[1] >= mem[0]);
        // Error path: the driver's own name and text end up in the exception.
        CudaException e = assertThrows(CudaException.class, () -> Cuda.malloc(Long.MAX_VALUE / 2));
        assertTrue(e.errorName().startsWith("CUDA_ERROR_"), e.getMessage()); // OUT_OF_MEMORY on the drivers seen so far
    }

    @Test
    void nvrtcCompilesAndTheKernelRuns() {
        Assumptions.assumeTrue(NativeLibraries.cudaAvailable(), "no CUDA driver");
        Assumptions.assumeTrue(NativeLibraries.find("nvrtc").isPresent(), "no NVRTC");
        int dev = device();
        int major = Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR(), dev);
        int minor = Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR(), dev);
        String src = """
                extern "C" __global__ void axpb(float* x, float a, float b, int n) {
                    int i = blockIdx.x * blockDim.x + threadIdx.x;
                    if (i < n) x[i] = a * x[i] + b;
                }
                """;
        byte[] cubin = Nvrtc.compile(src, "axpb.cu", true, "--gpu-architecture=sm_" + major + minor);
        CudaException bad = assertThrows(CudaException.class,
                () -> Nvrtc.compile("this is not C++", "bad.cu", false));
        assertEquals("NVRTC_ERROR_COMPILATION", bad.errorName(), bad.getMessage());

        int n = 1000;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment image = arena.allocateFrom(ValueLayout.JAVA_BYTE, cubin);
            MemorySegment module = Cuda.loadModule(image);
            MemorySegment fn = Cuda.function(module, "axpb");
            MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            for (int i = 0; i < n; i++) {
                host.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            }
            long dx = Cuda.malloc(host.byteSize());
            Cuda.copyHostToDevice(dx, host);
            // kernelParams is void**: one pointer per argument, each pointing at the argument's value.
            MemorySegment args = arena.allocate(ValueLayout.ADDRESS, 4);
            args.setAtIndex(ValueLayout.ADDRESS, 0, arena.allocateFrom(ValueLayout.JAVA_LONG, dx));
            args.setAtIndex(ValueLayout.ADDRESS, 1, arena.allocateFrom(ValueLayout.JAVA_FLOAT, 2f));
            args.setAtIndex(ValueLayout.ADDRESS, 2, arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f));
            args.setAtIndex(ValueLayout.ADDRESS, 3, arena.allocateFrom(ValueLayout.JAVA_INT, n));
            Cuda.check(cuda_h.cuLaunchKernel(fn, (n + 255) / 256, 1, 1, 256, 1, 1, 0,
                    MemorySegment.NULL, args, MemorySegment.NULL), "cuLaunchKernel");
            Cuda.check(cuda_h.cuCtxSynchronize(), "cuCtxSynchronize");
            Cuda.copyDeviceToHost(host, dx);
            for (int i = 0; i < n; i++) {
                assertEquals(2f * i + 1f, host.getAtIndex(ValueLayout.JAVA_FLOAT, i), "x[" + i + "]");
            }
            Cuda.free(dx);
            Cuda.check(cuda_h.cuModuleUnload(module), "cuModuleUnload");
        }
    }

    @Test
    void eventsTimeAStream() {
        Assumptions.assumeTrue(NativeLibraries.cudaAvailable(), "no CUDA driver");
        device();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            Cuda.check(cuda_h.cuStreamCreate(out, cuda_h.CU_STREAM_NON_BLOCKING()), "cuStreamCreate");
            MemorySegment stream = out.get(ValueLayout.ADDRESS, 0);
            Cuda.check(cuda_h.cuEventCreate(out, cuda_h.CU_EVENT_DEFAULT()), "cuEventCreate");
            MemorySegment start = out.get(ValueLayout.ADDRESS, 0);
            Cuda.check(cuda_h.cuEventCreate(out, cuda_h.CU_EVENT_DEFAULT()), "cuEventCreate");
            MemorySegment end = out.get(ValueLayout.ADDRESS, 0);
            long d = Cuda.malloc(1 << 20);
            Cuda.check(cuda_h.cuEventRecord(start, stream), "cuEventRecord");
            Cuda.check(cuda_h.cuMemsetD32_v2(d, 7, 1 << 18), "cuMemsetD32_v2");
            Cuda.check(cuda_h.cuEventRecord(end, stream), "cuEventRecord");
            Cuda.check(cuda_h.cuEventSynchronize(end), "cuEventSynchronize");
            assertTrue(Cuda.elapsedMillis(start, end) >= 0f);
            Cuda.check(cuda_h.cuStreamSynchronize(stream), "cuStreamSynchronize");
            Cuda.free(d);
            Cuda.check(cuda_h.cuEventDestroy_v2(start), "cuEventDestroy_v2");
            Cuda.check(cuda_h.cuEventDestroy_v2(end), "cuEventDestroy_v2");
            Cuda.check(cuda_h.cuStreamDestroy_v2(stream), "cuStreamDestroy_v2");
        }
    }

    @Test
    void cublasGemmExMultipliesTwoByTwo() {
        Assumptions.assumeTrue(NativeLibraries.cudaAvailable(), "no CUDA driver");
        Assumptions.assumeTrue(NativeLibraries.find("cublas").isPresent(), "no cuBLAS");
        device();
        float[] a = {1, 2, 3, 4}; // row-major
        float[] b = {5, 6, 7, 8};
        try (Arena arena = Arena.ofConfined()) {
            long da = Cuda.malloc(16);
            long db = Cuda.malloc(16);
            long dc = Cuda.malloc(16);
            Cuda.copyHostToDevice(da, arena.allocateFrom(ValueLayout.JAVA_FLOAT, a));
            Cuda.copyHostToDevice(db, arena.allocateFrom(ValueLayout.JAVA_FLOAT, b));
            MemorySegment handle = Cublas.create();
            Cublas.check(cublas_api_h.cublasSetMathMode(handle, cublas_api_h.CUBLAS_DEFAULT_MATH()), "cublasSetMathMode");
            // cuBLAS is column-major: row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so pass B first.
            Cublas.check(cublas_api_h.cublasGemmEx(handle, cublas_api_h.CUBLAS_OP_N(), cublas_api_h.CUBLAS_OP_N(),
                    2, 2, 2,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f),
                    MemorySegment.ofAddress(db), cublas_api_h.CUDA_R_32F(), 2,
                    MemorySegment.ofAddress(da), cublas_api_h.CUDA_R_32F(), 2,
                    arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f),
                    MemorySegment.ofAddress(dc), cublas_api_h.CUDA_R_32F(), 2,
                    cublas_api_h.CUBLAS_COMPUTE_32F(), cublas_api_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmEx");
            Cuda.check(cuda_h.cuCtxSynchronize(), "cuCtxSynchronize");
            MemorySegment c = arena.allocate(ValueLayout.JAVA_FLOAT, 4);
            Cuda.copyDeviceToHost(c, dc);
            assertArrayEquals(new float[] {19, 22, 43, 50}, c.toArray(ValueLayout.JAVA_FLOAT));
            Cublas.destroy(handle);
            Cuda.free(da);
            Cuda.free(db);
            Cuda.free(dc);
        }
    }
}
