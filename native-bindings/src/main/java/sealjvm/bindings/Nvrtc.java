package sealjvm.bindings;

import static sealjvm.bindings.nvrtc_h.C_LONG;
import static sealjvm.bindings.nvrtc_h.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** Status checking and a one-call compile over {@link nvrtc_h}. */
public final class Nvrtc {
    private Nvrtc() {
    }

    /** Throws {@link CudaException} unless {@code status} is {@code NVRTC_SUCCESS}. */
    public static void check(int status, String call) {
        check(status, call, null);
    }

    static void check(int status, String call, String log) {
        if (status != nvrtc_h.NVRTC_SUCCESS()) {
            // nvrtcGetErrorString returns the enum name (e.g. NVRTC_ERROR_COMPILATION); there is no separate text.
            String name = errorString(status);
            throw new CudaException("nvrtc", call, status, name, name, log);
        }
    }

    public static String errorString(int status) {
        try {
            return Strings.read(nvrtc_h.nvrtcGetErrorString(status), "nvrtcResult " + status);
        } catch (RuntimeException e) {
            return "nvrtcResult " + status;
        }
    }

    /** {major, minor} of the loaded NVRTC. */
    public static int[] version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(nvrtc_h.C_INT);
            MemorySegment minor = arena.allocate(nvrtc_h.C_INT);
            check(nvrtc_h.nvrtcVersion(major, minor), "nvrtcVersion");
            return new int[] {major.get(nvrtc_h.C_INT, 0), minor.get(nvrtc_h.C_INT, 0)};
        }
    }

    /** "12.4" for a {@code cuDriverGetVersion} answer of 12040. */
    public static String driverVersionString(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    /**
     * Null when cubins from NVRTC {@code nvrtcMajor.nvrtcMinor} can load on a driver answering {@code driverVersion}
     * ({@code cuDriverGetVersion}, e.g. 12040 for 12.4); else the one-line refusal. An NVRTC of a newer CUDA major
     * release than the driver is refused: its cubins (and PTX) cannot load there (CUDA_ERROR_UNSUPPORTED_PTX_VERSION /
     * NO_BINARY_FOR_GPU at the first kernel, far from the cause). A newer minor release of the same major is accepted:
     * we load cubins from {@code nvrtcGetCUBIN}, which CUDA's minor-version compatibility covers (only PTX needs a driver
     * as new as the compiler); {@link #minorVersionNote} says so for the logs.
     */
    public static String incompatibility(int driverVersion, int nvrtcMajor, int nvrtcMinor, String nvrtcWhere) {
        int driverMajor = driverVersion / 1000;
        if (nvrtcMajor > driverMajor) {
            return "NVRTC " + nvrtcMajor + "." + nvrtcMinor + " (" + nvrtcWhere + ") is newer than the CUDA driver ("
                    + driverVersionString(driverVersion) + "): the driver cannot load what it compiles. Fix: use an NVRTC of CUDA "
                    + driverMajor + ".x (the toolkit matching the driver, or the pip wheel nvidia-cuda-nvrtc-cu" + driverMajor
                    + "; put its folder in " + NativeLibraries.OVERRIDE_ENV + "), or upgrade the driver";
        }
        return null;
    }

    /** Non-null when NVRTC is a newer minor release of the driver's major one (accepted: cubins only), for logs. */
    public static String minorVersionNote(int driverVersion, int nvrtcMajor, int nvrtcMinor) {
        int driverMajor = driverVersion / 1000, driverMinor = driverVersion % 1000 / 10;
        return nvrtcMajor == driverMajor && nvrtcMinor > driverMinor
                ? "NVRTC " + nvrtcMajor + "." + nvrtcMinor + " is newer than the driver (" + driverVersionString(driverVersion)
                        + "): cubins only, under CUDA minor-version compatibility"
                : null;
    }

    /**
     * {@link #incompatibility} for the loaded NVRTC and driver; throws {@link CudaUnavailableException} with that message.
     * Returns the loaded NVRTC's {major, minor}.
     */
    public static int[] requireCompatibleWithDriver(int driverVersion) {
        int[] v = version();
        String why = incompatibility(driverVersion, v[0], v[1], NativeLibraries.location("nvrtc").orElse("nvrtc"));
        if (why != null) {
            throw new CudaUnavailableException(why);
        }
        return v;
    }

    /**
     * Compiles CUDA C++ source to a CUBIN (when an {@code --gpu-architecture=sm_XX} option is given) or
     * PTX (otherwise), returning the image bytes. A compile error throws {@link CudaException} whose
     * message includes the compiler log.
     */
    public static byte[] compile(String source, String name, boolean cubin, String... options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment progOut = arena.allocate(C_POINTER);
            check(nvrtc_h.nvrtcCreateProgram(progOut, arena.allocateFrom(source), arena.allocateFrom(name),
                    0, MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram");
            MemorySegment prog = progOut.get(C_POINTER, 0);
            try {
                MemorySegment opts = arena.allocate(C_POINTER, Math.max(1, options.length));
                for (int i = 0; i < options.length; i++) {
                    opts.setAtIndex(C_POINTER, i, arena.allocateFrom(options[i]));
                }
                int rc = nvrtc_h.nvrtcCompileProgram(prog, options.length, opts);
                if (rc != nvrtc_h.NVRTC_SUCCESS()) {
                    check(rc, "nvrtcCompileProgram(" + name + ")", log(arena, prog));
                }
                MemorySegment size = arena.allocate(C_LONG);
                check(cubin ? nvrtc_h.nvrtcGetCUBINSize(prog, size) : nvrtc_h.nvrtcGetPTXSize(prog, size),
                        cubin ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize");
                MemorySegment image = arena.allocate(Math.max(1, size.get(C_LONG, 0)));
                check(cubin ? nvrtc_h.nvrtcGetCUBIN(prog, image) : nvrtc_h.nvrtcGetPTX(prog, image),
                        cubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX");
                return image.asSlice(0, size.get(C_LONG, 0)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                nvrtc_h.nvrtcDestroyProgram(progOut); // takes nvrtcProgram*, still holding prog
            }
        }
    }

    private static String log(Arena arena, MemorySegment prog) {
        MemorySegment size = arena.allocate(C_LONG);
        if (nvrtc_h.nvrtcGetProgramLogSize(prog, size) != nvrtc_h.NVRTC_SUCCESS()) {
            return "(compile log unavailable)";
        }
        MemorySegment buf = arena.allocate(Math.max(1, size.get(C_LONG, 0)));
        if (nvrtc_h.nvrtcGetProgramLog(prog, buf) != nvrtc_h.NVRTC_SUCCESS()) {
            return "(compile log unavailable)";
        }
        return new String(buf.asSlice(0, Math.max(0, size.get(C_LONG, 0) - 1))
                .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
