// Generated in the shape of jextract output for cuda.h; symbol list: sealjvm/bindings/includes.txt.
// Hand-edit only together with includes.txt (BindingsShapeTest checks that they agree).
package sealjvm.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcall bindings to the CUDA driver API (libcuda), one static method per C function, as jextract emits them.
 *
 * <p>Each function has a nested holder class whose {@code DESC}, {@code ADDR} and {@code HANDLE}
 * are computed on first use only, so loading this class never touches the native library. Unlike
 * plain jextract output, a missing library (or a symbol the installed version lacks) does not fail
 * class initialisation: {@code ADDR} is then {@link MemorySegment#NULL} and invoking the method
 * throws {@link CudaUnavailableException} explaining where the library was searched for.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class cuda_h {

    private cuda_h() {
    }

    /** Key under which {@link NativeLibraries} finds the shared library backing this header. */
    static final String LIBRARY = "cuda";

    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));

    private static final int CUDA_SUCCESS = (int) 0L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_SUCCESS = 0 } */
    public static int CUDA_SUCCESS() {
        return CUDA_SUCCESS;
    }

    private static final int CUDA_ERROR_INVALID_VALUE = (int) 1L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_INVALID_VALUE = 1 } */
    public static int CUDA_ERROR_INVALID_VALUE() {
        return CUDA_ERROR_INVALID_VALUE;
    }

    private static final int CUDA_ERROR_OUT_OF_MEMORY = (int) 2L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_OUT_OF_MEMORY = 2 } */
    public static int CUDA_ERROR_OUT_OF_MEMORY() {
        return CUDA_ERROR_OUT_OF_MEMORY;
    }

    private static final int CUDA_ERROR_NOT_INITIALIZED = (int) 3L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_NOT_INITIALIZED = 3 } */
    public static int CUDA_ERROR_NOT_INITIALIZED() {
        return CUDA_ERROR_NOT_INITIALIZED;
    }

    private static final int CUDA_ERROR_DEINITIALIZED = (int) 4L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_DEINITIALIZED = 4 } */
    public static int CUDA_ERROR_DEINITIALIZED() {
        return CUDA_ERROR_DEINITIALIZED;
    }

    private static final int CUDA_ERROR_NO_DEVICE = (int) 100L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_NO_DEVICE = 100 } */
    public static int CUDA_ERROR_NO_DEVICE() {
        return CUDA_ERROR_NO_DEVICE;
    }

    private static final int CUDA_ERROR_INVALID_DEVICE = (int) 101L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_INVALID_DEVICE = 101 } */
    public static int CUDA_ERROR_INVALID_DEVICE() {
        return CUDA_ERROR_INVALID_DEVICE;
    }

    private static final int CUDA_ERROR_INVALID_IMAGE = (int) 200L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_INVALID_IMAGE = 200 } */
    public static int CUDA_ERROR_INVALID_IMAGE() {
        return CUDA_ERROR_INVALID_IMAGE;
    }

    private static final int CUDA_ERROR_INVALID_CONTEXT = (int) 201L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_INVALID_CONTEXT = 201 } */
    public static int CUDA_ERROR_INVALID_CONTEXT() {
        return CUDA_ERROR_INVALID_CONTEXT;
    }

    private static final int CUDA_ERROR_NO_BINARY_FOR_GPU = (int) 209L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_NO_BINARY_FOR_GPU = 209 } */
    public static int CUDA_ERROR_NO_BINARY_FOR_GPU() {
        return CUDA_ERROR_NO_BINARY_FOR_GPU;
    }

    private static final int CUDA_ERROR_INVALID_PTX = (int) 218L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_INVALID_PTX = 218 } */
    public static int CUDA_ERROR_INVALID_PTX() {
        return CUDA_ERROR_INVALID_PTX;
    }

    private static final int CUDA_ERROR_NOT_FOUND = (int) 500L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_NOT_FOUND = 500 } */
    public static int CUDA_ERROR_NOT_FOUND() {
        return CUDA_ERROR_NOT_FOUND;
    }

    private static final int CUDA_ERROR_NOT_READY = (int) 600L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_NOT_READY = 600 } */
    public static int CUDA_ERROR_NOT_READY() {
        return CUDA_ERROR_NOT_READY;
    }

    private static final int CUDA_ERROR_ILLEGAL_ADDRESS = (int) 700L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_ILLEGAL_ADDRESS = 700 } */
    public static int CUDA_ERROR_ILLEGAL_ADDRESS() {
        return CUDA_ERROR_ILLEGAL_ADDRESS;
    }

    private static final int CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = (int) 701L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701 } */
    public static int CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES() {
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }

    private static final int CUDA_ERROR_LAUNCH_FAILED = (int) 719L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_LAUNCH_FAILED = 719 } */
    public static int CUDA_ERROR_LAUNCH_FAILED() {
        return CUDA_ERROR_LAUNCH_FAILED;
    }

    private static final int CUDA_ERROR_UNKNOWN = (int) 999L;

    /** {@snippet lang=c : enum cudaError_enum.CUDA_ERROR_UNKNOWN = 999 } */
    public static int CUDA_ERROR_UNKNOWN() {
        return CUDA_ERROR_UNKNOWN;
    }

    private static final int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = (int) 1L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1 } */
    public static int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK() {
        return CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK;
    }

    private static final int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = (int) 8L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK = 8 } */
    public static int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK() {
        return CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK;
    }

    private static final int CU_DEVICE_ATTRIBUTE_WARP_SIZE = (int) 10L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_WARP_SIZE = 10 } */
    public static int CU_DEVICE_ATTRIBUTE_WARP_SIZE() {
        return CU_DEVICE_ATTRIBUTE_WARP_SIZE;
    }

    private static final int CU_DEVICE_ATTRIBUTE_CLOCK_RATE = (int) 13L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_CLOCK_RATE = 13 } */
    public static int CU_DEVICE_ATTRIBUTE_CLOCK_RATE() {
        return CU_DEVICE_ATTRIBUTE_CLOCK_RATE;
    }

    private static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = (int) 16L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16 } */
    public static int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT() {
        return CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
    }

    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = (int) 75L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75 } */
    public static int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR() {
        return CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
    }

    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = (int) 76L;

    /** {@snippet lang=c : enum CUdevice_attribute_enum.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76 } */
    public static int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR() {
        return CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
    }

    private static final int CU_STREAM_DEFAULT = (int) 0L;

    /** {@snippet lang=c : enum CUstream_flags_enum.CU_STREAM_DEFAULT = 0 } */
    public static int CU_STREAM_DEFAULT() {
        return CU_STREAM_DEFAULT;
    }

    private static final int CU_STREAM_NON_BLOCKING = (int) 1L;

    /** {@snippet lang=c : enum CUstream_flags_enum.CU_STREAM_NON_BLOCKING = 1 } */
    public static int CU_STREAM_NON_BLOCKING() {
        return CU_STREAM_NON_BLOCKING;
    }

    private static final int CU_EVENT_DEFAULT = (int) 0L;

    /** {@snippet lang=c : enum CUevent_flags_enum.CU_EVENT_DEFAULT = 0 } */
    public static int CU_EVENT_DEFAULT() {
        return CU_EVENT_DEFAULT;
    }

    private static final int CU_EVENT_BLOCKING_SYNC = (int) 1L;

    /** {@snippet lang=c : enum CUevent_flags_enum.CU_EVENT_BLOCKING_SYNC = 1 } */
    public static int CU_EVENT_BLOCKING_SYNC() {
        return CU_EVENT_BLOCKING_SYNC;
    }

    private static final int CU_EVENT_DISABLE_TIMING = (int) 2L;

    /** {@snippet lang=c : enum CUevent_flags_enum.CU_EVENT_DISABLE_TIMING = 2 } */
    public static int CU_EVENT_DISABLE_TIMING() {
        return CU_EVENT_DISABLE_TIMING;
    }

    private static final class cuInit {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuInit");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuInit", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuInit(unsigned int Flags) } */
    public static FunctionDescriptor cuInit$descriptor() {
        return cuInit.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuInit(unsigned int Flags) } */
    public static MethodHandle cuInit$handle() {
        return cuInit.HANDLE;
    }

    /** Address of {@code cuInit}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuInit$address() {
        return cuInit.ADDR;
    }

    /** {@snippet lang=c : CUresult cuInit(unsigned int Flags) } */
    public static int cuInit(int Flags) {
        var mh$ = cuInit.HANDLE;
        try {
            return (int) mh$.invokeExact(Flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDriverGetVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDriverGetVersion");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDriverGetVersion", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDriverGetVersion(int *driverVersion) } */
    public static FunctionDescriptor cuDriverGetVersion$descriptor() {
        return cuDriverGetVersion.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDriverGetVersion(int *driverVersion) } */
    public static MethodHandle cuDriverGetVersion$handle() {
        return cuDriverGetVersion.HANDLE;
    }

    /** Address of {@code cuDriverGetVersion}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDriverGetVersion$address() {
        return cuDriverGetVersion.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDriverGetVersion(int *driverVersion) } */
    public static int cuDriverGetVersion(MemorySegment driverVersion) {
        var mh$ = cuDriverGetVersion.HANDLE;
        try {
            return (int) mh$.invokeExact(driverVersion);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDeviceGet {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDeviceGet");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDeviceGet", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDeviceGet(CUdevice *device, int ordinal) } */
    public static FunctionDescriptor cuDeviceGet$descriptor() {
        return cuDeviceGet.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDeviceGet(CUdevice *device, int ordinal) } */
    public static MethodHandle cuDeviceGet$handle() {
        return cuDeviceGet.HANDLE;
    }

    /** Address of {@code cuDeviceGet}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDeviceGet$address() {
        return cuDeviceGet.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDeviceGet(CUdevice *device, int ordinal) } */
    public static int cuDeviceGet(MemorySegment device, int ordinal) {
        var mh$ = cuDeviceGet.HANDLE;
        try {
            return (int) mh$.invokeExact(device, ordinal);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDeviceGetCount {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDeviceGetCount");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDeviceGetCount", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDeviceGetCount(int *count) } */
    public static FunctionDescriptor cuDeviceGetCount$descriptor() {
        return cuDeviceGetCount.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDeviceGetCount(int *count) } */
    public static MethodHandle cuDeviceGetCount$handle() {
        return cuDeviceGetCount.HANDLE;
    }

    /** Address of {@code cuDeviceGetCount}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDeviceGetCount$address() {
        return cuDeviceGetCount.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDeviceGetCount(int *count) } */
    public static int cuDeviceGetCount(MemorySegment count) {
        var mh$ = cuDeviceGetCount.HANDLE;
        try {
            return (int) mh$.invokeExact(count);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDeviceGetName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDeviceGetName");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDeviceGetName", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDeviceGetName(char *name, int len, CUdevice dev) } */
    public static FunctionDescriptor cuDeviceGetName$descriptor() {
        return cuDeviceGetName.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDeviceGetName(char *name, int len, CUdevice dev) } */
    public static MethodHandle cuDeviceGetName$handle() {
        return cuDeviceGetName.HANDLE;
    }

    /** Address of {@code cuDeviceGetName}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDeviceGetName$address() {
        return cuDeviceGetName.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDeviceGetName(char *name, int len, CUdevice dev) } */
    public static int cuDeviceGetName(MemorySegment name, int len, int dev) {
        var mh$ = cuDeviceGetName.HANDLE;
        try {
            return (int) mh$.invokeExact(name, len, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDeviceGetAttribute {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDeviceGetAttribute");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDeviceGetAttribute", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev) } */
    public static FunctionDescriptor cuDeviceGetAttribute$descriptor() {
        return cuDeviceGetAttribute.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev) } */
    public static MethodHandle cuDeviceGetAttribute$handle() {
        return cuDeviceGetAttribute.HANDLE;
    }

    /** Address of {@code cuDeviceGetAttribute}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDeviceGetAttribute$address() {
        return cuDeviceGetAttribute.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev) } */
    public static int cuDeviceGetAttribute(MemorySegment pi, int attrib, int dev) {
        var mh$ = cuDeviceGetAttribute.HANDLE;
        try {
            return (int) mh$.invokeExact(pi, attrib, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDeviceTotalMem_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDeviceTotalMem_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDeviceTotalMem_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) } */
    public static FunctionDescriptor cuDeviceTotalMem_v2$descriptor() {
        return cuDeviceTotalMem_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) } */
    public static MethodHandle cuDeviceTotalMem_v2$handle() {
        return cuDeviceTotalMem_v2.HANDLE;
    }

    /** Address of {@code cuDeviceTotalMem_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDeviceTotalMem_v2$address() {
        return cuDeviceTotalMem_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) } */
    public static int cuDeviceTotalMem_v2(MemorySegment bytes, int dev) {
        var mh$ = cuDeviceTotalMem_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(bytes, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDevicePrimaryCtxRetain {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDevicePrimaryCtxRetain");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDevicePrimaryCtxRetain", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) } */
    public static FunctionDescriptor cuDevicePrimaryCtxRetain$descriptor() {
        return cuDevicePrimaryCtxRetain.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) } */
    public static MethodHandle cuDevicePrimaryCtxRetain$handle() {
        return cuDevicePrimaryCtxRetain.HANDLE;
    }

    /** Address of {@code cuDevicePrimaryCtxRetain}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDevicePrimaryCtxRetain$address() {
        return cuDevicePrimaryCtxRetain.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) } */
    public static int cuDevicePrimaryCtxRetain(MemorySegment pctx, int dev) {
        var mh$ = cuDevicePrimaryCtxRetain.HANDLE;
        try {
            return (int) mh$.invokeExact(pctx, dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuDevicePrimaryCtxRelease_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuDevicePrimaryCtxRelease_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuDevicePrimaryCtxRelease_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) } */
    public static FunctionDescriptor cuDevicePrimaryCtxRelease_v2$descriptor() {
        return cuDevicePrimaryCtxRelease_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) } */
    public static MethodHandle cuDevicePrimaryCtxRelease_v2$handle() {
        return cuDevicePrimaryCtxRelease_v2.HANDLE;
    }

    /** Address of {@code cuDevicePrimaryCtxRelease_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuDevicePrimaryCtxRelease_v2$address() {
        return cuDevicePrimaryCtxRelease_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) } */
    public static int cuDevicePrimaryCtxRelease_v2(int dev) {
        var mh$ = cuDevicePrimaryCtxRelease_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dev);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuCtxSetCurrent {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuCtxSetCurrent");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuCtxSetCurrent", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuCtxSetCurrent(CUcontext ctx) } */
    public static FunctionDescriptor cuCtxSetCurrent$descriptor() {
        return cuCtxSetCurrent.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuCtxSetCurrent(CUcontext ctx) } */
    public static MethodHandle cuCtxSetCurrent$handle() {
        return cuCtxSetCurrent.HANDLE;
    }

    /** Address of {@code cuCtxSetCurrent}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuCtxSetCurrent$address() {
        return cuCtxSetCurrent.ADDR;
    }

    /** {@snippet lang=c : CUresult cuCtxSetCurrent(CUcontext ctx) } */
    public static int cuCtxSetCurrent(MemorySegment ctx) {
        var mh$ = cuCtxSetCurrent.HANDLE;
        try {
            return (int) mh$.invokeExact(ctx);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuCtxSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuCtxSynchronize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuCtxSynchronize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuCtxSynchronize() } */
    public static FunctionDescriptor cuCtxSynchronize$descriptor() {
        return cuCtxSynchronize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuCtxSynchronize() } */
    public static MethodHandle cuCtxSynchronize$handle() {
        return cuCtxSynchronize.HANDLE;
    }

    /** Address of {@code cuCtxSynchronize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuCtxSynchronize$address() {
        return cuCtxSynchronize.ADDR;
    }

    /** {@snippet lang=c : CUresult cuCtxSynchronize() } */
    public static int cuCtxSynchronize() {
        var mh$ = cuCtxSynchronize.HANDLE;
        try {
            return (int) mh$.invokeExact();
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemAlloc_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemAlloc_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemAlloc_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) } */
    public static FunctionDescriptor cuMemAlloc_v2$descriptor() {
        return cuMemAlloc_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) } */
    public static MethodHandle cuMemAlloc_v2$handle() {
        return cuMemAlloc_v2.HANDLE;
    }

    /** Address of {@code cuMemAlloc_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemAlloc_v2$address() {
        return cuMemAlloc_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) } */
    public static int cuMemAlloc_v2(MemorySegment dptr, long bytesize) {
        var mh$ = cuMemAlloc_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dptr, bytesize);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemFree_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemFree_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemFree_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemFree_v2(CUdeviceptr dptr) } */
    public static FunctionDescriptor cuMemFree_v2$descriptor() {
        return cuMemFree_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemFree_v2(CUdeviceptr dptr) } */
    public static MethodHandle cuMemFree_v2$handle() {
        return cuMemFree_v2.HANDLE;
    }

    /** Address of {@code cuMemFree_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemFree_v2$address() {
        return cuMemFree_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemFree_v2(CUdeviceptr dptr) } */
    public static int cuMemFree_v2(long dptr) {
        var mh$ = cuMemFree_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dptr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemsetD8_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG, C_CHAR, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemsetD8_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemsetD8_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N) } */
    public static FunctionDescriptor cuMemsetD8_v2$descriptor() {
        return cuMemsetD8_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N) } */
    public static MethodHandle cuMemsetD8_v2$handle() {
        return cuMemsetD8_v2.HANDLE;
    }

    /** Address of {@code cuMemsetD8_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemsetD8_v2$address() {
        return cuMemsetD8_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N) } */
    public static int cuMemsetD8_v2(long dstDevice, byte uc, long N) {
        var mh$ = cuMemsetD8_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstDevice, uc, N);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemsetD32_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG, C_INT, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemsetD32_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemsetD32_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N) } */
    public static FunctionDescriptor cuMemsetD32_v2$descriptor() {
        return cuMemsetD32_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N) } */
    public static MethodHandle cuMemsetD32_v2$handle() {
        return cuMemsetD32_v2.HANDLE;
    }

    /** Address of {@code cuMemsetD32_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemsetD32_v2$address() {
        return cuMemsetD32_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N) } */
    public static int cuMemsetD32_v2(long dstDevice, int ui, long N) {
        var mh$ = cuMemsetD32_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstDevice, ui, N);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemcpyHtoD_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG, C_POINTER, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemcpyHtoD_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemcpyHtoD_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount) } */
    public static FunctionDescriptor cuMemcpyHtoD_v2$descriptor() {
        return cuMemcpyHtoD_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount) } */
    public static MethodHandle cuMemcpyHtoD_v2$handle() {
        return cuMemcpyHtoD_v2.HANDLE;
    }

    /** Address of {@code cuMemcpyHtoD_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemcpyHtoD_v2$address() {
        return cuMemcpyHtoD_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount) } */
    public static int cuMemcpyHtoD_v2(long dstDevice, MemorySegment srcHost, long ByteCount) {
        var mh$ = cuMemcpyHtoD_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstDevice, srcHost, ByteCount);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemcpyDtoH_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG_LONG, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemcpyDtoH_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemcpyDtoH_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static FunctionDescriptor cuMemcpyDtoH_v2$descriptor() {
        return cuMemcpyDtoH_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static MethodHandle cuMemcpyDtoH_v2$handle() {
        return cuMemcpyDtoH_v2.HANDLE;
    }

    /** Address of {@code cuMemcpyDtoH_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemcpyDtoH_v2$address() {
        return cuMemcpyDtoH_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static int cuMemcpyDtoH_v2(MemorySegment dstHost, long srcDevice, long ByteCount) {
        var mh$ = cuMemcpyDtoH_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstHost, srcDevice, ByteCount);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemcpyDtoD_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG, C_LONG_LONG, C_LONG);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemcpyDtoD_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemcpyDtoD_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static FunctionDescriptor cuMemcpyDtoD_v2$descriptor() {
        return cuMemcpyDtoD_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static MethodHandle cuMemcpyDtoD_v2$handle() {
        return cuMemcpyDtoD_v2.HANDLE;
    }

    /** Address of {@code cuMemcpyDtoD_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemcpyDtoD_v2$address() {
        return cuMemcpyDtoD_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount) } */
    public static int cuMemcpyDtoD_v2(long dstDevice, long srcDevice, long ByteCount) {
        var mh$ = cuMemcpyDtoD_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstDevice, srcDevice, ByteCount);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemcpyHtoDAsync_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_LONG_LONG, C_POINTER, C_LONG, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemcpyHtoDAsync_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemcpyHtoDAsync_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream) } */
    public static FunctionDescriptor cuMemcpyHtoDAsync_v2$descriptor() {
        return cuMemcpyHtoDAsync_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream) } */
    public static MethodHandle cuMemcpyHtoDAsync_v2$handle() {
        return cuMemcpyHtoDAsync_v2.HANDLE;
    }

    /** Address of {@code cuMemcpyHtoDAsync_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemcpyHtoDAsync_v2$address() {
        return cuMemcpyHtoDAsync_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream) } */
    public static int cuMemcpyHtoDAsync_v2(long dstDevice, MemorySegment srcHost, long ByteCount, MemorySegment hStream) {
        var mh$ = cuMemcpyHtoDAsync_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstDevice, srcHost, ByteCount, hStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemcpyDtoHAsync_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG_LONG, C_LONG, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemcpyDtoHAsync_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemcpyDtoHAsync_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) } */
    public static FunctionDescriptor cuMemcpyDtoHAsync_v2$descriptor() {
        return cuMemcpyDtoHAsync_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) } */
    public static MethodHandle cuMemcpyDtoHAsync_v2$handle() {
        return cuMemcpyDtoHAsync_v2.HANDLE;
    }

    /** Address of {@code cuMemcpyDtoHAsync_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemcpyDtoHAsync_v2$address() {
        return cuMemcpyDtoHAsync_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemcpyDtoHAsync_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) } */
    public static int cuMemcpyDtoHAsync_v2(MemorySegment dstHost, long srcDevice, long ByteCount, MemorySegment hStream) {
        var mh$ = cuMemcpyDtoHAsync_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(dstHost, srcDevice, ByteCount, hStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuMemGetInfo_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuMemGetInfo_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuMemGetInfo_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuMemGetInfo_v2(size_t *free, size_t *total) } */
    public static FunctionDescriptor cuMemGetInfo_v2$descriptor() {
        return cuMemGetInfo_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuMemGetInfo_v2(size_t *free, size_t *total) } */
    public static MethodHandle cuMemGetInfo_v2$handle() {
        return cuMemGetInfo_v2.HANDLE;
    }

    /** Address of {@code cuMemGetInfo_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuMemGetInfo_v2$address() {
        return cuMemGetInfo_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuMemGetInfo_v2(size_t *free, size_t *total) } */
    public static int cuMemGetInfo_v2(MemorySegment free, MemorySegment total) {
        var mh$ = cuMemGetInfo_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(free, total);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuStreamCreate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuStreamCreate");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuStreamCreate", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags) } */
    public static FunctionDescriptor cuStreamCreate$descriptor() {
        return cuStreamCreate.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags) } */
    public static MethodHandle cuStreamCreate$handle() {
        return cuStreamCreate.HANDLE;
    }

    /** Address of {@code cuStreamCreate}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuStreamCreate$address() {
        return cuStreamCreate.ADDR;
    }

    /** {@snippet lang=c : CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags) } */
    public static int cuStreamCreate(MemorySegment phStream, int Flags) {
        var mh$ = cuStreamCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(phStream, Flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuStreamDestroy_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuStreamDestroy_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuStreamDestroy_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuStreamDestroy_v2(CUstream hStream) } */
    public static FunctionDescriptor cuStreamDestroy_v2$descriptor() {
        return cuStreamDestroy_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuStreamDestroy_v2(CUstream hStream) } */
    public static MethodHandle cuStreamDestroy_v2$handle() {
        return cuStreamDestroy_v2.HANDLE;
    }

    /** Address of {@code cuStreamDestroy_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuStreamDestroy_v2$address() {
        return cuStreamDestroy_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuStreamDestroy_v2(CUstream hStream) } */
    public static int cuStreamDestroy_v2(MemorySegment hStream) {
        var mh$ = cuStreamDestroy_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(hStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuStreamSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuStreamSynchronize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuStreamSynchronize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuStreamSynchronize(CUstream hStream) } */
    public static FunctionDescriptor cuStreamSynchronize$descriptor() {
        return cuStreamSynchronize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuStreamSynchronize(CUstream hStream) } */
    public static MethodHandle cuStreamSynchronize$handle() {
        return cuStreamSynchronize.HANDLE;
    }

    /** Address of {@code cuStreamSynchronize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuStreamSynchronize$address() {
        return cuStreamSynchronize.ADDR;
    }

    /** {@snippet lang=c : CUresult cuStreamSynchronize(CUstream hStream) } */
    public static int cuStreamSynchronize(MemorySegment hStream) {
        var mh$ = cuStreamSynchronize.HANDLE;
        try {
            return (int) mh$.invokeExact(hStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventCreate {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventCreate");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventCreate", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags) } */
    public static FunctionDescriptor cuEventCreate$descriptor() {
        return cuEventCreate.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags) } */
    public static MethodHandle cuEventCreate$handle() {
        return cuEventCreate.HANDLE;
    }

    /** Address of {@code cuEventCreate}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventCreate$address() {
        return cuEventCreate.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags) } */
    public static int cuEventCreate(MemorySegment phEvent, int Flags) {
        var mh$ = cuEventCreate.HANDLE;
        try {
            return (int) mh$.invokeExact(phEvent, Flags);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventRecord {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventRecord");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventRecord", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventRecord(CUevent hEvent, CUstream hStream) } */
    public static FunctionDescriptor cuEventRecord$descriptor() {
        return cuEventRecord.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventRecord(CUevent hEvent, CUstream hStream) } */
    public static MethodHandle cuEventRecord$handle() {
        return cuEventRecord.HANDLE;
    }

    /** Address of {@code cuEventRecord}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventRecord$address() {
        return cuEventRecord.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventRecord(CUevent hEvent, CUstream hStream) } */
    public static int cuEventRecord(MemorySegment hEvent, MemorySegment hStream) {
        var mh$ = cuEventRecord.HANDLE;
        try {
            return (int) mh$.invokeExact(hEvent, hStream);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventSynchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventSynchronize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventSynchronize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventSynchronize(CUevent hEvent) } */
    public static FunctionDescriptor cuEventSynchronize$descriptor() {
        return cuEventSynchronize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventSynchronize(CUevent hEvent) } */
    public static MethodHandle cuEventSynchronize$handle() {
        return cuEventSynchronize.HANDLE;
    }

    /** Address of {@code cuEventSynchronize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventSynchronize$address() {
        return cuEventSynchronize.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventSynchronize(CUevent hEvent) } */
    public static int cuEventSynchronize(MemorySegment hEvent) {
        var mh$ = cuEventSynchronize.HANDLE;
        try {
            return (int) mh$.invokeExact(hEvent);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventElapsedTime {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventElapsedTime");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventElapsedTime", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventElapsedTime(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static FunctionDescriptor cuEventElapsedTime$descriptor() {
        return cuEventElapsedTime.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventElapsedTime(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static MethodHandle cuEventElapsedTime$handle() {
        return cuEventElapsedTime.HANDLE;
    }

    /** Address of {@code cuEventElapsedTime}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventElapsedTime$address() {
        return cuEventElapsedTime.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventElapsedTime(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static int cuEventElapsedTime(MemorySegment pMilliseconds, MemorySegment hStart, MemorySegment hEnd) {
        var mh$ = cuEventElapsedTime.HANDLE;
        try {
            return (int) mh$.invokeExact(pMilliseconds, hStart, hEnd);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventElapsedTime_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventElapsedTime_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventElapsedTime_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static FunctionDescriptor cuEventElapsedTime_v2$descriptor() {
        return cuEventElapsedTime_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static MethodHandle cuEventElapsedTime_v2$handle() {
        return cuEventElapsedTime_v2.HANDLE;
    }

    /** Address of {@code cuEventElapsedTime_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventElapsedTime_v2$address() {
        return cuEventElapsedTime_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventElapsedTime_v2(float *pMilliseconds, CUevent hStart, CUevent hEnd) } */
    public static int cuEventElapsedTime_v2(MemorySegment pMilliseconds, MemorySegment hStart, MemorySegment hEnd) {
        var mh$ = cuEventElapsedTime_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(pMilliseconds, hStart, hEnd);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuEventDestroy_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuEventDestroy_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuEventDestroy_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuEventDestroy_v2(CUevent hEvent) } */
    public static FunctionDescriptor cuEventDestroy_v2$descriptor() {
        return cuEventDestroy_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuEventDestroy_v2(CUevent hEvent) } */
    public static MethodHandle cuEventDestroy_v2$handle() {
        return cuEventDestroy_v2.HANDLE;
    }

    /** Address of {@code cuEventDestroy_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuEventDestroy_v2$address() {
        return cuEventDestroy_v2.ADDR;
    }

    /** {@snippet lang=c : CUresult cuEventDestroy_v2(CUevent hEvent) } */
    public static int cuEventDestroy_v2(MemorySegment hEvent) {
        var mh$ = cuEventDestroy_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(hEvent);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuModuleLoadData {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuModuleLoadData");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuModuleLoadData", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuModuleLoadData(CUmodule *module, const void *image) } */
    public static FunctionDescriptor cuModuleLoadData$descriptor() {
        return cuModuleLoadData.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuModuleLoadData(CUmodule *module, const void *image) } */
    public static MethodHandle cuModuleLoadData$handle() {
        return cuModuleLoadData.HANDLE;
    }

    /** Address of {@code cuModuleLoadData}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuModuleLoadData$address() {
        return cuModuleLoadData.ADDR;
    }

    /** {@snippet lang=c : CUresult cuModuleLoadData(CUmodule *module, const void *image) } */
    public static int cuModuleLoadData(MemorySegment module, MemorySegment image) {
        var mh$ = cuModuleLoadData.HANDLE;
        try {
            return (int) mh$.invokeExact(module, image);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuModuleUnload {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuModuleUnload");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuModuleUnload", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuModuleUnload(CUmodule hmod) } */
    public static FunctionDescriptor cuModuleUnload$descriptor() {
        return cuModuleUnload.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuModuleUnload(CUmodule hmod) } */
    public static MethodHandle cuModuleUnload$handle() {
        return cuModuleUnload.HANDLE;
    }

    /** Address of {@code cuModuleUnload}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuModuleUnload$address() {
        return cuModuleUnload.ADDR;
    }

    /** {@snippet lang=c : CUresult cuModuleUnload(CUmodule hmod) } */
    public static int cuModuleUnload(MemorySegment hmod) {
        var mh$ = cuModuleUnload.HANDLE;
        try {
            return (int) mh$.invokeExact(hmod);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuModuleGetFunction {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuModuleGetFunction");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuModuleGetFunction", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name) } */
    public static FunctionDescriptor cuModuleGetFunction$descriptor() {
        return cuModuleGetFunction.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name) } */
    public static MethodHandle cuModuleGetFunction$handle() {
        return cuModuleGetFunction.HANDLE;
    }

    /** Address of {@code cuModuleGetFunction}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuModuleGetFunction$address() {
        return cuModuleGetFunction.ADDR;
    }

    /** {@snippet lang=c : CUresult cuModuleGetFunction(CUfunction *hfunc, CUmodule hmod, const char *name) } */
    public static int cuModuleGetFunction(MemorySegment hfunc, MemorySegment hmod, MemorySegment name) {
        var mh$ = cuModuleGetFunction.HANDLE;
        try {
            return (int) mh$.invokeExact(hfunc, hmod, name);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuLaunchKernel {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuLaunchKernel");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuLaunchKernel", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra) } */
    public static FunctionDescriptor cuLaunchKernel$descriptor() {
        return cuLaunchKernel.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra) } */
    public static MethodHandle cuLaunchKernel$handle() {
        return cuLaunchKernel.HANDLE;
    }

    /** Address of {@code cuLaunchKernel}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuLaunchKernel$address() {
        return cuLaunchKernel.ADDR;
    }

    /** {@snippet lang=c : CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ, unsigned int sharedMemBytes, CUstream hStream, void **kernelParams, void **extra) } */
    public static int cuLaunchKernel(MemorySegment f, int gridDimX, int gridDimY, int gridDimZ, int blockDimX, int blockDimY, int blockDimZ, int sharedMemBytes, MemorySegment hStream, MemorySegment kernelParams, MemorySegment extra) {
        var mh$ = cuLaunchKernel.HANDLE;
        try {
            return (int) mh$.invokeExact(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ, sharedMemBytes, hStream, kernelParams, extra);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuGetErrorName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuGetErrorName");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuGetErrorName", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuGetErrorName(CUresult error, const char **pStr) } */
    public static FunctionDescriptor cuGetErrorName$descriptor() {
        return cuGetErrorName.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuGetErrorName(CUresult error, const char **pStr) } */
    public static MethodHandle cuGetErrorName$handle() {
        return cuGetErrorName.HANDLE;
    }

    /** Address of {@code cuGetErrorName}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuGetErrorName$address() {
        return cuGetErrorName.ADDR;
    }

    /** {@snippet lang=c : CUresult cuGetErrorName(CUresult error, const char **pStr) } */
    public static int cuGetErrorName(int error, MemorySegment pStr) {
        var mh$ = cuGetErrorName.HANDLE;
        try {
            return (int) mh$.invokeExact(error, pStr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cuGetErrorString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cuGetErrorString");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cuGetErrorString", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : CUresult cuGetErrorString(CUresult error, const char **pStr) } */
    public static FunctionDescriptor cuGetErrorString$descriptor() {
        return cuGetErrorString.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : CUresult cuGetErrorString(CUresult error, const char **pStr) } */
    public static MethodHandle cuGetErrorString$handle() {
        return cuGetErrorString.HANDLE;
    }

    /** Address of {@code cuGetErrorString}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cuGetErrorString$address() {
        return cuGetErrorString.ADDR;
    }

    /** {@snippet lang=c : CUresult cuGetErrorString(CUresult error, const char **pStr) } */
    public static int cuGetErrorString(int error, MemorySegment pStr) {
        var mh$ = cuGetErrorString.HANDLE;
        try {
            return (int) mh$.invokeExact(error, pStr);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

}
