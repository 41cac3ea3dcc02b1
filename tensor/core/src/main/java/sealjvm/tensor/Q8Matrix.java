package sealjvm.tensor;

import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A row-major (rows, cols) weight matrix in llama.cpp's Q8_0 layout, off-heap, for inference: the weights run in
 * blocks of {@link #BLOCK} along the reduction dimension k, and each block holds 32 int8 q and one float32 scale
 * d = max|x|/127, so a weight is d·q (computed as a float32 product, the value every kernel uses). llama.cpp keeps d
 * in F16; float32 costs 2 bytes per 32 weights more and makes d exact.
 *
 * <p>Where k runs depends on how the matrix is used ({@link Blocks}): down the columns of a (K,N) linear weight,
 * along the rows of an (N,K) weight used transposed (the tied LM head, wte). A ragged last block (k not a multiple
 * of 32) is shorter and has its own scale.
 */
public final class Q8Matrix implements PackedMatrix {
    /** Weights per block (sharing one scale), as llama.cpp's QK8_0. */
    public static final int BLOCK = 32;

    /** Which way a block of {@link #BLOCK} runs: along k, whichever dimension that is. */
    public enum Blocks {
        /** (K,N), y = x·W: a block is 32 consecutive rows of one column; scales (ceil(K/32), N). */
        DOWN_COLUMNS,
        /** (N,K), y = x·Wᵀ: a block is 32 consecutive elements of one row; scales (N, ceil(K/32)). */
        ALONG_ROWS
    }

    private final MemorySegment quants;   // rows·cols int8, row-major
    private final MemorySegment scales;   // float32, laid out as Blocks says
    private final int rows, cols;
    private final Blocks blocks;

    private Q8Matrix(MemorySegment quants, MemorySegment scales, int rows, int cols, Blocks blocks) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + "," + cols + ")");
        this.quants = quants;
        this.scales = scales;
        this.rows = rows;
        this.cols = cols;
        this.blocks = blocks;
    }

    /** Number of scales a (rows, cols) matrix blocked as {@code blocks} holds. */
    public static long scaleCount(int rows, int cols, Blocks blocks) {
        return blocks == Blocks.DOWN_COLUMNS ? (long) blocksOf(rows) * cols : (long) rows * blocksOf(cols);
    }

    private static int blocksOf(int k) { return (k + BLOCK - 1) / BLOCK; }

    /** A zero matrix in {@code arena}: int8s then scales, each 64-byte aligned. */
    public static Q8Matrix allocate(Arena arena, int rows, int cols, Blocks blocks) {
        long n = (long) rows * cols;
        MemorySegment q = arena.allocate(Math.max(1, n), Tensor.ALIGNMENT).asSlice(0, n);
        MemorySegment s = arena.allocate(Math.max(4, 4 * scaleCount(rows, cols, blocks)), Tensor.ALIGNMENT).asSlice(0, 4 * scaleCount(rows, cols, blocks));
        return new Q8Matrix(q, s, rows, cols, blocks);
    }

    /** A new matrix holding {@code src} (rows, cols) quantized. */
    public static Q8Matrix of(Arena arena, Tensor src, Blocks blocks) {
        if (src.rank() != 2) throw new IllegalArgumentException("a Q8Matrix is 2-D, got " + src);
        Q8Matrix m = allocate(arena, src.dim(0), src.dim(1), blocks);
        m.copyFrom(src);
        return m;
    }

    public MemorySegment quants() { return quants; }
    public MemorySegment scales() { return scales; }
    public Blocks blocks() { return blocks; }
    @Override public WeightFormat format() { return WeightFormat.Q8_0; }
    @Override public int dim(int i) {
        return switch (i) { case 0, -2 -> rows; case 1, -1 -> cols; default -> throw new IndexOutOfBoundsException("dim " + i + " of a matrix"); };
    }
    @Override public int[] shape() { return new int[] {rows, cols}; }
    @Override public long size() { return (long) rows * cols; }
    @Override public long byteSize() { return quants.byteSize() + scales.byteSize(); }

    /** Index into {@link #scales} of the block holding element (r, c). */
    long scaleIndex(int r, int c) {
        return blocks == Blocks.DOWN_COLUMNS ? (long) (r / BLOCK) * cols + c : (long) r * blocksOf(cols) + c / BLOCK;
    }

    /** The int8 of element i (flat, row-major). */
    public byte quant(long i) { return quants.get(ValueLayout.JAVA_BYTE, i); }

    /** The scale of the block holding element i (flat, row-major). */
    public float scale(long i) { return scales.getAtIndex(F32, scaleIndex((int) (i / cols), (int) (i % cols))); }

    /** Element i dequantized: the float32 product d·q, exactly as the kernels form it. */
    @Override public float get(long i) { return quant(i) * scale(i); }

    /**
     * Quantizes {@code src} (same number of elements, row-major) block by block: d = max|x|/127 (an all-zero block
     * gets d = 0 and q = 0), q = round(x/d), so |x − d·q| ≤ d/2 up to float32 rounding of x/d and d·q.
     * Row by row (32 rows at a time for DOWN_COLUMNS) through heap arrays, so that loading a model's matrices runs
     * plain loops the JIT compiles early, not a segment access per weight.
     */
    @Override public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("copy of " + src.size() + " elements into " + this);
        MemorySegment s = src.segment();
        byte[] q = new byte[cols];
        if (blocks == Blocks.ALONG_ROWS) {
            int nb = blocksOf(cols);
            float[] x = new float[cols], d = new float[nb];
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(s, F32, (long) r * cols * 4, x, 0, cols);
                for (int b = 0; b < nb; b++) {
                    int k0 = b * BLOCK, k1 = Math.min(cols, k0 + BLOCK);
                    float amax = 0;
                    for (int k = k0; k < k1; k++) amax = Math.max(amax, Math.abs(x[k]));
                    d[b] = amax / 127f;
                    for (int k = k0; k < k1; k++) q[k] = quantize(x[k], d[b]);
                }
                MemorySegment.copy(q, 0, quants, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
                MemorySegment.copy(d, 0, scales, F32, (long) r * nb * 4, nb);
            }
        } else {
            // 32 rows at a time: each column's max|x| over them, then each row quantized with its column's scale.
            float[] x = new float[BLOCK * cols], amax = new float[cols], d = new float[cols];
            for (int k0 = 0; k0 < rows; k0 += BLOCK) {
                int n = Math.min(BLOCK, rows - k0);
                MemorySegment.copy(s, F32, (long) k0 * cols * 4, x, 0, n * cols);
                java.util.Arrays.fill(amax, 0f);
                for (int kk = 0; kk < n; kk++) for (int c = 0; c < cols; c++) amax[c] = Math.max(amax[c], Math.abs(x[kk * cols + c]));
                for (int c = 0; c < cols; c++) d[c] = amax[c] / 127f;
                for (int kk = 0; kk < n; kk++) {
                    for (int c = 0; c < cols; c++) q[c] = quantize(x[kk * cols + c], d[c]);
                    MemorySegment.copy(q, 0, quants, ValueLayout.JAVA_BYTE, (long) (k0 + kk) * cols, cols);
                }
                MemorySegment.copy(d, 0, scales, F32, (long) (k0 / BLOCK) * cols * 4, cols);
            }
        }
    }

    // q = round(x/d) within ±127; 0 for an all-zero block (d = 0)
    private static byte quantize(float x, float d) { return (byte) (d == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(x / d)))); }

    /** Every element dequantized (d·q, as {@link #get}) into {@code dst}, row by row. */
    @Override public void widenInto(Tensor dst) {
        if (dst.size() != size()) throw new IllegalArgumentException("dequantizing " + this + " into " + dst);
        MemorySegment o = dst.segment();
        byte[] q = new byte[cols];
        float[] x = new float[cols], d = new float[blocks == Blocks.ALONG_ROWS ? blocksOf(cols) : cols];
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(quants, ValueLayout.JAVA_BYTE, (long) r * cols, q, 0, cols);
            MemorySegment.copy(scales, F32, 4 * scaleIndex(r, 0), d, 0, d.length);
            if (blocks == Blocks.ALONG_ROWS) for (int c = 0; c < cols; c++) x[c] = q[c] * d[c / BLOCK];
            else for (int c = 0; c < cols; c++) x[c] = q[c] * d[c];
            MemorySegment.copy(x, 0, o, F32, (long) r * cols * 4, cols);
        }
    }

    @Override
    public String toString() { return "Q8Matrix(" + blocks + ")[" + rows + ", " + cols + "]"; }
}
