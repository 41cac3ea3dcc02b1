package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the hand-written bindings against the real CUDA headers: for each header class a C++ source is
 * generated from the bindings ({@link HeaderCheckSource}) and compiled with {@code g++ -std=c++17 -fsyntax-only};
 * it compiles exactly when every constant value and every function prototype agrees with its descriptor.
 * A header that is not installed, or a missing g++, skips that check (with the reason). The generated sources
 * are written to {@code target/header-check/} and committed under {@code header-check/}, so they can also be
 * compiled on a machine without Java ({@code native-bindings/check-headers.sh}).
 */
class HeaderAgreementTest {

    /** Set (-Dsealjvm.headerCheck.update=true) to rewrite the committed copies under header-check/. */
    private static final String UPDATE_PROPERTY = "sealjvm.headerCheck.update";

    private static Path moduleDir() {
        return Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    }

    static List<HeaderCheckSource.Section> sections() throws IOException {
        return HeaderCheckSource.sections();
    }

    private static String generate(HeaderCheckSource.Section section) throws Exception {
        Path source = moduleDir().resolve("src/main/java/sealjvm/bindings/" + section.className() + ".java");
        assertTrue(Files.isRegularFile(source), "binding source (for its javadoc) not found at " + source);
        String cpp = HeaderCheckSource.generate(section, Files.readString(source, StandardCharsets.UTF_8));
        Path out = moduleDir().resolve("target/header-check/" + section.className() + ".cpp");
        Files.createDirectories(out.getParent());
        Files.writeString(out, cpp, StandardCharsets.UTF_8);
        return cpp;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sections")
    void bindingsAgreeWithTheInstalledHeader(HeaderCheckSource.Section section) throws Exception {
        generate(section);
        Path cpp = moduleDir().resolve("target/header-check/" + section.className() + ".cpp");
        Assumptions.assumeTrue(gxxAvailable(), "g++ not found on PATH: " + section.header() + " not checked ("
                + cpp + " can be compiled elsewhere: native-bindings/check-headers.sh)");
        List<Path> candidates = includeDirectories(System.getenv(), Path.of(System.getProperty("user.home", "/")));
        Optional<Path> found = candidates.stream().filter(d -> Files.isRegularFile(d.resolve(section.header()))).findFirst();
        Assumptions.assumeTrue(found.isPresent(), section.header() + " not installed (searched " + candidates
                + "): " + section.className() + " not checked; on a machine with the toolkit run"
                + " native-bindings/check-headers.sh, or g++ -std=c++17 -fsyntax-only -I/usr/local/cuda/include " + cpp);
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++17", "-fsyntax-only"));
        for (Path dir : withWheelSiblings(found.get())) {
            cmd.add("-I" + dir);
        }
        cmd.add(cpp.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "g++ did not finish");
        if (p.exitValue() != 0) {
            fail(section.className() + " disagrees with " + found.get().resolve(section.header()) + ":\n"
                    + String.join(" ", cmd) + "\n" + output);
        }
        if (!output.isBlank()) {
            System.out.println("[header-check] " + section.className() + " against " + found.get() + ":\n" + output);
        }
    }

    /** The committed copies under header-check/ must be what the bindings generate now. */
    @Test
    void committedCheckSourcesAreUpToDate() throws Exception {
        boolean update = Boolean.getBoolean(UPDATE_PROPERTY);
        List<String> stale = new ArrayList<>();
        for (HeaderCheckSource.Section section : sections()) {
            String cpp = generate(section);
            Path committed = moduleDir().resolve("header-check/" + section.className() + ".cpp");
            if (update) {
                Files.createDirectories(committed.getParent());
                Files.writeString(committed, cpp, StandardCharsets.UTF_8);
            } else if (!Files.isRegularFile(committed) || !Files.readString(committed, StandardCharsets.UTF_8).equals(cpp)) {
                stale.add(committed.toString());
            }
        }
        assertEquals(List.of(), stale, "generated header checks changed with the bindings: copy target/header-check/*.cpp"
                + " to native-bindings/header-check/ (or run the tests with -D" + UPDATE_PROPERTY + "=true)");
    }

    private static boolean gxxAvailable() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Folders that may hold the CUDA headers, in the order {@link NativeLibraries} searches for the libraries:
     * each {@code .../lib} or {@code .../lib64} folder it would search becomes {@code .../include}
     * ({@code $CUDA_HOME}, {@code $CUDA_PATH}, {@code LD_LIBRARY_PATH}, {@code /usr/local/cuda},
     * {@code /usr/local/cuda-*} newest first, pip wheels' {@code nvidia/*}{@code /include}), then {@code /usr/include}.
     */
    static List<Path> includeDirectories(Map<String, String> env, Path userHome) {
        LinkedHashSet<Path> dirs = new LinkedHashSet<>();
        for (Path lib : NativeLibraries.searchDirectories(env, userHome)) {
            Path name = lib.getFileName();
            if (name != null && (name.toString().equals("lib") || name.toString().equals("lib64")) && lib.getParent() != null) {
                dirs.add(lib.getParent().resolve("include"));
            }
        }
        dirs.add(Path.of("/usr/include"));
        return List.copyOf(dirs);
    }

    /** {@code dir}, plus for a pip wheel ({@code .../nvidia/<component>/include}) the other components' include folders. */
    static List<Path> withWheelSiblings(Path dir) {
        List<Path> out = new ArrayList<>(List.of(dir));
        Path component = dir.getParent();
        Path nvidia = component == null ? null : component.getParent();
        if (nvidia != null && nvidia.getFileName() != null && nvidia.getFileName().toString().equals("nvidia")) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(nvidia)) {
                List<Path> siblings = new ArrayList<>();
                for (Path c : ds) {
                    Path inc = c.resolve("include");
                    if (!inc.equals(dir) && Files.isDirectory(inc)) {
                        siblings.add(inc);
                    }
                }
                siblings.sort(null);
                out.addAll(siblings);
            } catch (IOException e) {
                // unreadable: compile with the header's own folder only
            }
        }
        return out;
    }

    @Test
    void includeDirectoriesMirrorTheLibrarySearch() {
        List<Path> dirs = includeDirectories(Map.of("CUDA_HOME", "/opt/cuda-x"), Path.of("/nonexistent-home"));
        assertEquals(Path.of("/opt/cuda-x/include"), dirs.get(0));
        assertTrue(dirs.contains(Path.of("/usr/local/cuda/include")), dirs.toString());
        assertEquals(Path.of("/usr/include"), dirs.get(dirs.size() - 1));
    }
}
