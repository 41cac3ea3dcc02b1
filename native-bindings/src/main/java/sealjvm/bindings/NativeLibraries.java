package sealjvm.bindings;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the CUDA shared libraries without any JVM flags ({@code java.library.path} is not consulted).
 *
 * <p>Library keys: {@code cuda} (driver), {@code nvrtc}, {@code cublas}. For each key the file names
 * ({@link #FILE_NAMES}: the sonames of CUDA 13, 12 and 11, then the dev symlink) are tried newest first in
 * every search folder, in this order: each folder of {@value #OVERRIDE_ENV} (colon-separated, searched before
 * everything else, so that e.g. the CPU test double built by {@code tools/cuda-emulator/build.sh} replaces an
 * installed CUDA in tests: when set and holding the library, it wins); <b>for the driver only</b>, then the
 * system loader by its soname {@code libcuda.so.1} (ld.so.cache: the driver the NVIDIA installer or the
 * container runtime registered, never the toolkit's {@code stubs/libcuda.so}); then {@code $CUDA_HOME/lib64}
 * (and {@code $CUDA_PATH/lib64}), each {@code LD_LIBRARY_PATH} entry, {@code /usr/local/cuda*}{@code /lib64},
 * {@code /usr/lib/x86_64-linux-gnu}, pip-installed NVIDIA wheels ({@code .../nvidia/*}{@code /lib}, e.g.
 * {@code nvidia/cublas/lib}, {@code nvidia/cuda_nvrtc/lib} (CUDA 11/12) or {@code nvidia/cu13/lib} (CUDA 13),
 * under the Python site folders of {@value #PYTHON_SITE_ENV}, the system, {@code ~/.local}, pyenv, conda and
 * {@code $VIRTUAL_ENV}), and finally the system loader by every name. Results are cached for the life of the
 * JVM; loaded libraries live in the global arena and are never unloaded.
 *
 * <p>Companions are loaded from the folder of the library first: {@code libnvrtc-builtins.so.*} for NVRTC,
 * {@code libcublasLt.so.*} for cuBLAS (both are dlopen()ed or needed by bare name and would otherwise be
 * looked up on the loader's path only).
 *
 * <p>{@link #cudaAvailable()} is false, without throwing, when the driver is missing, is the toolkit's stub
 * ({@code CUDA_ERROR_STUB_LIBRARY}) or sees no device; {@link #cudaProblem()} says which, so that
 * {@code seal gpu-check} can fail loudly where tests would skip.
 */
public final class NativeLibraries {
    private NativeLibraries() {
    }

    /** Colon-separated folders searched before any other place; for test doubles and unusual installs. */
    public static final String OVERRIDE_ENV = "SEAL_CUDA_LIBRARY_PATH";

    /**
     * Colon-separated Python site folders (what {@code site.getsitepackages()} answers) whose {@code nvidia/*}{@code /lib}
     * folders hold pip wheels' libraries; {@code bench/gpu/run.sh} sets it from the host's python3.
     */
    public static final String PYTHON_SITE_ENV = "SEAL_PYTHON_SITE_PACKAGES";

    /** {@code CUDA_ERROR_STUB_LIBRARY} (cuda.h 12.x/13.0): what the toolkit's {@code stubs/libcuda.so} returns from every call. */
    public static final int CUDA_ERROR_STUB_LIBRARY = 34;

    /**
     * File names per library key, most preferred first: the sonames of CUDA 13, 12 and 11 (NVRTC 11.2+ is
     * versioned {@code libnvrtc.so.11.2}; the pip wheels nvidia-cuda-nvrtc-cu11/cu12/cu13 and nvidia-cublas-cu11/cu12/
     * nvidia-cublas ship these names), then the dev symlink.
     */
    static final Map<String, List<String>> FILE_NAMES = Map.of(
            "cuda", List.of("libcuda.so.1", "libcuda.so"),
            "nvrtc", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1", "libnvrtc.so.11.0",
                    "libnvrtc.so"),
            "cublas", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"));

    /** The driver's soname, tried through the system loader right after the override folders. */
    static final String DRIVER_SONAME = "libcuda.so.1";

    /** Outcome of one search: the lookup if found, and a record of what was tried for error messages. */
    record Search(String library, Optional<SymbolLookup> lookup, Optional<String> location,
                  List<Path> searched, List<String> failures) {
    }

    private static final Map<String, Search> CACHE = new ConcurrentHashMap<>();

    /** The library's symbols, or empty if it is not installed where we look. Never throws for known keys. */
    public static Optional<SymbolLookup> find(String library) {
        return search(library).lookup();
    }

    /** The library's symbols, or a {@link CudaUnavailableException} saying where we looked and how to fix it. */
    public static SymbolLookup require(String library) {
        return find(library).orElseThrow(() -> unavailable(library));
    }

    /** The path (or bare name, when the system loader found it) the library was loaded from. */
    public static Optional<String> location(String library) {
        return search(library).location();
    }

    /**
     * True when the driver library loads, {@code cuInit(0)} succeeds and at least one device exists.
     * A driver without a usable GPU counts as unavailable, so GPU tests skip instead of failing.
     */
    public static boolean cudaAvailable() {
        return CudaProbe.PROBLEM == null;
    }

    /**
     * Why {@link #cudaAvailable()} is false, in one line (no driver library; the toolkit's stub library, which answers
     * {@code CUDA_ERROR_STUB_LIBRARY}; {@code cuInit} failing; no device), or empty when the driver is usable.
     */
    public static Optional<String> cudaProblem() {
        return Optional.ofNullable(CudaProbe.PROBLEM);
    }

    /** True when the loaded driver library is the CUDA toolkit's stub ({@code cuInit} answered CUDA_ERROR_STUB_LIBRARY). */
    public static boolean cudaIsStub() {
        return CudaProbe.STUB;
    }

    /** Holder so the probe (which calls into the driver) runs once, on first ask. */
    private static final class CudaProbe {
        static boolean STUB;
        static final String PROBLEM = probe();

        private static String probe() {
            try {
                if (find("cuda").isEmpty()) {
                    return unavailable("cuda").getMessage();
                }
                String where = location("cuda").orElse("cuda");
                int rc = cuda_h.cuInit(0);
                if (rc == CUDA_ERROR_STUB_LIBRARY) {
                    STUB = true;
                    return stubMessage(where);
                }
                if (rc != cuda_h.CUDA_SUCCESS()) {
                    return "cuInit(0) failed with " + Cuda.errorName(rc) + " (" + Cuda.errorText(rc) + ") using the driver " + where;
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                    rc = cuda_h.cuDeviceGetCount(count);
                    if (rc != cuda_h.CUDA_SUCCESS()) {
                        return "cuDeviceGetCount failed with " + Cuda.errorName(rc) + " using the driver " + where;
                    }
                    return count.get(ValueLayout.JAVA_INT, 0) > 0 ? null : "the driver " + where + " sees no CUDA device";
                }
            } catch (Throwable t) {
                return "probing the CUDA driver failed: " + t; // documented contract: never throws
            }
        }
    }

    /** The one-line diagnosis of a stub driver library. Package-private for tests. */
    static String stubMessage(String where) {
        return "the CUDA driver library " + where + " is the CUDA toolkit's stub (cuInit: CUDA_ERROR_STUB_LIBRARY), not the"
                + " NVIDIA driver: every GPU test would skip. Fix: remove its folder (…/lib64/stubs) from LD_LIBRARY_PATH / "
                + OVERRIDE_ENV + " so that the driver's libcuda.so.1 (ld.so.cache) is used, or install the NVIDIA driver";
    }

    static CudaUnavailableException unavailable(String library) {
        Search s = search(library);
        StringBuilder msg = new StringBuilder()
                .append("CUDA library '").append(library).append("' (").append(String.join(" / ", FILE_NAMES.get(library)))
                .append(") not found. Searched: ");
        List<String> dirs = new ArrayList<>();
        for (Path p : s.searched()) {
            dirs.add(p.toString());
        }
        msg.append(dirs.isEmpty() ? "(no folders)" : String.join(", ", dirs)).append(", then the system loader by name.");
        if (!s.failures().isEmpty()) {
            msg.append(" Found but failed to load: ").append(String.join("; ", s.failures())).append('.');
        }
        msg.append(" Fix: install the NVIDIA driver");
        if (!library.equals("cuda")) {
            msg.append(" and the CUDA toolkit (or the pip wheel nvidia-").append(library).append("-cu12/cu13)");
        }
        msg.append(", then set CUDA_HOME to the toolkit root (its lib64 folder is searched) or add the folder"
                + " holding the library to LD_LIBRARY_PATH (or to " + OVERRIDE_ENV + ", searched first).");
        return new CudaUnavailableException(msg.toString());
    }

    private static Search search(String library) {
        if (!FILE_NAMES.containsKey(library)) {
            throw new IllegalArgumentException("unknown CUDA library key '" + library + "'; expected one of "
                    + FILE_NAMES.keySet());
        }
        Map<String, String> env = System.getenv();
        // Outside computeIfAbsent: the driver's own search must not nest in this map's update.
        int driver = library.equals("cuda") ? 0 : driverVersion();
        return CACHE.computeIfAbsent(library, lib -> search(lib, searchDirectories(env, Path.of(System.getProperty("user.home", "/"))),
                overrideDirectories(env).size(), true, driver));
    }

    /** {@code cuDriverGetVersion} of the driver found (it needs no cuInit), or 0 when there is none or it fails (a stub). */
    static int driverVersion() {
        if (find("cuda").isEmpty()) {
            return 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            return cuda_h.cuDriverGetVersion(v) == cuda_h.CUDA_SUCCESS() ? v.get(ValueLayout.JAVA_INT, 0) : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** The CUDA major release a soname belongs to ({@code libnvrtc.so.12} → 12, {@code libnvrtc.so.11.2} → 11), or 0. */
    static int sonameMajor(String name) {
        int at = name.indexOf(".so.");
        if (at < 0) {
            return 0;
        }
        String rest = name.substring(at + 4);
        int dot = rest.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? rest : rest.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Why {@code name} is skipped for a driver of {@code driverVersion} (a library of a newer CUDA major), or null. */
    static String tooNew(String name, int driverVersion) {
        int major = sonameMajor(name);
        return driverVersion > 0 && major > driverVersion / 1000
                ? "a CUDA " + major + " library, newer than the driver (CUDA " + driverVersion / 1000 + "." + driverVersion % 1000 / 10
                        + "): skipped"
                : null;
    }

    /** Searches {@code dirs} in order, then (optionally) the system loader. Package-private for tests. */
    static Search search(String library, List<Path> dirs, boolean trySystemLoader) {
        return search(library, dirs, 0, trySystemLoader);
    }

    /**
     * Searches {@code dirs} in order; for the driver, with {@code trySystemLoader}, asks the system loader for
     * {@value #DRIVER_SONAME} after the first {@code overrideCount} folders (the {@value #OVERRIDE_ENV} ones) and before
     * the rest; then, optionally, the system loader by every name. Package-private for tests.
     */
    static Search search(String library, List<Path> dirs, int overrideCount, boolean trySystemLoader) {
        return search(library, dirs, overrideCount, trySystemLoader, 0);
    }

    /**
     * As above; with {@code driverVersion} > 0 (NVRTC and cuBLAS), a file whose soname is of a newer CUDA major release
     * than the driver ({@code libnvrtc.so.13} for a 12.x driver) is skipped and reported, so that an older one found later
     * (a pip wheel of the driver's major) is taken instead of one the driver cannot work with.
     */
    static Search search(String library, List<Path> dirs, int overrideCount, boolean trySystemLoader, int driverVersion) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            if (i == overrideCount && trySystemLoader && library.equals("cuda")) {
                Optional<SymbolLookup> driver = systemLoader(DRIVER_SONAME);
                if (driver.isPresent()) {
                    return new Search(library, driver, Optional.of(DRIVER_SONAME + " (system loader)"), dirs, failures);
                }
            }
            Path dir = dirs.get(i);
            for (String name : FILE_NAMES.get(library)) {
                Path file = dir.resolve(name);
                if (!Files.exists(file)) {
                    continue;
                }
                String tooNew = tooNew(name, driverVersion);
                if (tooNew != null) {
                    failures.add(file + ": " + tooNew);
                    continue;
                }
                String notElf = notElf(file);
                if (notElf != null) {
                    // Handing a non-library to dlopen makes HotSpot print stack-guard warnings; skip it up front.
                    failures.add(file + ": " + notElf);
                    continue;
                }
                try {
                    preloadCompanions(library, dir, name);
                    SymbolLookup lookup = SymbolLookup.libraryLookup(file, Arena.global());
                    return new Search(library, Optional.of(lookup), Optional.of(file.toString()), dirs, failures);
                } catch (RuntimeException e) {
                    // e.g. wrong architecture or a broken symlink target; keep looking, but report it.
                    failures.add(file + ": " + e.getMessage());
                }
            }
        }
        if (trySystemLoader) {
            for (String name : FILE_NAMES.get(library)) {
                if (tooNew(name, driverVersion) != null) {
                    continue;
                }
                Optional<SymbolLookup> lookup = systemLoader(name);
                if (lookup.isPresent()) {
                    return new Search(library, lookup, Optional.of(name + " (system loader)"), dirs, failures);
                }
            }
        }
        return new Search(library, Optional.empty(), Optional.empty(), dirs, failures);
    }

    private static Optional<SymbolLookup> systemLoader(String name) {
        try {
            return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
        } catch (RuntimeException e) {
            return Optional.empty(); // dlopen by name failed: not in ld.so.cache or default paths; nothing to report.
        }
    }

    /**
     * Companions loaded from the library's own folder before the library itself.
     * NVRTC dlopen()s {@code libnvrtc-builtins.so.<major>.<minor>} by bare name at its first compile, which fails
     * when libnvrtc itself was found here rather than on the loader's path (a pip wheel's {@code nvidia/cu13/lib},
     * a toolkit not in ld.so.cache): NVRTC_ERROR_BUILTIN_OPERATION_FAILURE. libcublas needs {@code libcublasLt.so.<major>}
     * (a DT_NEEDED entry; the wheels' RUNPATH {@code $ORIGIN} finds it, a toolkit's lib64 off the loader's path may not).
     * Loading them from the same folder first makes those lookups find the already-loaded library by its soname.
     */
    private static void preloadCompanions(String library, Path dir, String fileName) {
        for (Path p : companions(library, dir, fileName)) {
            try {
                SymbolLookup.libraryLookup(p, Arena.global());
            } catch (RuntimeException e) {
                // not loadable: NVRTC / the loader will report the missing companion itself, naming the file
            }
        }
    }

    /** The companion files {@link #preloadCompanions} loads, in order. Package-private for tests. */
    static List<Path> companions(String library, Path dir, String fileName) {
        List<Path> out = new ArrayList<>();
        if (library.equals("nvrtc")) {
            for (Path p : files(dir, "libnvrtc-builtins.so.*")) {
                if (!p.getFileName().toString().contains(".alt.")) {
                    out.add(p);
                }
            }
        } else if (library.equals("cublas")) {
            // libcublas.so.12 wants libcublasLt.so.12: the same major first, else whatever is there (the dev symlink's case).
            String major = fileName.startsWith("libcublas.so.") ? fileName.substring("libcublas.so.".length()) : "";
            List<Path> lt = files(dir, "libcublasLt.so.*");
            Path exact = dir.resolve("libcublasLt.so." + major);
            if (!major.isEmpty() && lt.contains(exact)) {
                out.add(exact);
            } else if (!lt.isEmpty()) {
                out.add(lt.get(lt.size() - 1));
            }
        }
        return out;
    }

    private static List<Path> files(Path dir, String glob) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && notElf(p) == null) {
                    out.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            return out;
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    /** Null if {@code file} starts with the ELF magic, else why it cannot be a shared library. */
    private static String notElf(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            boolean elf = magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
            return elf ? null : "not an ELF shared object";
        } catch (IOException | SecurityException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** The {@value #OVERRIDE_ENV} folders, in order, without duplicates. */
    static List<Path> overrideDirectories(Map<String, String> env) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, env.get(OVERRIDE_ENV));
        return List.copyOf(dirs);
    }

    /** The search folders, in order, without duplicates. Only existing folders matter, but all are listed. */
    static List<Path> searchDirectories(Map<String, String> env, Path userHome) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>(overrideDirectories(env));
        for (String var : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(var);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
            }
        }
        addPathList(dirs, env.get("LD_LIBRARY_PATH"));
        // /usr/local/cuda (the usual symlink) first, then versioned installs newest first.
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        for (Path p : children(Path.of("/usr/local"), "cuda*", true)) {
            dirs.add(p.resolve("lib64"));
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/local/nvidia/lib64"));   // where NVIDIA's container runtime mounts the driver
        dirs.add(Path.of("/usr/lib/wsl/lib"));          // the driver under WSL 2
        List<Path> pythonTrees = new ArrayList<>();
        String sites = env.get(PYTHON_SITE_ENV);
        if (sites != null) {
            for (String site : sites.split(":")) {
                if (!site.isBlank()) {
                    pythonTrees.add(Path.of(site));
                }
            }
        }
        for (Path py : children(Path.of("/usr/lib"), "python3*", true)) {
            pythonTrees.add(py.resolve("dist-packages"));
            pythonTrees.add(py.resolve("site-packages"));
        }
        for (Path py : children(Path.of("/usr/local/lib"), "python3*", true)) {
            pythonTrees.add(py.resolve("dist-packages"));
            pythonTrees.add(py.resolve("site-packages"));
        }
        for (Path py : children(userHome.resolve(".local/lib"), "python3*", true)) {
            pythonTrees.add(py.resolve("site-packages"));
        }
        List<Path> prefixes = new ArrayList<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(var);
            if (prefix != null && !prefix.isBlank()) {
                prefixes.add(Path.of(prefix));
            }
        }
        prefixes.add(Path.of("/opt/conda"));
        prefixes.addAll(children(userHome.resolve(".pyenv/versions"), "*", true));
        for (Path prefix : prefixes) {
            for (Path py : children(prefix.resolve("lib"), "python3*", true)) {
                pythonTrees.add(py.resolve("site-packages"));
            }
        }
        for (Path tree : pythonTrees) {
            // Wheels put libraries in nvidia/<component>/lib (CUDA 12) or nvidia/cu13/lib (CUDA 13).
            for (Path component : children(tree.resolve("nvidia"), "*", false)) {
                dirs.add(component.resolve("lib"));
            }
        }
        return List.copyOf(dirs);
    }

    /** Adds the non-empty entries of a colon-separated folder list, in order. */
    private static void addPathList(LinkedHashSet<Path> dirs, String list) {
        if (list == null) {
            return;
        }
        for (String entry : list.split(":")) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
    }

    /** Existing sub-folders of {@code dir} matching {@code glob}, sorted by name (descending if asked). */
    private static List<Path> children(Path dir, String glob, boolean newestFirst) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            return out; // unreadable folder: simply not searched
        }
        Comparator<Path> byName = Comparator.comparing(p -> p.getFileName().toString());
        out.sort(newestFirst ? byName.reversed() : byName);
        return out;
    }
}
