// Generated in the shape of jextract output for cublas_api.h; symbol list: sealjvm/bindings/includes.txt.
// Hand-edit only together with includes.txt (BindingsShapeTest checks that they agree).
package sealjvm.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Downcall bindings to the cuBLAS v2 API (libcublas), one static method per C function, as jextract emits them.
 *
 * <p>Each function has a nested holder class whose {@code DESC}, {@code ADDR} and {@code HANDLE}
 * are computed on first use only, so loading this class never touches the native library. Unlike
 * plain jextract output, a missing library (or a symbol the installed version lacks) does not fail
 * class initialisation: {@code ADDR} is then {@link MemorySegment#NULL} and invoking the method
 * throws {@link CudaUnavailableException} explaining where the library was searched for.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class cublas_api_h {

    private cublas_api_h() {
    }

    /** Key under which {@link NativeLibraries} finds the shared library backing this header. */
    static final String LIBRARY = "cublas";

    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfLong C_LONG_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS
            .withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));

    private static final int CUBLAS_STATUS_SUCCESS = (int) 0L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_SUCCESS = 0 } */
    public static int CUBLAS_STATUS_SUCCESS() {
        return CUBLAS_STATUS_SUCCESS;
    }

    private static final int CUBLAS_STATUS_NOT_INITIALIZED = (int) 1L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_NOT_INITIALIZED = 1 } */
    public static int CUBLAS_STATUS_NOT_INITIALIZED() {
        return CUBLAS_STATUS_NOT_INITIALIZED;
    }

    private static final int CUBLAS_STATUS_ALLOC_FAILED = (int) 3L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_ALLOC_FAILED = 3 } */
    public static int CUBLAS_STATUS_ALLOC_FAILED() {
        return CUBLAS_STATUS_ALLOC_FAILED;
    }

    private static final int CUBLAS_STATUS_INVALID_VALUE = (int) 7L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_INVALID_VALUE = 7 } */
    public static int CUBLAS_STATUS_INVALID_VALUE() {
        return CUBLAS_STATUS_INVALID_VALUE;
    }

    private static final int CUBLAS_STATUS_ARCH_MISMATCH = (int) 8L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_ARCH_MISMATCH = 8 } */
    public static int CUBLAS_STATUS_ARCH_MISMATCH() {
        return CUBLAS_STATUS_ARCH_MISMATCH;
    }

    private static final int CUBLAS_STATUS_MAPPING_ERROR = (int) 11L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_MAPPING_ERROR = 11 } */
    public static int CUBLAS_STATUS_MAPPING_ERROR() {
        return CUBLAS_STATUS_MAPPING_ERROR;
    }

    private static final int CUBLAS_STATUS_EXECUTION_FAILED = (int) 13L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_EXECUTION_FAILED = 13 } */
    public static int CUBLAS_STATUS_EXECUTION_FAILED() {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }

    private static final int CUBLAS_STATUS_INTERNAL_ERROR = (int) 14L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_INTERNAL_ERROR = 14 } */
    public static int CUBLAS_STATUS_INTERNAL_ERROR() {
        return CUBLAS_STATUS_INTERNAL_ERROR;
    }

    private static final int CUBLAS_STATUS_NOT_SUPPORTED = (int) 15L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_NOT_SUPPORTED = 15 } */
    public static int CUBLAS_STATUS_NOT_SUPPORTED() {
        return CUBLAS_STATUS_NOT_SUPPORTED;
    }

    private static final int CUBLAS_STATUS_LICENSE_ERROR = (int) 16L;

    /** {@snippet lang=c : enum cublasStatus_t.CUBLAS_STATUS_LICENSE_ERROR = 16 } */
    public static int CUBLAS_STATUS_LICENSE_ERROR() {
        return CUBLAS_STATUS_LICENSE_ERROR;
    }

    private static final int CUBLAS_OP_N = (int) 0L;

    /** {@snippet lang=c : enum cublasOperation_t.CUBLAS_OP_N = 0 } */
    public static int CUBLAS_OP_N() {
        return CUBLAS_OP_N;
    }

    private static final int CUBLAS_OP_T = (int) 1L;

    /** {@snippet lang=c : enum cublasOperation_t.CUBLAS_OP_T = 1 } */
    public static int CUBLAS_OP_T() {
        return CUBLAS_OP_T;
    }

    private static final int CUBLAS_OP_C = (int) 2L;

    /** {@snippet lang=c : enum cublasOperation_t.CUBLAS_OP_C = 2 } */
    public static int CUBLAS_OP_C() {
        return CUBLAS_OP_C;
    }

    private static final int CUBLAS_DEFAULT_MATH = (int) 0L;

    /** {@snippet lang=c : enum cublasMath_t.CUBLAS_DEFAULT_MATH = 0 } */
    public static int CUBLAS_DEFAULT_MATH() {
        return CUBLAS_DEFAULT_MATH;
    }

    private static final int CUBLAS_TENSOR_OP_MATH = (int) 1L;

    /** {@snippet lang=c : enum cublasMath_t.CUBLAS_TENSOR_OP_MATH = 1 } */
    public static int CUBLAS_TENSOR_OP_MATH() {
        return CUBLAS_TENSOR_OP_MATH;
    }

    private static final int CUBLAS_PEDANTIC_MATH = (int) 2L;

    /** {@snippet lang=c : enum cublasMath_t.CUBLAS_PEDANTIC_MATH = 2 } */
    public static int CUBLAS_PEDANTIC_MATH() {
        return CUBLAS_PEDANTIC_MATH;
    }

    private static final int CUBLAS_TF32_TENSOR_OP_MATH = (int) 3L;

    /** {@snippet lang=c : enum cublasMath_t.CUBLAS_TF32_TENSOR_OP_MATH = 3 } */
    public static int CUBLAS_TF32_TENSOR_OP_MATH() {
        return CUBLAS_TF32_TENSOR_OP_MATH;
    }

    private static final int CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = (int) 16L;

    /** {@snippet lang=c : enum cublasMath_t.CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16 } */
    public static int CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION() {
        return CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    }

    private static final int CUDA_R_32F = (int) 0L;

    /** {@snippet lang=c : enum cudaDataType_t.CUDA_R_32F = 0 } */
    public static int CUDA_R_32F() {
        return CUDA_R_32F;
    }

    private static final int CUDA_R_64F = (int) 1L;

    /** {@snippet lang=c : enum cudaDataType_t.CUDA_R_64F = 1 } */
    public static int CUDA_R_64F() {
        return CUDA_R_64F;
    }

    private static final int CUDA_R_16F = (int) 2L;

    /** {@snippet lang=c : enum cudaDataType_t.CUDA_R_16F = 2 } */
    public static int CUDA_R_16F() {
        return CUDA_R_16F;
    }

    private static final int CUDA_R_16BF = (int) 14L;

    /** {@snippet lang=c : enum cudaDataType_t.CUDA_R_16BF = 14 } */
    public static int CUDA_R_16BF() {
        return CUDA_R_16BF;
    }

    private static final int CUBLAS_COMPUTE_16F = (int) 64L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_16F = 64 } */
    public static int CUBLAS_COMPUTE_16F() {
        return CUBLAS_COMPUTE_16F;
    }

    private static final int CUBLAS_COMPUTE_32F = (int) 68L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_32F = 68 } */
    public static int CUBLAS_COMPUTE_32F() {
        return CUBLAS_COMPUTE_32F;
    }

    private static final int CUBLAS_COMPUTE_32F_PEDANTIC = (int) 69L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_32F_PEDANTIC = 69 } */
    public static int CUBLAS_COMPUTE_32F_PEDANTIC() {
        return CUBLAS_COMPUTE_32F_PEDANTIC;
    }

    private static final int CUBLAS_COMPUTE_64F = (int) 70L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_64F = 70 } */
    public static int CUBLAS_COMPUTE_64F() {
        return CUBLAS_COMPUTE_64F;
    }

    private static final int CUBLAS_COMPUTE_32F_FAST_16F = (int) 74L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_32F_FAST_16F = 74 } */
    public static int CUBLAS_COMPUTE_32F_FAST_16F() {
        return CUBLAS_COMPUTE_32F_FAST_16F;
    }

    private static final int CUBLAS_COMPUTE_32F_FAST_16BF = (int) 75L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_32F_FAST_16BF = 75 } */
    public static int CUBLAS_COMPUTE_32F_FAST_16BF() {
        return CUBLAS_COMPUTE_32F_FAST_16BF;
    }

    private static final int CUBLAS_COMPUTE_32F_FAST_TF32 = (int) 77L;

    /** {@snippet lang=c : enum cublasComputeType_t.CUBLAS_COMPUTE_32F_FAST_TF32 = 77 } */
    public static int CUBLAS_COMPUTE_32F_FAST_TF32() {
        return CUBLAS_COMPUTE_32F_FAST_TF32;
    }

    private static final int CUBLAS_GEMM_DEFAULT = (int) -1L;

    /** {@snippet lang=c : enum cublasGemmAlgo_t.CUBLAS_GEMM_DEFAULT = -1 } */
    public static int CUBLAS_GEMM_DEFAULT() {
        return CUBLAS_GEMM_DEFAULT;
    }

    private static final int CUBLAS_GEMM_DEFAULT_TENSOR_OP = (int) 99L;

    /** {@snippet lang=c : enum cublasGemmAlgo_t.CUBLAS_GEMM_DEFAULT_TENSOR_OP = 99 } */
    public static int CUBLAS_GEMM_DEFAULT_TENSOR_OP() {
        return CUBLAS_GEMM_DEFAULT_TENSOR_OP;
    }

    private static final class cublasCreate_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasCreate_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasCreate_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) } */
    public static FunctionDescriptor cublasCreate_v2$descriptor() {
        return cublasCreate_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) } */
    public static MethodHandle cublasCreate_v2$handle() {
        return cublasCreate_v2.HANDLE;
    }

    /** Address of {@code cublasCreate_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasCreate_v2$address() {
        return cublasCreate_v2.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) } */
    public static int cublasCreate_v2(MemorySegment handle) {
        var mh$ = cublasCreate_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasDestroy_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasDestroy_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasDestroy_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) } */
    public static FunctionDescriptor cublasDestroy_v2$descriptor() {
        return cublasDestroy_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) } */
    public static MethodHandle cublasDestroy_v2$handle() {
        return cublasDestroy_v2.HANDLE;
    }

    /** Address of {@code cublasDestroy_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasDestroy_v2$address() {
        return cublasDestroy_v2.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) } */
    public static int cublasDestroy_v2(MemorySegment handle) {
        var mh$ = cublasDestroy_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(handle);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasSetStream_v2 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasSetStream_v2");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasSetStream_v2", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) } */
    public static FunctionDescriptor cublasSetStream_v2$descriptor() {
        return cublasSetStream_v2.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) } */
    public static MethodHandle cublasSetStream_v2$handle() {
        return cublasSetStream_v2.HANDLE;
    }

    /** Address of {@code cublasSetStream_v2}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasSetStream_v2$address() {
        return cublasSetStream_v2.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) } */
    public static int cublasSetStream_v2(MemorySegment handle, MemorySegment streamId) {
        var mh$ = cublasSetStream_v2.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, streamId);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasSetMathMode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasSetMathMode");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasSetMathMode", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) } */
    public static FunctionDescriptor cublasSetMathMode$descriptor() {
        return cublasSetMathMode.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) } */
    public static MethodHandle cublasSetMathMode$handle() {
        return cublasSetMathMode.HANDLE;
    }

    /** Address of {@code cublasSetMathMode}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasSetMathMode$address() {
        return cublasSetMathMode.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) } */
    public static int cublasSetMathMode(MemorySegment handle, int mode) {
        var mh$ = cublasSetMathMode.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, mode);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasGemmEx {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasGemmEx");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasGemmEx", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static FunctionDescriptor cublasGemmEx$descriptor() {
        return cublasGemmEx.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static MethodHandle cublasGemmEx$handle() {
        return cublasGemmEx.HANDLE;
    }

    /** Address of {@code cublasGemmEx}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasGemmEx$address() {
        return cublasGemmEx.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, const void *B, cudaDataType Btype, int ldb, const void *beta, void *C, cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static int cublasGemmEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, MemorySegment B, int Btype, int ldb, MemorySegment beta, MemorySegment C, int Ctype, int ldc, int computeType, int algo) {
        var mh$ = cublasGemmEx.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype, ldc, computeType, algo);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasGemmStridedBatchedEx {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_LONG_LONG, C_POINTER, C_INT, C_INT, C_LONG_LONG, C_POINTER, C_POINTER, C_INT, C_INT, C_LONG_LONG, C_INT, C_INT, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasGemmStridedBatchedEx");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasGemmStridedBatchedEx", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, long long strideA, const void *B, cudaDataType Btype, int ldb, long long strideB, const void *beta, void *C, cudaDataType Ctype, int ldc, long long strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static FunctionDescriptor cublasGemmStridedBatchedEx$descriptor() {
        return cublasGemmStridedBatchedEx.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, long long strideA, const void *B, cudaDataType Btype, int ldb, long long strideB, const void *beta, void *C, cudaDataType Ctype, int ldc, long long strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static MethodHandle cublasGemmStridedBatchedEx$handle() {
        return cublasGemmStridedBatchedEx.HANDLE;
    }

    /** Address of {@code cublasGemmStridedBatchedEx}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasGemmStridedBatchedEx$address() {
        return cublasGemmStridedBatchedEx.ADDR;
    }

    /** {@snippet lang=c : cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n, int k, const void *alpha, const void *A, cudaDataType Atype, int lda, long long strideA, const void *B, cudaDataType Btype, int ldb, long long strideB, const void *beta, void *C, cudaDataType Ctype, int ldc, long long strideC, int batchCount, cublasComputeType_t computeType, cublasGemmAlgo_t algo) } */
    public static int cublasGemmStridedBatchedEx(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, MemorySegment A, int Atype, int lda, long strideA, MemorySegment B, int Btype, int ldb, long strideB, MemorySegment beta, MemorySegment C, int Ctype, int ldc, long strideC, int batchCount, int computeType, int algo) {
        var mh$ = cublasGemmStridedBatchedEx.HANDLE;
        try {
            return (int) mh$.invokeExact(handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype, ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasGetStatusName {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasGetStatusName");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasGetStatusName", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : const char * cublasGetStatusName(cublasStatus_t status) } */
    public static FunctionDescriptor cublasGetStatusName$descriptor() {
        return cublasGetStatusName.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : const char * cublasGetStatusName(cublasStatus_t status) } */
    public static MethodHandle cublasGetStatusName$handle() {
        return cublasGetStatusName.HANDLE;
    }

    /** Address of {@code cublasGetStatusName}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasGetStatusName$address() {
        return cublasGetStatusName.ADDR;
    }

    /** {@snippet lang=c : const char * cublasGetStatusName(cublasStatus_t status) } */
    public static MemorySegment cublasGetStatusName(int status) {
        var mh$ = cublasGetStatusName.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

    private static final class cublasGetStatusString {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        public static final MemorySegment ADDR = Downcalls.find(LIBRARY, "cublasGetStatusString");
        public static final MethodHandle HANDLE = Downcalls.link(LIBRARY, "cublasGetStatusString", ADDR, DESC);
    }

    /** Function descriptor for {@snippet lang=c : const char * cublasGetStatusString(cublasStatus_t status) } */
    public static FunctionDescriptor cublasGetStatusString$descriptor() {
        return cublasGetStatusString.DESC;
    }

    /** Downcall method handle for {@snippet lang=c : const char * cublasGetStatusString(cublasStatus_t status) } */
    public static MethodHandle cublasGetStatusString$handle() {
        return cublasGetStatusString.HANDLE;
    }

    /** Address of {@code cublasGetStatusString}, or {@link MemorySegment#NULL} when the library or symbol is missing. */
    public static MemorySegment cublasGetStatusString$address() {
        return cublasGetStatusString.ADDR;
    }

    /** {@snippet lang=c : const char * cublasGetStatusString(cublasStatus_t status) } */
    public static MemorySegment cublasGetStatusString(int status) {
        var mh$ = cublasGetStatusString.HANDLE;
        try {
            return (MemorySegment) mh$.invokeExact(status);
        } catch (Error | RuntimeException ex) {
            throw ex;
        } catch (Throwable ex$) {
            throw new AssertionError("should not reach here", ex$);
        }
    }

}
