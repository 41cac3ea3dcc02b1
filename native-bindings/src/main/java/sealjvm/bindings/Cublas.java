package sealjvm.bindings;

import static sealjvm.bindings.cublas_api_h.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Status checking and handle lifecycle over {@link cublas_api_h}. */
public final class Cublas {
    private Cublas() {
    }

    /** Throws {@link CudaException} unless {@code status} is {@code CUBLAS_STATUS_SUCCESS}. */
    public static void check(int status, String call) {
        if (status != cublas_api_h.CUBLAS_STATUS_SUCCESS()) {
            throw new CudaException("cublas", call, status, statusName(status), statusString(status));
        }
    }

    public static String statusName(int status) {
        try {
            return Strings.read(cublas_api_h.cublasGetStatusName(status), "cublasStatus_t " + status);
        } catch (RuntimeException e) {
            return "cublasStatus_t " + status;
        }
    }

    public static String statusString(int status) {
        try {
            return Strings.read(cublas_api_h.cublasGetStatusString(status), "unrecognized status");
        } catch (RuntimeException e) {
            return "unrecognized status";
        }
    }

    /** Creates a cuBLAS handle bound to the current CUDA context. */
    public static MemorySegment create() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(C_POINTER);
            check(cublas_api_h.cublasCreate_v2(out), "cublasCreate_v2");
            return out.get(C_POINTER, 0);
        }
    }

    public static void destroy(MemorySegment handle) {
        check(cublas_api_h.cublasDestroy_v2(handle), "cublasDestroy_v2");
    }
}
