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
