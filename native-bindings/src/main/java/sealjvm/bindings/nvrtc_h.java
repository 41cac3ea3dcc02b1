// Generated in the shape of jextract output for nvrtc.h; symbol list: sealjvm/bindings/includes.txt.
// Hand-edit only together with includes.txt (BindingsShapeTest checks that they agree).
package sealjvm.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcall bindings to the NVRTC runtime compiler (libnvrtc), one static method per C function, as jextract emits them.
 *
 * <p>Each function has a nested holder class whose {@code DESC}, {@code ADDR} and {@code HANDLE}
 * are computed on first use only, so loading this class never touches the native library. Unlike
 * plain jextract output, a missing library (or a symbol the installed version lacks) does not fail
 * class initialisation: {@code ADDR} is then {@link MemorySegment#NULL} and invoking the method
 * throws {@link CudaUnavailableException} explaining where the library was searched for.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class nvrtc_h {

    private nvrtc_h() {
    }

    /** Key under which {@link NativeLibraries} finds the shared library backing this header. */
    static final String LIBRARY = "nvrtc";

    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));

    private static final int NVRTC_SUCCESS = (int) 0L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_SUCCESS = 0 } */
    public static int NVRTC_SUCCESS() {
        return NVRTC_SUCCESS;
    }

    private static final int NVRTC_ERROR_OUT_OF_MEMORY = (int) 1L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_OUT_OF_MEMORY = 1 } */
    public static int NVRTC_ERROR_OUT_OF_MEMORY() {
        return NVRTC_ERROR_OUT_OF_MEMORY;
    }

    private static final int NVRTC_ERROR_PROGRAM_CREATION_FAILURE = (int) 2L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2 } */
    public static int NVRTC_ERROR_PROGRAM_CREATION_FAILURE() {
        return NVRTC_ERROR_PROGRAM_CREATION_FAILURE;
    }

    private static final int NVRTC_ERROR_INVALID_INPUT = (int) 3L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_INVALID_INPUT = 3 } */
    public static int NVRTC_ERROR_INVALID_INPUT() {
        return NVRTC_ERROR_INVALID_INPUT;
    }

    private static final int NVRTC_ERROR_INVALID_PROGRAM = (int) 4L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_INVALID_PROGRAM = 4 } */
    public static int NVRTC_ERROR_INVALID_PROGRAM() {
        return NVRTC_ERROR_INVALID_PROGRAM;
    }

    private static final int NVRTC_ERROR_INVALID_OPTION = (int) 5L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_INVALID_OPTION = 5 } */
    public static int NVRTC_ERROR_INVALID_OPTION() {
        return NVRTC_ERROR_INVALID_OPTION;
    }

    private static final int NVRTC_ERROR_COMPILATION = (int) 6L;

    /** {@snippet lang=c : enum nvrtcResult.NVRTC_ERROR_COMPILATION = 6 } */
    public static int NVRTC_ERROR_COMPILATION() {
        return NVRTC_ERROR_COMPILATION;
    }

    private static final class nvrtcGetErrorString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetErrorString");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetErrorString", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : const char * nvrtcGetErrorString(nvrtcResult result) } */
    public static FunctionDescriptor nvrtcGetErrorString$descriptor() {
        return nvrtcGetErrorString.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : const char * nvrtcGetErrorString(nvrtcResult result) } */
    public static MethodHandle nvrtcGetErrorString$handle() {
        return nvrtcGetErrorString.HANDLE;
    }

    /** Address of {@code nvrtcGetErrorString}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetErrorString$address() {
        return nvrtcGetErrorString.ADDR;
    }

    /** {@snippet lang=c : const char * nvrtcGetErrorString(nvrtcResult result) } */
    public static MemorySegment nvrtcGetErrorString(int result) {
        var mh$ = nvrtcGetErrorString.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(result);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcVersion {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcVersion");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcVersion", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcVersion(int *major, int *minor) } */
    public static FunctionDescriptor nvrtcVersion$descriptor() {
        return nvrtcVersion.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcVersion(int *major, int *minor) } */
    public static MethodHandle nvrtcVersion$handle() {
        return nvrtcVersion.HANDLE;
    }

    /** Address of {@code nvrtcVersion}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcVersion$address() {
        return nvrtcVersion.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcVersion(int *major, int *minor) } */
    public static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        var mh$ = nvrtcVersion.HANDLE;
        try {
            return (int) mh$.invokeExact(major, minor);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcCreateProgram {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcCreateProgram");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcCreateProgram", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, const char *const *headers, const char *const *includeNames) } */
    public static FunctionDescriptor nvrtcCreateProgram$descriptor() {
        return nvrtcCreateProgram.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, const char *const *headers, const char *const *includeNames) } */
    public static MethodHandle nvrtcCreateProgram$handle() {
        return nvrtcCreateProgram.HANDLE;
    }

    /** Address of {@code nvrtcCreateProgram}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcCreateProgram$address() {
        return nvrtcCreateProgram.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, const char *const *headers, const char *const *includeNames) } */
    public static int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders, MemorySegment headers, MemorySegment includeNames) {
        var mh$ = nvrtcCreateProgram.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, src, name, numHeaders, headers, includeNames);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcDestroyProgram {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcDestroyProgram");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcDestroyProgram", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog) } */
    public static FunctionDescriptor nvrtcDestroyProgram$descriptor() {
        return nvrtcDestroyProgram.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog) } */
    public static MethodHandle nvrtcDestroyProgram$handle() {
        return nvrtcDestroyProgram.HANDLE;
    }

    /** Address of {@code nvrtcDestroyProgram}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcDestroyProgram$address() {
        return nvrtcDestroyProgram.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog) } */
    public static int nvrtcDestroyProgram(MemorySegment prog) {
        var mh$ = nvrtcDestroyProgram.HANDLE;
        try {
            return (int) mh$.invokeExact(prog);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcCompileProgram {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcCompileProgram");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcCompileProgram", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char *const *options) } */
    public static FunctionDescriptor nvrtcCompileProgram$descriptor() {
        return nvrtcCompileProgram.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char *const *options) } */
    public static MethodHandle nvrtcCompileProgram$handle() {
        return nvrtcCompileProgram.HANDLE;
    }

    /** Address of {@code nvrtcCompileProgram}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcCompileProgram$address() {
        return nvrtcCompileProgram.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char *const *options) } */
    public static int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        var mh$ = nvrtcCompileProgram.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, numOptions, options);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetProgramLogSize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetProgramLogSize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetProgramLogSize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet) } */
    public static FunctionDescriptor nvrtcGetProgramLogSize$descriptor() {
        return nvrtcGetProgramLogSize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet) } */
    public static MethodHandle nvrtcGetProgramLogSize$handle() {
        return nvrtcGetProgramLogSize.HANDLE;
    }

    /** Address of {@code nvrtcGetProgramLogSize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetProgramLogSize$address() {
        return nvrtcGetProgramLogSize.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet) } */
    public static int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment logSizeRet) {
        var mh$ = nvrtcGetProgramLogSize.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, logSizeRet);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetProgramLog {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetProgramLog");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetProgramLog", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log) } */
    public static FunctionDescriptor nvrtcGetProgramLog$descriptor() {
        return nvrtcGetProgramLog.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log) } */
    public static MethodHandle nvrtcGetProgramLog$handle() {
        return nvrtcGetProgramLog.HANDLE;
    }

    /** Address of {@code nvrtcGetProgramLog}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetProgramLog$address() {
        return nvrtcGetProgramLog.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log) } */
    public static int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        var mh$ = nvrtcGetProgramLog.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, log);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetCUBINSize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetCUBINSize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetCUBINSize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet) } */
    public static FunctionDescriptor nvrtcGetCUBINSize$descriptor() {
        return nvrtcGetCUBINSize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet) } */
    public static MethodHandle nvrtcGetCUBINSize$handle() {
        return nvrtcGetCUBINSize.HANDLE;
    }

    /** Address of {@code nvrtcGetCUBINSize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetCUBINSize$address() {
        return nvrtcGetCUBINSize.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet) } */
    public static int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment cubinSizeRet) {
        var mh$ = nvrtcGetCUBINSize.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, cubinSizeRet);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetCUBIN {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetCUBIN");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetCUBIN", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin) } */
    public static FunctionDescriptor nvrtcGetCUBIN$descriptor() {
        return nvrtcGetCUBIN.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin) } */
    public static MethodHandle nvrtcGetCUBIN$handle() {
        return nvrtcGetCUBIN.HANDLE;
    }

    /** Address of {@code nvrtcGetCUBIN}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetCUBIN$address() {
        return nvrtcGetCUBIN.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin) } */
    public static int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        var mh$ = nvrtcGetCUBIN.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, cubin);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetPTXSize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetPTXSize");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetPTXSize", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet) } */
    public static FunctionDescriptor nvrtcGetPTXSize$descriptor() {
        return nvrtcGetPTXSize.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet) } */
    public static MethodHandle nvrtcGetPTXSize$handle() {
        return nvrtcGetPTXSize.HANDLE;
    }

    /** Address of {@code nvrtcGetPTXSize}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetPTXSize$address() {
        return nvrtcGetPTXSize.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet) } */
    public static int nvrtcGetPTXSize(MemorySegment prog, MemorySegment ptxSizeRet) {
        var mh$ = nvrtcGetPTXSize.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, ptxSizeRet);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class nvrtcGetPTX {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "nvrtcGetPTX");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "nvrtcGetPTX", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx) } */
    public static FunctionDescriptor nvrtcGetPTX$descriptor() {
        return nvrtcGetPTX.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx) } */
    public static MethodHandle nvrtcGetPTX$handle() {
        return nvrtcGetPTX.HANDLE;
    }

    /** Address of {@code nvrtcGetPTX}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment nvrtcGetPTX$address() {
        return nvrtcGetPTX.ADDR;
    }

    /** {@snippet lang=c : nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx) } */
    public static int nvrtcGetPTX(MemorySegment prog, MemorySegment ptx) {
        var mh$ = nvrtcGetPTX.HANDLE;
        try {
            return (int) mh$.invokeExact(prog, ptx);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

}
