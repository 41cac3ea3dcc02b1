package sealjvm.bindings;

/**
 * A CUDA driver, NVRTC or cuBLAS call returned a status other than success. Carries everything
 * needed to act on it without a debugger: which API and function, the numeric code, its symbolic
 * name and the library's own description.
 */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String api;
    private final String call;
    private final int code;
    private final String errorName;
    private final String errorText;

    public CudaException(String api, String call, int code, String errorName, String errorText) {
        this(api, call, code, errorName, errorText, null);
    }

    /** {@code detail}, when non-null, is appended on its own lines (e.g. an NVRTC compile log). */
    public CudaException(String api, String call, int code, String errorName, String errorText, String detail) {
        super(call + " failed: " + errorName + " (" + api + " status " + code + "): " + errorText
                + (detail == null || detail.isBlank() ? "" : "\n" + detail.strip()));
        this.api = api;
        this.call = call;
        this.code = code;
        this.errorName = errorName;
        this.errorText = errorText;
    }

    /** "cuda", "nvrtc" or "cublas". */
    public String api() {
        return api;
    }

    /** The C function (or description of the call) that failed. */
    public String call() {
        return call;
    }

    public int code() {
        return code;
    }

    public String errorName() {
        return errorName;
    }

    public String errorText() {
        return errorText;
    }
}
