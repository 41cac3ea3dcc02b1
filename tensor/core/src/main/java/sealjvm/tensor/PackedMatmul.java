package sealjvm.tensor;

/**
 * {@link Matmul}'s products on a {@link PackedMatrix} weight, whichever kind it is: {@link Matmul}'s own kernels on
 * prepacked panels for F32_PACKED, {@link HalfMatmul} for F16/BF16, {@link Q8Matmul} for Q8_0. Each is bit-identical
 * to {@link Matmul} on the widened (dequantized) weights.
 */
public final class PackedMatmul {
    private PackedMatmul() {}

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public static void matmul(Tensor out, Tensor inp, PackedMatrix w, Tensor bias) {
        switch (w) {
            case PanelMatrix p -> p.gemm(out, inp, bias, Matmul.NONE);
            case HalfMatrix h -> HalfMatmul.matmul(out, inp, h, bias);
            case Q8Matrix q -> Q8Matmul.matmul(out, inp, q, bias);
        }
    }

    /** out (M,N) = gelu(inp (M,K) · w (K,N) + bias (N)). */
    public static void matmulGelu(Tensor out, Tensor inp, PackedMatrix w, Tensor bias) {
        switch (w) {
            case PanelMatrix p -> p.gemm(out, inp, bias, Matmul.GELU);
            case HalfMatrix h -> HalfMatmul.matmulGelu(out, inp, h, bias);
            case Q8Matrix q -> Q8Matmul.matmulGelu(out, inp, q, bias);
        }
    }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N); out must not alias inp. */
    public static void matmulResidual(Tensor out, Tensor inp, PackedMatrix w, Tensor bias) {
        switch (w) {
            case PanelMatrix p -> p.gemm(out, inp, bias, Matmul.RESIDUAL);
            case HalfMatrix h -> HalfMatmul.matmulResidual(out, inp, h, bias);
            case Q8Matrix q -> Q8Matmul.matmulResidual(out, inp, q, bias);
        }
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null. */
    public static void matmulTransposed(Tensor out, Tensor inp, PackedMatrix w, Tensor bias) {
        switch (w) {
            case PanelMatrix p -> p.gemmTransposed(out, inp, bias);
            case HalfMatrix h -> HalfMatmul.matmulTransposed(out, inp, h, bias);
            case Q8Matrix q -> Q8Matmul.matmulTransposed(out, inp, q, bias);
        }
    }
}
