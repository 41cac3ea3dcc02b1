package sealjvm.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import sealjvm.bindings.Cuda;
import sealjvm.bindings.Nvrtc;
import sealjvm.bindings.cuda_h;
import sealjvm.tensor.AtomicFiles;

/**
 * The kernels of {@code kernels.cu} (a resource next to this class), compiled by NVRTC for this device's
 * compute capability and loaded as one module. The cubin is cached on disk under
 * {@code $SEAL_CUDA_CACHE} (default {@code ~/.cache/seal-jvm/cuda}), named by the SHA-256 of
 * {@link #cacheKey}: the source, the options, the NVRTC version, the device's compute capability, the driver
 * version and the NVRTC library itself (its path and size: the CPU emulator's {@code libnvrtc.so.13} also says
 * "13.0"), so a second run skips the compile and a changed source, device, driver or compiler never meets a stale
 * binary. Before compiling, an NVRTC of a newer CUDA major release than the driver is refused in one message
 * ({@link Nvrtc#requireCompatibleWithDriver}). Kernel parameters are packed as cuLaunchKernel wants them: an array of pointers
 * to each argument's value.
 */
public final class KernelModule {
    static final String SOURCE = "kernels.cu";

    private final MemorySegment module;
    private final Map<String, MemorySegment> functions = new ConcurrentHashMap<>();
    private final String cacheState;

    KernelModule(int ccMajor, int ccMinor) {
        String source = readSource();
        String[] options = {"--gpu-architecture=sm_" + ccMajor + ccMinor};
        int driver = Cuda.driverVersion();
        int[] v = Nvrtc.requireCompatibleWithDriver(driver);
        String key = cacheKey(source, options, v[0], v[1], ccMajor, ccMinor, driver, nvrtcIdentity());
        Path cached = cacheDir().resolve(key + ".cubin");
        byte[] image = null;
        String state;
        try {
            if (Files.isRegularFile(cached)) image = Files.readAllBytes(cached);
        } catch (IOException e) {
            image = null; // unreadable cache: compile again
        }
        if (image != null) {
            state = "cubin from cache " + cached;
        } else {
            image = Nvrtc.compile(source, SOURCE, true, options);
            state = "compiled by NVRTC " + v[0] + "." + v[1] + " (" + String.join(" ", options) + ")" + store(cached, image);
        }
        String note = Nvrtc.minorVersionNote(driver, v[0], v[1]);
        if (note != null) state += "; " + note;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            module = Cuda.loadModule(img);
        } catch (sealjvm.bindings.CudaException e) {
            throw new IllegalStateException("loading the kernels' cubin (sm_" + ccMajor + ccMinor + ", NVRTC " + v[0] + "." + v[1]
                    + ", driver " + Nvrtc.driverVersionString(driver) + ", " + state + ") failed: " + e.getMessage(), e);
        }
        cacheState = state;
    }

    /**
     * The cubin cache key: SHA-256 over everything that decides the binary or whether this driver can load it.
     * Package-private for tests.
     */
    static String cacheKey(String source, String[] options, int nvrtcMajor, int nvrtcMinor, int ccMajor, int ccMinor,
                           int driverVersion, String nvrtcIdentity) {
        return sha256(source + "\n" + String.join(" ", options) + "\nnvrtc " + nvrtcMajor + "." + nvrtcMinor
                + "\nsm_" + ccMajor + "." + ccMinor + "\ndriver " + driverVersion + "\nnvrtc library " + nvrtcIdentity);
    }

    /** The loaded NVRTC library: its real path and size (the emulator's and a real one differ), or the loader's name. */
    static String nvrtcIdentity() {
        String where = sealjvm.bindings.NativeLibraries.location("nvrtc").orElse("nvrtc");
        try {
            Path p = Path.of(where).toRealPath();
            return p + " " + Files.size(p);
        } catch (IOException | RuntimeException e) {
            return where; // found by the system loader by name
        }
    }

    /** Where the cubin came from (for logs): the cache file, or the compile. */
    public String cacheState() { return cacheState; }

    static Path cacheDir() {
        String env = System.getenv("SEAL_CUDA_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home", "."), ".cache", "seal-jvm", "cuda");
    }

    private static String store(Path file, byte[] image) {
        try {
            AtomicFiles.write(file, image);
            return ", cached at " + file;
        } catch (IOException | UnsupportedOperationException e) {
            return ", not cached (" + e.getMessage() + ")"; // a read-only home must not stop the run
        }
    }

    static String readSource() {
        try (InputStream in = KernelModule.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new IllegalStateException("resource sealjvm/tensor/cuda/" + SOURCE + " missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Unloads the module (its functions become invalid). */
    void unload() {
        functions.clear();
        Cuda.check(cuda_h.cuModuleUnload(module), "cuModuleUnload");
    }

    MemorySegment function(String name) {
        return functions.computeIfAbsent(name, n -> Cuda.function(module, n));
    }

    /**
     * Launches {@code kernel} on {@code stream}. Arguments: {@link DeviceTensor} (its pointer), {@code null}
     * (a null pointer), {@link Integer} (int), {@link Long} (long long), {@link Float} (float).
     */
    void launch(MemorySegment stream, String kernel, int gx, int gy, int bx, Object... args) {
        MemorySegment f = function(kernel);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(ValueLayout.ADDRESS, Math.max(1, args.length));
            for (int i = 0; i < args.length; i++) {
                Object arg = args[i];
                MemorySegment slot;
                if (arg == null) {
                    slot = a.allocate(ValueLayout.JAVA_LONG);
                    slot.set(ValueLayout.JAVA_LONG, 0, 0L);
                } else if (arg instanceof DeviceTensor t) {
                    slot = a.allocate(ValueLayout.JAVA_LONG);
                    slot.set(ValueLayout.JAVA_LONG, 0, t.ptr());
                } else if (arg instanceof Integer x) {
                    slot = a.allocate(ValueLayout.JAVA_INT);
                    slot.set(ValueLayout.JAVA_INT, 0, x);
                } else if (arg instanceof Long x) {
                    slot = a.allocate(ValueLayout.JAVA_LONG);
                    slot.set(ValueLayout.JAVA_LONG, 0, x);
                } else if (arg instanceof Float x) {
                    slot = a.allocate(ValueLayout.JAVA_FLOAT);
                    slot.set(ValueLayout.JAVA_FLOAT, 0, x);
                } else {
                    throw new IllegalArgumentException("kernel " + kernel + " argument " + i + ": unsupported type " + arg.getClass());
                }
                params.setAtIndex(ValueLayout.ADDRESS, i, slot);
            }
            Cuda.check(cuda_h.cuLaunchKernel(f, gx, gy, 1, bx, 1, 1, 0, stream, params, MemorySegment.NULL),
                    "cuLaunchKernel(" + kernel + ", grid " + gx + "x" + gy + ", block " + bx + ")");
        }
    }
}
