package sealjvm.seal.cli;

import picocli.CommandLine.Option;
import sealjvm.tensor.WeightFormat;

/** {@code --weights}: how the inference commands hold the model's weight matrices in memory. */
final class WeightsOption {
    @Option(names = "--weights", defaultValue = "f32", description = "Weight matrices in memory: ${COMPLETION-CANDIDATES}. F32_PACKED "
            + "lays float32 out once as the matmul kernels read it (the same logits, bit for bit; faster prefill; the tied head held "
            + "twice); F16 and BF16 halve their bytes (an F16 file loads exactly as F16); Q8_0 (int8 per 32 weights with a scale, as "
            + "llama.cpp) takes about 0.28 of them, quantized at load. All but F32 are for inference: hook-mode adapters work, merged "
            + "ones are refused (default: ${DEFAULT-VALUE}).")
    WeightFormat format;
}
