package sealjvm.seal;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import sealjvm.bindings.CudaEmulator;
import sealjvm.testsupport.Repo;

/**
 * The gpu-tagged {@link GpuChecksTest} (fixture logits vs PyTorch, merged edits bit-exact, adapters = merged,
 * allocator, AdamW, a SEAL run with the model on the device) in a child JVM on the CPU emulator of the CUDA driver.
 */
class EmulatedGpuChecksTest {
    @TestFactory
    Stream<DynamicTest> gpuChecksOnTheEmulator() throws Exception {
        return CudaEmulator.testsOnEmulator(List.of(Repo.path("tensor/cuda/src/main/resources/sealjvm/tensor/cuda/kernels.cu")),
                List.of(GpuChecksTest.class), Path.of("target"));
    }
}
