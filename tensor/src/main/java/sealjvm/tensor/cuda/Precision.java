package sealjvm.tensor.cuda;

import sealjvm.bindings.cublas_api_h;

/**
 * How cuBLAS computes the float32 GEMMs. Data stays float32 in every mode; only the GEMM's internal
 * arithmetic changes, as with {@code torch.backends.cuda.matmul.allow_tf32} / autocast.
 */
public enum Precision {
    /** Exact IEEE float32 (CUBLAS_COMPUTE_32F, default math: no tensor-core down-conversion). The default. */
    FP32,
    /** Inputs rounded to TF32 (10-bit mantissa) on tensor cores, float32 accumulation. */
    TF32,
    /** Inputs rounded to bfloat16 on tensor cores, float32 accumulation and output. */
    BF16;

    /** The cublasComputeType_t for this mode. */
    public int computeType() {
        return switch (this) {
            case FP32 -> cublas_api_h.CUBLAS_COMPUTE_32F();
            case TF32 -> cublas_api_h.CUBLAS_COMPUTE_32F_FAST_TF32();
            case BF16 -> cublas_api_h.CUBLAS_COMPUTE_32F_FAST_16BF();
        };
    }

    /** Parses {@code fp32|tf32|bf16} (any case), naming the bad value otherwise. */
    public static Precision parse(String s) {
        for (Precision p : values()) if (p.name().equalsIgnoreCase(s)) return p;
        throw new IllegalArgumentException("precision must be fp32, tf32 or bf16, got '" + s + "'");
    }
}
