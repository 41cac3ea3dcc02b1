package sealjvm.seal.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.seal.diagnostics.GpuChecks;
import sealjvm.tensor.Precision;
import sealjvm.tensor.cuda.CudaDevice;

/**
 * {@code seal gpu-check}: the GPU acceptance checks (the gpu-tagged tests' content). Every check runs and is reported
 * separately, one JSON line each (check, ok, message, figure, seconds), also after an earlier one failed or threw;
 * the last line sums up; exit 1 if any failed.
 */
@Command(name = "gpu-check", mixinStandardHelpOptions = true,
        description = {"Check the CUDA backend against PyTorch's fixture logits and the CPU engine: environment (driver, stub library,",
                "NVRTC vs driver version, cuBLAS), opening the device, logits (prefill and decode), merged apply/revert bit-exactness,",
                "batched adapters = merged, allocator leak over N cycles, AdamW kernel.",
                "Runs every check even after a failure; prints one JSON line per check and exits 1 if any failed."})
final class GpuCheckCommand implements Callable<Integer> {
    @Option(names = "--fixtures", description = "Folder of fixture models (default: weights/fixtures/models of the data home).")
    Path fixtures;
    @Option(names = "--cycles", defaultValue = "10000", description = "Apply/revert cycles of the leak check (default: ${DEFAULT-VALUE}).")
    int cycles;

    @Override
    public Integer call() {
        Path dir = fixtures != null ? fixtures : SealCli.home().resolve("weights/fixtures/models");
        List<String> failed = new ArrayList<>();
        int[] count = {0};
        boolean ok = GpuChecks.run(dir, cycles, () -> CudaDevice.open(0, Precision.FP32), r -> {
            count[0]++;
            if (!r.get("ok").booleanValue()) failed.add(r.get("check").asText());
            System.out.println(r);
            System.out.flush();
        });
        System.out.println("{\"gpu_check\":\"" + (ok ? "passed" : "FAILED") + "\",\"checks\":" + count[0] + ",\"failed\":" + failed.size()
                + ",\"failed_checks\":[" + String.join(",", failed.stream().map(f -> "\"" + f + "\"").toList()) + "]}");
        return ok ? 0 : 1;
    }
}
