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
 * are tried newest first in every search folder, in this order: each folder of
 * {@value #OVERRIDE_ENV} (colon-separated, searched before everything else, so that e.g. the CPU
 * test double built by {@code tools/cuda-emulator/build.sh} replaces an installed CUDA in tests),
 * {@code $CUDA_HOME/lib64} (and
 * {@code $CUDA_PATH/lib64}), each {@code LD_LIBRARY_PATH} entry, {@code /usr/local/cuda*}{@code /lib64},
 * {@code /usr/lib/x86_64-linux-gnu}, pip-installed NVIDIA wheels ({@code .../nvidia/*}{@code /lib} under
 * the system, {@code ~/.local} and {@code $VIRTUAL_ENV} Python trees), and finally the system loader
 * by bare name (which sees {@code ld.so.cache}). Results are cached for the life of the JVM; loaded
 * libraries live in the global arena and are never unloaded.
 */
public final class NativeLibraries {
    private NativeLibraries() {
    }

    /** Colon-separated folders searched before any other place; for test doubles and unusual installs. */
    public static final String OVERRIDE_ENV = "SEAL_CUDA_LIBRARY_PATH";

    /** File names per library key, most preferred first (CUDA 13, then 12, then the dev symlink). */
    static final Map<String, List<String>> FILE_NAMES = Map.of(
            "cuda", List.of("libcuda.so.1", "libcuda.so"),
            "nvrtc", List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"),
            "cublas", List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"));

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
        return CudaProbe.AVAILABLE;
    }

    /** Holder so the probe (which calls into the driver) runs once, on first ask. */
    private static final class CudaProbe {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try {
                if (find("cuda").isEmpty() || cuda_h.cuInit(0) != cuda_h.CUDA_SUCCESS()) {
                    return false;
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
                    return cuda_h.cuDeviceGetCount(count) == cuda_h.CUDA_SUCCESS()
                            && count.get(ValueLayout.JAVA_INT, 0) > 0;
                }
            } catch (Throwable t) {
                return false; // documented contract: never throws
            }
        }
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
        return CACHE.computeIfAbsent(library, lib ->
                search(lib, searchDirectories(System.getenv(), Path.of(System.getProperty("user.home", "/"))), true));
    }

    /** Searches {@code dirs} in order, then (optionally) the system loader. Package-private for tests. */
    static Search search(String library, List<Path> dirs, boolean trySystemLoader) {
        List<String> failures = new ArrayList<>();
        for (Path dir : dirs) {
            for (String name : FILE_NAMES.get(library)) {
                Path file = dir.resolve(name);
                if (!Files.exists(file)) {
                    continue;
                }
                String notElf = notElf(file);
                if (notElf != null) {
                    // Handing a non-library to dlopen makes HotSpot print stack-guard warnings; skip it up front.
                    failures.add(file + ": " + notElf);
                    continue;
                }
                try {
                    preloadCompanions(library, dir);
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
                try {
                    SymbolLookup lookup = SymbolLookup.libraryLookup(name, Arena.global());
                    return new Search(library, Optional.of(lookup), Optional.of(name), dirs, failures);
                } catch (RuntimeException e) {
                    // dlopen by name failed: not in ld.so.cache or default paths; nothing to report.
                }
            }
        }
        return new Search(library, Optional.empty(), Optional.empty(), dirs, failures);
    }

    /**
     * NVRTC dlopen()s {@code libnvrtc-builtins.so.<major>.<minor>} by bare name at its first compile, which fails
     * when libnvrtc itself was found here rather than on the loader's path (a pip wheel's {@code nvidia/cu13/lib},
     * a toolkit not in ld.so.cache): NVRTC_ERROR_BUILTIN_OPERATION_FAILURE. Loading the builtins from the same
     * folder first makes that dlopen find the already-loaded library by its soname.
     */
    private static void preloadCompanions(String library, Path dir) {
        if (!library.equals("nvrtc")) {
            return;
        }
        for (Path p : files(dir, "libnvrtc-builtins.so.*")) {
            if (p.getFileName().toString().contains(".alt.")) {
                continue;
            }
            try {
                SymbolLookup.libraryLookup(p, Arena.global());
            } catch (RuntimeException e) {
                // not loadable: NVRTC will report the missing builtins itself, naming the file
            }
        }
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

    /** The search folders, in order, without duplicates. Only existing folders matter, but all are listed. */
    static List<Path> searchDirectories(Map<String, String> env, Path userHome) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, env.get(OVERRIDE_ENV));
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
        String venv = env.get("VIRTUAL_ENV");
        if (venv != null && !venv.isBlank()) {
            for (Path py : children(Path.of(venv, "lib"), "python3*", true)) {
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
