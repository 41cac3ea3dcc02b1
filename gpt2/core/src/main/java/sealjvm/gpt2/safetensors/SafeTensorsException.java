package sealjvm.gpt2.safetensors;

/**
 * Any problem reading or writing a safetensors file: malformed header, bad offsets, wrong dtype,
 * missing tensor, I/O failure. The message always starts with the file, and names the tensor when
 * one is involved, so a user can act on it without a stack trace.
 */
public final class SafeTensorsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsException(String message) { super(message); }

    public SafeTensorsException(String message, Throwable cause) { super(message, cause); }
}
