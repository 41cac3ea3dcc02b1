package sealjvm.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Drives the SEAL CUDA emulator through our real bindings: memory, NVRTC, module loading,
 * cuLaunchKernel with a {@code void**} built in an arena, cuBLAS, and the error paths. Runs only where
 * the loaded driver is the emulator — in the child JVM that {@link CudaEmulatorTest} starts — and
 * skips everywhere else (on a real GPU, some of the checked error paths are the emulator's own).
 */
@Tag("gpu")
class EmulatedCudaTest {

    private static final Random RANDOM = new Random(11);

    @BeforeEach
    void emulatorOnly() {
        Assumptions.assumeTrue(CudaEmulator.loaded(), "the CUDA driver loaded here is not the SEAL CUDA emulator");
        Cuda.init();
        Cuda.retainPrimaryContext(Cuda.device(0));
    }

    private static String sample() throws IOException {
        return Files.readString(CudaEmulator.toolDirectory().orElseThrow().resolve("test/sample.cu"));
    }

    private static MemorySegment module(Arena arena) throws IOException {
        byte[] cubin = Nvrtc.compile(sample(), "sample.cu", true, "--gpu-architecture=sm_90", "-std=c++17");
        return Cuda.loadModule(arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, cubin));
    }

    /** kernelParams: one pointer per argument, each to a copy of the value (Long = 8 bytes: pointers, long long). */
    private static MemorySegment params(Arena arena, Object... values) {
        MemorySegment p = arena.allocate(ADDRESS, values.length);
        for (int i = 0; i < values.length; i++) {
            MemorySegment v = switch (values[i]) {
                case Long l -> arena.allocateFrom(JAVA_LONG, l);
                case Integer n -> arena.allocateFrom(JAVA_INT, n);
                case Float f -> arena.allocateFrom(JAVA_FLOAT, f);
                default -> throw new IllegalArgumentException(values[i].toString());
            };
            p.setAtIndex(ADDRESS, i, v);
        }
        return p;
    }

    private static int launch(MemorySegment fn, int gx, int gy, int bx, int by, MemorySegment params) {
        return cuda_h.cuLaunchKernel(fn, gx, gy, 1, bx, by, 1, 0, MemorySegment.NULL, params, MemorySegment.NULL);
    }

    private static long upload(Arena arena, float[] values) {
        long d = Cuda.malloc(4L * values.length);
        Cuda.copyHostToDevice(d, arena.allocateFrom(JAVA_FLOAT, values));
        return d;
    }

    private static float[] download(Arena arena, long d, int n) {
        MemorySegment host = arena.allocate(JAVA_FLOAT, n);
        Cuda.copyDeviceToHost(host, d);
        return host.toArray(JAVA_FLOAT);
    }

    private static float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = RANDOM.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            assertTrue(Math.abs(e - actual[i]) <= tolerance * (1 + Math.abs(e)), "[" + i + "] expected " + e + " got " + actual[i]);
        }
    }

    @Test
    void reportsTheEmulatedDevice() {
        int dev = Cuda.device(0);
        assertEquals(CudaEmulator.DEVICE_NAME, Cuda.deviceName(dev));
        assertEquals(13000, Cuda.driverVersion());
        assertEquals(9, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR(), dev));
        assertEquals(0, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR(), dev));
        assertEquals(32, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_WARP_SIZE(), dev));
        assertEquals(1024, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK(), dev));
        assertEquals(48 * 1024, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK(), dev));
        assertEquals(132, Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT(), dev));
        assertTrue(Cuda.attribute(cuda_h.CU_DEVICE_ATTRIBUTE_CLOCK_RATE(), dev) > 1_000_000);
        assertEquals(8L << 30, Cuda.memInfo()[1]);
        assertArrayEquals(new int[] {13, 0}, Nvrtc.version());
    }

    @Test
    void exportsEveryFunctionTheBindingsDeclare() throws IOException {
        // includes.txt: "## <class> <header> <library>" starts a section, "--include-function NAME" lists one.
        String library = null;
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (var in = EmulatedCudaTest.class.getResourceAsStream("/sealjvm/bindings/includes.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("## ")) {
                    library = line.trim().split("\\s+")[3];
                } else if (line.startsWith("--include-function ")) {
                    String symbol = line.substring("--include-function ".length()).trim();
                    checked++;
                    if (NativeLibraries.require(library).find(symbol).isEmpty()) {
                        missing.add(library + ":" + symbol);
                    }
                }
            }
        }
        assertTrue(checked > 50, "parsed " + checked + " functions");
        assertEquals(List.of(), missing, "add these to tools/cuda-emulator");
    }

    @Test
    void allocationsAreTrackedAndCopiesBoundsChecked() {
        try (Arena arena = Arena.ofConfined()) {
            long before = Cuda.memInfo()[0];
            long d = Cuda.malloc(1000);
            assertEquals(0, d % 256, "256-byte aligned");
            assertEquals(before - 1024, Cuda.memInfo()[0], "rounded to 256 bytes");
            float[] values = random(250);
            Cuda.copyHostToDevice(d, arena.allocateFrom(JAVA_FLOAT, values));
            assertArrayEquals(values, download(arena, d, 250));
            long e = Cuda.malloc(1000);
            Cuda.check(cuda_h.cuMemcpyDtoD_v2(e, d, 1000), "cuMemcpyDtoD_v2");
            assertArrayEquals(values, download(arena, e, 250));

            CudaException tooLong = assertThrows(CudaException.class,
                    () -> Cuda.copyHostToDevice(d, arena.allocate(JAVA_FLOAT, 251)));
            assertEquals("CUDA_ERROR_INVALID_VALUE", tooLong.errorName());
            assertEquals("invalid argument", tooLong.errorText());
            assertTrue(tooLong.getMessage().startsWith("cuMemcpyHtoD_v2 failed: CUDA_ERROR_INVALID_VALUE (cuda status 1)"),
                    tooLong.getMessage());
            assertThrows(CudaException.class, () -> Cuda.copyDeviceToHost(arena.allocate(JAVA_FLOAT, 10), d + 999));
            assertEquals("CUDA_ERROR_INVALID_VALUE",
                    assertThrows(CudaException.class, () -> Cuda.free(d + 256)).errorName(), "interior pointer");
            Cuda.free(d);
            assertEquals("CUDA_ERROR_INVALID_VALUE", assertThrows(CudaException.class, () -> Cuda.free(d)).errorName());
            Cuda.free(e);
            assertEquals(before, Cuda.memInfo()[0]);
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY",
                    assertThrows(CudaException.class, () -> Cuda.malloc(9L << 30)).errorName());
        }
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", Cuda.errorName(cuda_h.CUDA_ERROR_ILLEGAL_ADDRESS()));
        assertEquals("an illegal memory access was encountered", Cuda.errorText(cuda_h.CUDA_ERROR_ILLEGAL_ADDRESS()));
        assertEquals("CUresult 4242", Cuda.errorName(4242), "unknown codes fall back to the number");
    }

    @Test
    void kernelsCompiledWithNvrtcRunThroughCuLaunchKernel() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = module(arena);

            // Block reduction (shared memory + warp shuffles), one block per row.
            int rows = 7;
            int cols = 300;
            float[] x = random(rows * cols);
            long dx = upload(arena, x);
            long dSums = Cuda.malloc(4L * rows);
            Cuda.check(launch(Cuda.function(module, "row_sum"), rows, 1, 128, 1, params(arena, dx, dSums, cols)),
                    "cuLaunchKernel(row_sum)");
            Cuda.check(cuda_h.cuCtxSynchronize(), "cuCtxSynchronize");
            float[] sums = new float[rows];
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += x[r * cols + c];
                }
                sums[r] = (float) s;
            }
            assertClose(sums, download(arena, dSums, rows), 1e-5f);

            // 2D grid of 2D blocks.
            int h = 19;
            int w = 45;
            float[] a = random(h * w);
            float[] b = random(h * w);
            long da = upload(arena, a);
            long db = upload(arena, b);
            long dc = Cuda.malloc(4L * h * w);
            Cuda.check(launch(Cuda.function(module, "add_2d"), (w + 15) / 16, (h + 7) / 8, 16, 8,
                    params(arena, dc, da, db, h, w)), "cuLaunchKernel(add_2d)");
            float[] c = download(arena, dc, h * w);
            for (int i = 0; i < h * w; i++) {
                assertEquals(a[i] + b[i], c[i], "c[" + i + "]");
            }

            // long long count, grid-stride loop over fewer threads than elements.
            long n = h * w;
            Cuda.check(launch(Cuda.function(module, "axpy"), 2, 1, 64, 1, params(arena, dc, da, 2f, n)), "cuLaunchKernel(axpy)");
            float[] y = download(arena, dc, h * w);
            for (int i = 0; i < h * w; i++) {
                assertEquals(Math.fma(2f, a[i], a[i] + b[i]), y[i], "y[" + i + "]");
            }

            // bf16 bits in, float out.
            short[] bf16 = {(short) 0x3f80, (short) 0xc040, (short) 0x4049};
            long dBits = Cuda.malloc(2L * bf16.length);
            Cuda.copyHostToDevice(dBits, arena.allocateFrom(JAVA_SHORT, bf16));
            long dOut = Cuda.malloc(4L * bf16.length);
            Cuda.check(launch(Cuda.function(module, "bf16_to_f32"), 1, 1, 32, 1, params(arena, dBits, dOut, (long) bf16.length)),
                    "cuLaunchKernel(bf16_to_f32)");
            assertArrayEquals(new float[] {1f, -3f, 3.140625f}, download(arena, dOut, bf16.length));

            for (long p : new long[] {dx, dSums, da, db, dc, dBits, dOut}) {
                Cuda.free(p);
            }
            Cuda.check(cuda_h.cuModuleUnload(module), "cuModuleUnload");
        }
    }

    @Test
    void unknownNamesAndOptionsAreReportedWithTheLibrariesErrorNames() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = module(arena);
            CudaException notFound = assertThrows(CudaException.class, () -> Cuda.function(module, "no_such_kernel"));
            assertEquals("CUDA_ERROR_NOT_FOUND", notFound.errorName());
            assertTrue(notFound.getMessage().contains("cuModuleGetFunction(no_such_kernel)"), notFound.getMessage());
            Cuda.check(cuda_h.cuModuleUnload(module), "cuModuleUnload");
        }
        CudaException missing = assertThrows(CudaException.class, () -> Nvrtc.compile(
                "extern \"C\" __global__ void not_in_the_emulator(float* x) { x[0] = 1.0f; }", "extra.cu", true,
                "--gpu-architecture=sm_90"));
        assertEquals("NVRTC_ERROR_COMPILATION", missing.errorName());
        assertTrue(missing.getMessage().contains("extra.cu(1): error: kernel \"not_in_the_emulator\" is not compiled into"),
                missing.getMessage());
        CudaException option = assertThrows(CudaException.class,
                () -> Nvrtc.compile(sample(), "sample.cu", true, "--use_fast_math"));
        assertEquals("NVRTC_ERROR_INVALID_OPTION", option.errorName());
        try (Arena arena = Arena.ofConfined()) {
            CudaException image = assertThrows(CudaException.class,
                    () -> Cuda.loadModule(arena.allocateFrom("\u007fELF not an emulator image")));
            assertEquals("CUDA_ERROR_INVALID_IMAGE", image.errorName());
        }
    }

    @Test
    void launchConfigurationIsValidated() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fn = Cuda.function(module(arena), "axpb");
            long d = Cuda.malloc(1024);
            MemorySegment p = params(arena, d, 1f, 0f, 256);
            int invalid = cuda_h.CUDA_ERROR_INVALID_VALUE();
            assertEquals(invalid, launch(fn, 1, 1, 2048, 1, p), "more than 1024 threads per block");
            assertEquals(invalid, launch(fn, 1, 1, 64, 32, p), "64 x 32 threads");
            assertEquals(invalid, launch(fn, 0, 1, 32, 1, p), "empty grid");
            assertEquals(invalid, launch(fn, 1, 65536, 32, 1, p), "gridDim.y > 65535");
            assertEquals(invalid, cuda_h.cuLaunchKernel(fn, 1, 1, 1, 32, 1, 1, 4096, MemorySegment.NULL, p, MemorySegment.NULL),
                    "dynamic shared memory");
            assertEquals(invalid, launch(fn, 1, 1, 32, 1, MemorySegment.NULL), "no kernelParams");
            assertEquals(cuda_h.CUDA_SUCCESS(), launch(fn, 1, 1, 256, 1, p));
            Cuda.free(d);
        }
    }

    @Test
    void aKernelFaultIsStickyUntilThePrimaryContextIsReleased() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fn = Cuda.function(module(arena), "axpb");
            long d = Cuda.malloc(1024);
            Cuda.free(d);
            // A freed pointer as argument: like a GPU fault, the launch succeeds and later calls fail.
            assertEquals(cuda_h.CUDA_SUCCESS(), launch(fn, 1, 1, 32, 1, params(arena, d, 1f, 0f, 32)));
            CudaException e = assertThrows(CudaException.class,
                    () -> Cuda.check(cuda_h.cuCtxSynchronize(), "cuCtxSynchronize"));
            assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", e.errorName());
            assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", assertThrows(CudaException.class, () -> Cuda.malloc(16)).errorName());
        } finally {
            while (cuda_h.cuDevicePrimaryCtxRelease_v2(0) == cuda_h.CUDA_SUCCESS()) {
                // release every reference: the context is destroyed, and with it the error
            }
        }
        Cuda.retainPrimaryContext(Cuda.device(0));
        Cuda.free(Cuda.malloc(16));
    }

    /** Row-major C = A·B with a column-major GEMM: Cᵀ = Bᵀ·Aᵀ, so B goes first and the roles of m and n swap. */
    private static void rowMajorGemm(MemorySegment handle, Arena arena, int m, int n, int k, long a, long b, long c,
                                     boolean bTransposed) {
        // Row-major B (k x n) is column-major Bᵀ (n x k, ld n); row-major Wᵀ stored as W (n x k) is column-major
        // (k x n, ld k), so op T of it gives the n x k operand.
        Cublas.check(cublas_api_h.cublasGemmEx(handle,
                bTransposed ? cublas_api_h.CUBLAS_OP_T() : cublas_api_h.CUBLAS_OP_N(), cublas_api_h.CUBLAS_OP_N(),
                n, m, k,
                arena.allocateFrom(JAVA_FLOAT, 1f),
                MemorySegment.ofAddress(b), cublas_api_h.CUDA_R_32F(), bTransposed ? k : n,
                MemorySegment.ofAddress(a), cublas_api_h.CUDA_R_32F(), k,
                arena.allocateFrom(JAVA_FLOAT, 0f),
                MemorySegment.ofAddress(c), cublas_api_h.CUDA_R_32F(), n,
                cublas_api_h.CUBLAS_COMPUTE_32F(), cublas_api_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmEx");
    }

    private static float[] matmul(float[] a, float[] b, int m, int n, int k, boolean bTransposed) {
        float[] c = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * (bTransposed ? b[j * k + p] : b[p * n + j]);
                }
                c[i * n + j] = (float) s;
            }
        }
        return c;
    }

    @Test
    void cublasGemmExComputesRowMajorProductsThroughTheColumnMajorTrick() {
        int m = 7;
        int n = 6;
        int k = 5;
        float[] a = random(m * k);
        float[] b = random(k * n);
        float[] w = random(n * k);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = Cublas.create();
            long da = upload(arena, a);
            long db = upload(arena, b);
            long dw = upload(arena, w);
            long dc = Cuda.malloc(4L * m * n);
            rowMajorGemm(handle, arena, m, n, k, da, db, dc, false);
            assertClose(matmul(a, b, m, n, k, false), download(arena, dc, m * n), 1e-5f);
            rowMajorGemm(handle, arena, m, n, k, da, dw, dc, true); // A·Wᵀ, a linear layer with W stored [out, in]
            assertClose(matmul(a, w, m, n, k, true), download(arena, dc, m * n), 1e-5f);

            // Batched: three independent products, strides in elements.
            int batch = 3;
            float[] as = random(batch * m * k);
            float[] bs = random(batch * k * n);
            long das = upload(arena, as);
            long dbs = upload(arena, bs);
            long dcs = Cuda.malloc(4L * batch * m * n);
            Cublas.check(cublas_api_h.cublasGemmStridedBatchedEx(handle, cublas_api_h.CUBLAS_OP_N(), cublas_api_h.CUBLAS_OP_N(),
                    n, m, k, arena.allocateFrom(JAVA_FLOAT, 1f),
                    MemorySegment.ofAddress(dbs), cublas_api_h.CUDA_R_32F(), n, (long) k * n,
                    MemorySegment.ofAddress(das), cublas_api_h.CUDA_R_32F(), k, (long) m * k,
                    arena.allocateFrom(JAVA_FLOAT, 0f),
                    MemorySegment.ofAddress(dcs), cublas_api_h.CUDA_R_32F(), n, (long) m * n,
                    batch, cublas_api_h.CUBLAS_COMPUTE_32F(), cublas_api_h.CUBLAS_GEMM_DEFAULT()),
                    "cublasGemmStridedBatchedEx");
            float[] got = download(arena, dcs, batch * m * n);
            for (int t = 0; t < batch; t++) {
                float[] expected = matmul(java.util.Arrays.copyOfRange(as, t * m * k, (t + 1) * m * k),
                        java.util.Arrays.copyOfRange(bs, t * k * n, (t + 1) * k * n), m, n, k, false);
                assertClose(expected, java.util.Arrays.copyOfRange(got, t * m * n, (t + 1) * m * n), 1e-5f);
            }

            // Argument checks as cuBLAS documents them.
            CudaException lda = assertThrows(CudaException.class, () -> Cublas.check(cublas_api_h.cublasGemmEx(handle,
                    cublas_api_h.CUBLAS_OP_N(), cublas_api_h.CUBLAS_OP_N(), n, m, k, arena.allocateFrom(JAVA_FLOAT, 1f),
                    MemorySegment.ofAddress(db), cublas_api_h.CUDA_R_32F(), n - 1,
                    MemorySegment.ofAddress(da), cublas_api_h.CUDA_R_32F(), k, arena.allocateFrom(JAVA_FLOAT, 0f),
                    MemorySegment.ofAddress(dc), cublas_api_h.CUDA_R_32F(), n,
                    cublas_api_h.CUBLAS_COMPUTE_32F(), cublas_api_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmEx"));
            assertEquals("CUBLAS_STATUS_INVALID_VALUE", lda.errorName());
            CudaException computeType = assertThrows(CudaException.class, () -> Cublas.check(cublas_api_h.cublasGemmEx(handle,
                    cublas_api_h.CUBLAS_OP_N(), cublas_api_h.CUBLAS_OP_N(), n, m, k, arena.allocateFrom(JAVA_FLOAT, 1f),
                    MemorySegment.ofAddress(db), cublas_api_h.CUDA_R_32F(), n,
                    MemorySegment.ofAddress(da), cublas_api_h.CUDA_R_32F(), k, arena.allocateFrom(JAVA_FLOAT, 0f),
                    MemorySegment.ofAddress(dc), cublas_api_h.CUDA_R_32F(), n,
                    cublas_api_h.CUDA_R_32F(), cublas_api_h.CUBLAS_GEMM_DEFAULT()), "cublasGemmEx"));
            assertEquals("CUBLAS_STATUS_INVALID_VALUE", computeType.errorName(), "a data type passed as compute type");
            assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", Cublas.statusName(cublas_api_h.CUBLAS_STATUS_NOT_SUPPORTED()));

            Cublas.destroy(handle);
            for (long p : new long[] {da, db, dw, dc, das, dbs, dcs}) {
                Cuda.free(p);
            }
        }
    }
}
