package sealjvm.bindings;

import java.lang.foreign.MemorySegment;

/** C-string helpers for {@code const char*} values the libraries own (static strings, never freed). */
final class Strings {
    private Strings() {
    }

    /** Reads a NUL-terminated string at {@code p}, or {@code fallback} for NULL. */
    static String read(MemorySegment p, String fallback) {
        if (p == null || p.equals(MemorySegment.NULL)) {
            return fallback;
        }
        // Returned pointers have zero length; widen to read up to the terminator.
        return p.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
