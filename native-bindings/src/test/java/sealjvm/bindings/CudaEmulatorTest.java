package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds the SEAL CUDA emulator from tools/cuda-emulator/test's kernels into target/cuda-emulator,
 * runs its own C tests, and runs {@link EmulatedCudaTest} and {@link GpuSmokeTest} against it in a
 * child JVM (the loader caches libraries per JVM). Skips where there is no g++.
 */
class CudaEmulatorTest {
    private static final List<Class<?>> CHILD_TESTS = List.of(EmulatedCudaTest.class, GpuSmokeTest.class);
    private static Path libs;
    private static Path tool;

    @BeforeAll
    static void buildEmulator() throws Exception {
        Assumptions.assumeTrue(CudaEmulator.buildable(), "no C++ compiler (g++ / $CXX) or no tools/cuda-emulator here");
        tool = CudaEmulator.toolDirectory().orElseThrow();
        libs = CudaEmulator.build(Path.of("target", "cuda-emulator"),
                List.of(tool.resolve("test/sample.cu"), tool.resolve("test/misuse.cu")));
    }

    @Test
    void emulatorPassesItsOwnTests() throws Exception {
        CudaEmulator.Result r = CudaEmulator.run(List.of("bash", tool.resolve("test/run.sh").toString(), libs.toString()),
                Map.of(), 300);
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(" checks, 0 failures"), r.output());
    }

    @TestFactory
    Stream<DynamicTest> bindingsWorkAgainstTheEmulatorInAChildJvm() throws Exception {
        CudaEmulator.ChildRun run = CudaEmulator.runInChildJvm(libs, CHILD_TESTS, Map.of());
        String context = "\n--- child JVM (exit " + run.exitCode() + ") ---\n" + tail(run.output());
        assertFalse(run.results().isEmpty(), "no results from the child JVM" + context);
        List<DynamicTest> tests = new ArrayList<>();
        for (CudaEmulator.ChildResult r : run.results()) {
            tests.add(DynamicTest.dynamicTest(r.name(),
                    () -> assertTrue(r.successful(), r.name() + " " + r.status() + ": " + r.message() + context)));
        }
        // Every test method ran and none skipped: in the child the emulator must be what the bindings loaded.
        TreeSet<String> expected = new TreeSet<>();
        for (Class<?> c : CHILD_TESTS) {
            Arrays.stream(c.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class))
                    .forEach(m -> expected.add(c.getSimpleName() + "." + m.getName()));
        }
        TreeSet<String> ran = new TreeSet<>(run.results().stream().map(CudaEmulator.ChildResult::name).toList());
        tests.add(DynamicTest.dynamicTest("every test ran in the child JVM", () -> assertEquals(expected, ran, context)));
        return tests.stream();
    }

    @Test
    void theEmulatorActingAsTheToolkitsStubIsDiagnosedAsAStub() throws Exception {
        CudaEmulator.ChildRun run = CudaEmulator.runInChildJvm(libs, List.of(StubDriverTest.class), Map.of("SEAL_CUDA_EMU_STUB", "1"));
        assertEquals(1, run.results().size(), tail(run.output()));
        assertTrue(run.results().get(0).successful(), run.results().get(0).message() + tail(run.output()));
    }

    private static String tail(String s) {
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }
}
