package sealjvm.tensor.cuda;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import sealjvm.bindings.CudaEmulator;

/**
 * Runs the gpu-tagged {@link CudaOpsTest} in a child JVM whose CUDA driver, NVRTC and cuBLAS are the CPU emulator
 * (tools/cuda-emulator) built from our own kernels.cu: the device code path of every op, through the real bindings,
 * on a machine without a GPU. Skips where there is no g++.
 */
class EmulatedCudaOpsTest {
    @TestFactory
    Stream<DynamicTest> deviceOpsOnTheEmulator() throws Exception {
        return CudaEmulator.testsOnEmulator(List.of(Path.of("src/main/resources/sealjvm/tensor/cuda/kernels.cu")),
                List.of(CudaOpsTest.class), Path.of("target"));
    }
}
