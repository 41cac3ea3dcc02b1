package sealjvm.seal.cli;

import java.util.List;
import picocli.CommandLine.Option;
import sealjvm.tensor.Placement;

/** {@code --device} and {@code --precision}: where the model runs, and the GEMM precision on a GPU. */
final class PlacementOption {
    @Option(names = "--device", defaultValue = "cpu", completionCandidates = Devices.class,
            description = "Where the model runs: cpu | cuda (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--precision", defaultValue = "fp32", completionCandidates = Precisions.class,
            description = "cuda GEMMs: fp32 (exact) | tf32 | bf16 (default: ${DEFAULT-VALUE}).")
    String precision;

    /** The device and precision given, checked (an unknown name, or a reduced precision on the CPU, is refused). */
    Placement placement() { return Placement.parse(device, precision); }

    static final class Devices extends java.util.ArrayList<String> {
        Devices() { super(List.of("cpu", "cuda")); }
    }

    static final class Precisions extends java.util.ArrayList<String> {
        Precisions() { super(List.of("fp32", "tf32", "bf16")); }
    }
}
