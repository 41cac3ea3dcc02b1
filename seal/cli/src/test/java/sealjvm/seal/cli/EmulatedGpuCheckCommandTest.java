package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import sealjvm.bindings.CudaEmulator;
import sealjvm.testsupport.Repo;

/**
 * {@link GpuCheckCommandTest} on the CPU emulator of the CUDA driver, in three child JVMs: plain, acting as the toolkit's
 * stub library ({@code SEAL_CUDA_EMU_STUB=1}) and reporting driver 12.4 to an NVRTC 13.0 ({@code SEAL_CUDA_EMU_DRIVER_VERSION}).
 * In each, exactly the methods meant for that setting run and pass; the others skip.
 */
class EmulatedGpuCheckCommandTest {
    @TestFactory
    Stream<DynamicTest> gpuCheckOnTheEmulator() throws Exception {
        Assumptions.assumeTrue(CudaEmulator.buildable(), "no C++ compiler (g++ / $CXX) or no tools/cuda-emulator here");
        Path target = Path.of("target");
        Path libs = CudaEmulator.build(target.resolve("cuda-emulator"),
                List.of(Repo.path("tensor/cuda/src/main/resources/sealjvm/tensor/cuda/kernels.cu")));
        String cache = target.resolve("cuda-cache").toAbsolutePath().toString();
        record Setting(String label, Map<String, String> env, List<String> runs) {}
        List<Setting> settings = List.of(
                new Setting("plain", Map.of(), List.of("everyCheckPassesAndTheExitCodeIsZero", "aFailingCheckDoesNotStopTheOthersAndTheExitCodeIsOne")),
                new Setting("stub", Map.of("SEAL_CUDA_EMU_STUB", "1"), List.of("aStubDriverLibraryIsALoudFailureNotASkip")),
                new Setting("driver 12.4", Map.of("SEAL_CUDA_EMU_DRIVER_VERSION", "12040"), List.of("cudaLibrariesNewerThanTheDriverAreRefused")));
        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (Setting s : settings) {
            Map<String, String> env = new java.util.HashMap<>(s.env());
            env.put("SEAL_CUDA_CACHE", cache);
            CudaEmulator.ChildRun run = CudaEmulator.runInChildJvm(libs, List.of(GpuCheckCommandTest.class), env);
            String out = run.output();
            String context = "\n--- child JVM (" + s.label() + ", exit " + run.exitCode() + ") ---\n"
                    + (out.length() <= 6000 ? out : "..." + out.substring(out.length() - 6000));
            TreeMap<String, String> status = new TreeMap<>(), expected = new TreeMap<>();
            for (CudaEmulator.ChildResult r : run.results()) {
                // an assumption not met is ABORTED in the child's report: that is this setting's skip
                boolean skipped = r.status().equals("SKIPPED") || r.status().equals("ABORTED");
                status.put(r.name(), r.successful() ? "SUCCESSFUL" : skipped ? "SKIPPED" : r.status() + ": " + r.message());
            }
            for (var m : GpuCheckCommandTest.class.getDeclaredMethods()) {
                if (m.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
                    expected.put("GpuCheckCommandTest." + m.getName(), s.runs().contains(m.getName()) ? "SUCCESSFUL" : "SKIPPED");
                }
            }
            tests.add(DynamicTest.dynamicTest(s.label(), () -> {
                assertFalse(run.results().isEmpty(), "no results" + context);
                assertEquals(expected, status, context);
            }));
        }
        return tests.stream();
    }
}
