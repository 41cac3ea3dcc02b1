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
     */
    @Override public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("copy of " + src.size() + " elements into " + this);
        MemorySegment s = src.segment();
        boolean down = blocks == Blocks.DOWN_COLUMNS;
        int lines = down ? cols : rows, k = down ? rows : cols;
        // element (line, kk) of the source: down a column for DOWN_COLUMNS, along a row for ALONG_ROWS
        for (int line = 0; line < lines; line++) {
            for (int k0 = 0; k0 < k; k0 += BLOCK) {
                int k1 = Math.min(k, k0 + BLOCK);
                float amax = 0;
                for (int kk = k0; kk < k1; kk++) amax = Math.max(amax, Math.abs(s.getAtIndex(F32, index(down, line, kk))));
                float d = amax / 127f;
                for (int kk = k0; kk < k1; kk++) {
                    long i = index(down, line, kk);
                    int q = d == 0 ? 0 : Math.max(-127, Math.min(127, Math.round(s.getAtIndex(F32, i) / d)));
                    quants.set(ValueLayout.JAVA_BYTE, i, (byte) q);
                }
                scales.setAtIndex(F32, down ? scaleIndex(k0, line) : scaleIndex(line, k0), d);
            }
        }
    }

    private long index(boolean down, int line, int kk) { return down ? (long) kk * cols + line : (long) line * cols + kk; }

    @Override public void widenInto(Tensor dst) {
        if (dst.size() != size()) throw new IllegalArgumentException("dequantizing " + this + " into " + dst);
        for (long i = 0; i < size(); i++) dst.set(i, get(i));
    }

    @Override
    public String toString() { return "Q8Matrix(" + blocks + ")[" + rows + ", " + cols + "]"; }
}
