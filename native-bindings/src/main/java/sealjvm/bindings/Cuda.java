package sealjvm.bindings;

import static sealjvm.bindings.cuda_h.C_INT;
import static sealjvm.bindings.cuda_h.C_LONG;
import static sealjvm.bindings.cuda_h.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Status checking and thin convenience wrappers over {@link cuda_h} (the CUDA driver API). */
public final class Cuda {
    private Cuda() {
    }

    /** Throws {@link CudaException} unless {@code status} is {@code CUDA_SUCCESS}. */
    public static void check(int status, String call) {
        if (status != cuda_h.CUDA_SUCCESS()) {
            throw new CudaException("cuda", call, status, errorName(status), errorText(status));
        }
    }

    /** {@code cuGetErrorName}, or a numeric placeholder if the driver does not know the code. */
    public static String errorName(int status) {
        return describe(status, true);
    }

    /** {@code cuGetErrorString}, or a placeholder if the driver does not know the code. */
    public static String errorText(int status) {
        return describe(status, false);
    }

    private static String describe(int status, boolean name) {
        String fallback = name ? "CUresult " + status : "unrecognized error code";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            int rc = name ? cuda_h.cuGetErrorName(status, out) : cuda_h.cuGetErrorString(status, out);
            return rc == cuda_h.CUDA_SUCCESS() ? Strings.read(out.get(C_POINTER, 0), fallback) : fallback;
        } catch (RuntimeException e) {
            return fallback; // describing an error must never hide the original one
        }
    }

    public static void init() {
        check(cuda_h.cuInit(0), "cuInit");
    }

    public static int driverVersion() {
        return intOut(out -> cuda_h.cuDriverGetVersion(out), "cuDriverGetVersion");
    }

    public static int deviceCount() {
        return intOut(cuda_h::cuDeviceGetCount, "cuDeviceGetCount");
    }

    public static int device(int ordinal) {
        return intOut(out -> cuda_h.cuDeviceGet(out, ordinal), "cuDeviceGet");
    }

    public static int attribute(int attribute, int device) {
        return intOut(out -> cuda_h.cuDeviceGetAttribute(out, attribute, device), "cuDeviceGetAttribute");
    }

    public static String deviceName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            check(cuda_h.cuDeviceGetName(buf, 256, device), "cuDeviceGetName");
            return buf.getString(0);
        }
    }

    /** Retains the device's primary context and makes it current on this thread; returns the context. */
    public static MemorySegment retainPrimaryContext(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(cuda_h.cuDevicePrimaryCtxRetain(out, device), "cuDevicePrimaryCtxRetain");
            MemorySegment ctx = out.get(C_POINTER, 0);
            check(cuda_h.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            return ctx;
        }
    }

    /** Allocates device memory; the result is a CUdeviceptr. */
    public static long malloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            check(cuda_h.cuMemAlloc_v2(out, bytes), "cuMemAlloc_v2");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    public static void free(long devicePtr) {
        check(cuda_h.cuMemFree_v2(devicePtr), "cuMemFree_v2");
    }

    public static void copyHostToDevice(long dst, MemorySegment src) {
        check(cuda_h.cuMemcpyHtoD_v2(dst, src, src.byteSize()), "cuMemcpyHtoD_v2");
    }

    public static void copyDeviceToHost(MemorySegment dst, long src) {
        check(cuda_h.cuMemcpyDtoH_v2(dst, src, dst.byteSize()), "cuMemcpyDtoH_v2");
    }

    /** Loads a CUBIN/PTX/fatbin image; the image is copied by the driver, so {@code image} may be freed after. */
    public static MemorySegment loadModule(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(cuda_h.cuModuleLoadData(out, image), "cuModuleLoadData");
            return out.get(C_POINTER, 0);
        }
    }

    public static MemorySegment function(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(cuda_h.cuModuleGetFunction(out, module, arena.allocateFrom(name)), "cuModuleGetFunction(" + name + ")");
            return out.get(C_POINTER, 0);
        }
    }

    /**
     * Milliseconds between two recorded events. Prefers {@code cuEventElapsedTime_v2} (12.8+ drivers,
     * what the 12.8+ header maps the name to) and falls back to the original symbol on older drivers.
     */
    public static float elapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(cuda_h.C_FLOAT);
            boolean v2 = !cuda_h.cuEventElapsedTime_v2$address().equals(MemorySegment.NULL);
            int rc = v2 ? cuda_h.cuEventElapsedTime_v2(out, start, end) : cuda_h.cuEventElapsedTime(out, start, end);
            check(rc, v2 ? "cuEventElapsedTime_v2" : "cuEventElapsedTime");
            return out.get(cuda_h.C_FLOAT, 0);
        }
    }

    /** (free, total) device memory in bytes for the current context. */
    public static long[] memInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(C_LONG);
            MemorySegment total = arena.allocate(C_LONG);
            check(cuda_h.cuMemGetInfo_v2(free, total), "cuMemGetInfo_v2");
            return new long[] {free.get(C_LONG, 0), total.get(C_LONG, 0)};
        }
    }

    @FunctionalInterface
    private interface IntOutCall {
        int call(MemorySegment out);
    }

    private static int intOut(IntOutCall f, String call) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_INT);
            check(f.call(out), call);
            return out.get(C_INT, 0);
        }
    }
}
