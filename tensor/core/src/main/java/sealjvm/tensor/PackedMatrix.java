package sealjvm.tensor;

/**
 * A weight matrix held for inference in a layout of its own: {@link PanelMatrix} (float32 in the kernels' panels),
 * {@link HalfMatrix} (F16, BF16) or {@link Q8Matrix} (Q8_0). {@link PackedMatmul} runs the products on any of them;
 * the model code need not know which.
 */
public sealed interface PackedMatrix permits PanelMatrix, HalfMatrix, Q8Matrix {
    WeightFormat format();
    int dim(int i);
    int[] shape();
    /** Number of weights. */
    long size();
    /** Bytes held, scales included. */
    long byteSize();
    /** Element i (flat, row-major) as the float the kernels use. */
    float get(long i);
    /** Overwrites this matrix with {@code src} (same number of elements), rounded or quantized to this format. */
    void copyFrom(Tensor src);
    /** Every element as the float the kernels use, into {@code dst} (same number of elements). */
    void widenInto(Tensor dst);
}
