package sealjvm.bindings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import sealjvm.testsupport.ChildJvm;
import sealjvm.testsupport.Repo;

/**
 * Test support for the SEAL CUDA emulator ({@code tools/cuda-emulator}), a CPU test double of
 * libcuda/libnvrtc/libcublas that runs our CUDA C kernels; see its README for the kernel rules.
 *
 * <p>{@link NativeLibraries} loads the libraries once per JVM, so tests that should see the emulator
 * run in a child JVM whose {@value NativeLibraries#OVERRIDE_ENV} points at the build folder:
 * {@link #build} then {@link #runInChildJvm}. Inside that JVM, {@link #loaded()} is true.
 * Other modules can reuse this class through native-bindings' test-jar.
 */
public final class CudaEmulator {
    private CudaEmulator() {
    }

    /** The device name the emulated driver reports. */
    public static final String DEVICE_NAME = "SEAL CUDA emulator (CPU)";

    /** The repository's {@code tools/cuda-emulator} folder, searched upwards from the working directory. */
    public static Optional<Path> toolDirectory() {
        return Repo.find("tools/cuda-emulator/build.sh").map(Path::getParent);
    }

    /** True when the emulator can be built here: the tool folder exists and the C++ compiler runs. */
    public static boolean buildable() {
        if (toolDirectory().isEmpty()) {
            return false;
        }
        String cxx = System.getenv().getOrDefault("CXX", "g++");
        try {
            Process p = new ProcessBuilder(cxx, "--version").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Builds the emulator from {@code kernels} into {@code outDir} (libcuda.so.1, libnvrtc.so.13,
     * libcublas.so.13; incremental, well under a second when nothing changed) and returns {@code outDir}.
     */
    public static Path build(Path outDir, List<Path> kernels) throws IOException, InterruptedException {
        Path tool = toolDirectory().orElseThrow(() -> new IOException("tools/cuda-emulator not found above "
                + Path.of("").toAbsolutePath()));
        List<String> cmd = new ArrayList<>(List.of("bash", tool.resolve("build.sh").toString()));
        for (Path k : kernels) {
            cmd.add(k.toAbsolutePath().toString());
        }
        cmd.add(outDir.toAbsolutePath().toString());
        Result r = run(cmd, Map.of(), 300);
        if (r.exitCode() != 0) {
            throw new IOException("cuda-emulator build failed (exit " + r.exitCode() + "):\n" + r.output());
        }
        return outDir.toAbsolutePath();
    }

    /** True when the CUDA driver this JVM loaded is the emulator (and it initialises). */
    public static boolean loaded() {
        if (!NativeLibraries.cudaAvailable()) {
            return false;
        }
        try {
            Cuda.init();
            return DEVICE_NAME.equals(Cuda.deviceName(Cuda.device(0)));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Output and exit code of a finished process (stdout and stderr interleaved). */
    public record Result(int exitCode, String output) {
    }

    /** Runs a command (environment = this process's plus {@code env}), at most {@code timeoutSeconds}. */
    public static Result run(List<String> cmd, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("cuda-emulator", ".log");
        try {
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd) + "\n"
                        + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Outcome of one test run in the child JVM. */
    public record ChildResult(String name, String status, String message) {
        public boolean successful() {
            return status.equals("SUCCESSFUL");
        }
    }

    /** The child's results plus its complete output (for diagnosing a crash). */
    public record ChildRun(List<ChildResult> results, int exitCode, String output) {
    }

    /**
     * Runs the JUnit test classes in a new JVM (same classpath) whose {@value NativeLibraries#OVERRIDE_ENV}
     * is {@code libraryDir}, so the bindings load the emulator, and returns one result per test.
     */
    public static ChildRun runInChildJvm(Path libraryDir, List<Class<?>> testClasses, Map<String, String> extraEnv)
            throws IOException, InterruptedException {
        List<String> cmd = ChildJvm.command(List.of(), EmulatorChildMain.class.getName(),
                testClasses.stream().map(Class::getName).toArray(String[]::new));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(extraEnv);
        pb.environment().put(NativeLibraries.OVERRIDE_ENV, libraryDir.toAbsolutePath().toString());
        Path out = Files.createTempFile("cuda-emulator-child", ".out");
        Path err = Files.createTempFile("cuda-emulator-child", ".err");
        try {
            // Separate files: the emulator's notes on stderr must not split a result line.
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("child JVM timed out:\n" + Files.readString(out) + Files.readString(err));
            }
            List<ChildResult> results = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                if (line.startsWith(EmulatorChildMain.PREFIX)) {
                    String[] f = line.substring(EmulatorChildMain.PREFIX.length()).split("\t", -1);
                    results.add(new ChildResult(f[1], f[0],
                            new String(Base64.getDecoder().decode(f[2]), StandardCharsets.UTF_8)));
                }
            }
            return new ChildRun(results, p.exitValue(), Files.readString(out) + Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Builds the emulator from {@code kernels} into {@code target/cuda-emulator}, runs the gpu-tagged test
     * {@code classes} against it in a child JVM, and returns one dynamic test per child test plus one asserting
     * that every test method ran (none skipped). Skips (assumption) where the emulator cannot be built.
     */
    public static java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> testsOnEmulator(List<Path> kernels, List<Class<?>> classes,
                                                                                             Path target) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(buildable(), "no C++ compiler (g++ / $CXX) or no tools/cuda-emulator here");
        Path libs = build(target.resolve("cuda-emulator"), kernels);
        ChildRun run = runInChildJvm(libs, classes, Map.of("SEAL_CUDA_CACHE", target.resolve("cuda-cache").toAbsolutePath().toString()));
        String out = run.output();
        String context = "\n--- child JVM (exit " + run.exitCode() + ") ---\n" + (out.length() <= 6000 ? out : "..." + out.substring(out.length() - 6000));
        org.junit.jupiter.api.Assertions.assertFalse(run.results().isEmpty(), "no results from the child JVM" + context);
        List<org.junit.jupiter.api.DynamicTest> tests = new ArrayList<>();
        for (ChildResult r : run.results()) {
            tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest(r.name(),
                    () -> org.junit.jupiter.api.Assertions.assertTrue(r.successful(), r.name() + " " + r.status() + ": " + r.message() + context)));
        }
        java.util.TreeSet<String> expected = new java.util.TreeSet<>();
        for (Class<?> c : classes) {
            java.util.Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(org.junit.jupiter.api.Test.class))
                    .forEach(m -> expected.add(c.getSimpleName() + "." + m.getName()));
        }
        java.util.TreeSet<String> ran = new java.util.TreeSet<>(run.results().stream().map(ChildResult::name).toList());
        tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest("every test ran on the emulator (none skipped)",
                () -> org.junit.jupiter.api.Assertions.assertEquals(expected, ran, context)));
        return tests.stream();
    }
}
