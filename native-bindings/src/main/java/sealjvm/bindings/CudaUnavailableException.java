package sealjvm.bindings;

/**
 * A CUDA library (driver, NVRTC or cuBLAS) or one of its symbols could not be found. Unchecked, so
 * that callers can treat "no GPU here" as a single, catchable condition rather than a linkage error.
 */
public final class CudaUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message) {
        super(message);
    }
}
