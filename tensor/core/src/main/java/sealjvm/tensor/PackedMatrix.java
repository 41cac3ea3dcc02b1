package sealjvm.tensor;

import java.lang.foreign.Arena;

/**
 * A weight matrix held for inference in a layout of its own: {@link PanelMatrix} (float32 in the kernels' panels),
 * {@link HalfMatrix} (F16, BF16) or {@link Q8Matrix} (Q8_0). {@link PackedMatmul} runs the products on any of them;
 * the model code need not know which.
 */
public sealed interface PackedMatrix permits PanelMatrix, HalfMatrix, Q8Matrix {
    /**
     * A zero (rows, cols) matrix held as {@code format} (any but F32) in {@code arena}, laid out for the product that
     * will read it: {@code transposed} for y = x·Wᵀ with W (N,K) (the tied head), else y = x·W with W (K,N).
     */
    static PackedMatrix allocate(Arena arena, int rows, int cols, WeightFormat format, boolean transposed) {
        return switch (format) {
            case F32 -> throw new IllegalArgumentException("F32 weights are a Tensor, not a PackedMatrix");
            case F32_PACKED -> PanelMatrix.allocate(arena, rows, cols, transposed ? PanelMatrix.Product.TRANSPOSED : PanelMatrix.Product.PLAIN);
            case F16, BF16 -> HalfMatrix.allocate(arena, format, transposed ? HalfMatrix.Layout.ROWS : HalfMatrix.Layout.STRIPS, rows, cols);
            case Q8_0 -> Q8Matrix.allocate(arena, rows, cols, transposed ? Q8Matrix.Blocks.ALONG_ROWS : Q8Matrix.Blocks.DOWN_COLUMNS);
        };
    }

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
