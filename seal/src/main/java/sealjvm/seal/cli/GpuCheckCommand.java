package sealjvm.seal.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.seal.GpuChecks;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.tensor.cuda.Precision;

/** {@code seal gpu-check}: the GPU acceptance checks (the gpu-tagged tests' content), one JSON line each. */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = {"Check the CUDA backend against PyTorch's fixture logits and the CPU engine: logits (prefill and decode),",
                "merged apply/revert bit-exactness, batched adapters = merged, allocator leak over N cycles, AdamW kernel.",
                "Prints one JSON line per check and exits 1 if any fails."})
final class GpuCheckCommand implements Callable<Integer> {
    @Option(names = "--fixtures", description = "Folder of fixture models (default: weights/fixtures/models of the data home).")
    Path fixtures;
    @Option(names = "--cycles", defaultValue = "10000", description = "Apply/revert cycles of the leak check (default: ${DEFAULT-VALUE}).")
    int cycles;

    @Override
    public Integer call() throws Exception {
        Path dir = fixtures != null ? fixtures : SealCli.home().resolve("weights/fixtures/models");
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no fixture models there (the bundle leaves them out): pass --fixtures "
                    + "<checkout>/weights/fixtures/models or set SEAL_DATA_HOME=<checkout>");
        }
        boolean ok = true;
        try (CudaDevice dev = CudaDevice.open(0, Precision.FP32)) {
            System.out.println("{\"device\":\"" + dev.describe().replace("\"", "'") + "\",\"kernels\":\"" + dev.kernelSource().replace("\"", "'") + "\"}");
            for (var r : GpuChecks.all(dev, dir, cycles)) {
                System.out.println(r);
                ok &= r.get("ok").booleanValue();
            }
        }
        System.out.println("{\"gpu_check\":\"" + (ok ? "passed" : "FAILED") + "\"}");
        return ok ? 0 : 1;
    }
}
