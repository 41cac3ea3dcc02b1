package sealjvm.seal.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Precision;

/** {@code --device} and {@code --precision}: where the model runs, and the GEMM precision on a GPU. */
final class PlacementOption {
    @Option(names = "--device", defaultValue = "cpu",
            description = "Where the model runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Device device;

    @Option(names = "--precision", defaultValue = "fp32", completionCandidates = Precisions.class,
            description = "cuda GEMMs: ${COMPLETION-CANDIDATES}; fp32 is exact (default: ${DEFAULT-VALUE}).")
    Precision precision;

    /** The device and precision given, checked (a reduced precision on the CPU is refused). */
    Placement placement() { return new Placement(device, precision); }

    /** The precisions as spelled on the command line (the enum's own names are upper case). */
    static final class Precisions extends java.util.ArrayList<String> {
        Precisions() { super(Arrays.stream(Precision.values()).map(p -> p.name().toLowerCase(Locale.ROOT)).toList()); }
    }
}
