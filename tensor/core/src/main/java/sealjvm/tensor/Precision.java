package sealjvm.tensor;

/**
 * How a GPU backend computes its float32 GEMMs. Data stays float32 in every mode; only the GEMM's internal
 * arithmetic changes, as with {@code torch.backends.cuda.matmul.allow_tf32} / autocast. The CPU computes in FP32 only.
 */
public enum Precision {
    /** Exact IEEE float32 (no tensor-core down-conversion). The default. */
    FP32,
    /** Inputs rounded to TF32 (10-bit mantissa) on tensor cores, float32 accumulation. */
    TF32,
    /** Inputs rounded to bfloat16 on tensor cores, float32 accumulation and output. */
    BF16;

    /** Parses {@code fp32|tf32|bf16} (any case), naming the bad value otherwise. */
    public static Precision parse(String s) {
        for (Precision p : values()) if (p.name().equalsIgnoreCase(s)) return p;
        throw new IllegalArgumentException("precision must be fp32, tf32 or bf16, got '" + s + "'");
    }
}
