package sealjvm.bindings;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Linking support shared by the generated header classes.
 *
 * <p>jextract's own output resolves symbols with {@code findOrThrow} in a static initialiser, which
 * turns a missing library into {@link ExceptionInInitializerError} on first call and
 * {@link NoClassDefFoundError} on every later one. Here a missing library or symbol instead yields a
 * handle of the right type that throws a fresh {@link CudaUnavailableException} each time it is
 * invoked, so the error stays readable and the descriptors stay inspectable on machines without CUDA.
 */
final class Downcalls {
    private Downcalls() {
    }

    private static final MethodHandle UNAVAILABLE;

    static {
        try {
            UNAVAILABLE = MethodHandles.lookup().findStatic(Downcalls.class, "unavailable",
                    MethodType.methodType(CudaUnavailableException.class, String.class, String.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The symbol's address, or {@link MemorySegment#NULL} if the library or the symbol is missing. */
    static MemorySegment find(String library, String symbol) {
        return NativeLibraries.find(library).flatMap(l -> l.find(symbol)).orElse(MemorySegment.NULL);
    }

    /** A downcall handle for {@code address}, or a handle that throws when the address is NULL. */
    static MethodHandle link(String library, String symbol, MemorySegment address, FunctionDescriptor desc) {
        if (!address.equals(MemorySegment.NULL)) {
            return Linker.nativeLinker().downcallHandle(address, desc);
        }
        MethodType type = desc.toMethodType();
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), CudaUnavailableException.class);
        MethodHandle makeException = MethodHandles.insertArguments(UNAVAILABLE, 0, library, symbol);
        // () -> R that builds and throws the exception, then widened to ignore the C arguments.
        MethodHandle throwing = MethodHandles.foldArguments(thrower, makeException);
        return MethodHandles.dropArguments(throwing, 0, type.parameterList());
    }

    /** Builds the exception at call time: the library-level message when the library itself is absent. */
    static CudaUnavailableException unavailable(String library, String symbol) {
        if (NativeLibraries.find(library).isEmpty()) {
            return NativeLibraries.unavailable(library);
        }
        return new CudaUnavailableException("symbol " + symbol + " is not exported by "
                + NativeLibraries.location(library).orElse(library)
                + " — the installed " + library + " library is older than the API these bindings use;"
                + " update the NVIDIA driver / CUDA toolkit.");
    }
}
