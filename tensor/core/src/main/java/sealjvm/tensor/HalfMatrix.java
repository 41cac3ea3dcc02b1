package sealjvm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A (rows, cols) matrix of 16-bit weights (F16 or BF16) living off-heap: the inference-only twin of a 2-D
 * {@link Tensor}. Views ({@link #wrap} of a slice) share memory, so a model's 16-bit weights can be named views into
 * one allocation as its float32 parameters are. Its elements are addressed row-major (element i is row i / cols,
 * column i % cols) whatever the {@link Layout} they are stored in.
 */
public final class HalfMatrix implements PackedMatrix {
    /** How the weights sit in memory; either takes exactly 2·rows·cols bytes. */
    public enum Layout {
        /** Row-major: what y = x·Wᵀ with W (N,K) reads (each output a dot product along a row), and a file's order. */
        ROWS,
        /**
         * Column strips of {@code Matmul.NV} columns, each strip row-major ([k][NV], the last strip as wide as the
         * columns left): what y = x·W with W (K,N) reads. The decode kernels then stream each strip front to back
         * where row-major weights gave them NV·2 bytes of a row and a jump to the next row (a pattern that held the
         * F16/BF16 decode step near the float32 one).
         */
        STRIPS
    }

    private final MemorySegment segment;
    private final int rows, cols;
    private final WeightFormat format;
    private final Layout layout;

    private HalfMatrix(MemorySegment segment, WeightFormat format, Layout layout, int rows, int cols) {
        if (format != WeightFormat.F16 && format != WeightFormat.BF16) throw new IllegalArgumentException("a HalfMatrix holds F16 or BF16, not " + format);
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + "," + cols + ")");
        if (segment.byteSize() != 2L * rows * cols) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold (" + rows + "," + cols + ") 16-bit values");
        }
        this.segment = segment;
        this.format = format;
        this.layout = layout;
        this.rows = rows;
        this.cols = cols;
    }

    /** A zero-filled row-major matrix in {@code arena}, 64-byte aligned. */
    public static HalfMatrix allocate(Arena arena, WeightFormat format, int rows, int cols) {
        return allocate(arena, format, Layout.ROWS, rows, cols);
    }

    /** A zero-filled matrix stored as {@code layout} in {@code arena}, 64-byte aligned. */
    public static HalfMatrix allocate(Arena arena, WeightFormat format, Layout layout, int rows, int cols) {
        return new HalfMatrix(arena.allocate(2L * rows * cols, Tensor.ALIGNMENT), format, layout, rows, cols);
    }

    /** A matrix viewing {@code segment} (exactly 2·rows·cols bytes, little-endian) as {@code layout}. */
    public static HalfMatrix wrap(MemorySegment segment, WeightFormat format, Layout layout, int rows, int cols) {
        return new HalfMatrix(segment, format, layout, rows, cols);
    }

    /** A new row-major matrix holding {@code src} (rows, cols) rounded to {@code format}. */
    public static HalfMatrix of(Arena arena, WeightFormat format, Tensor src) {
        return of(arena, format, Layout.ROWS, src);
    }

    /** A new matrix stored as {@code layout} holding {@code src} (rows, cols) rounded to {@code format}. */
    public static HalfMatrix of(Arena arena, WeightFormat format, Layout layout, Tensor src) {
        if (src.rank() != 2) throw new IllegalArgumentException("a HalfMatrix is 2-D, got " + src);
        HalfMatrix m = allocate(arena, format, layout, src.dim(0), src.dim(1));
        m.copyFrom(src);
        return m;
    }

    public MemorySegment segment() { return segment; }
    public WeightFormat format() { return format; }
    public Layout layout() { return layout; }

    /**
     * Where element (k, n) sits in {@link #segment}, in 16-bit units. Under STRIPS the columns of one strip are
     * contiguous within each of its rows, so a run of columns that stays inside a strip can be read as one vector.
     */
    public long index(int k, int n) {
        if (layout == Layout.ROWS) return (long) k * cols + n;
        int s = n / Matmul.NV, j = s * Matmul.NV;
        return (long) j * rows + (long) k * Math.min(Matmul.NV, cols - j) + (n - j);
    }
    public int dim(int i) {
        return switch (i) { case 0, -2 -> rows; case 1, -1 -> cols; default -> throw new IndexOutOfBoundsException("dim " + i + " of a matrix"); };
    }
    public int[] shape() { return new int[] {rows, cols}; }
    public long size() { return (long) rows * cols; }
    public long byteSize() { return segment.byteSize(); }

    /** Element i (flat, row-major) widened to float. */
    public float get(long i) { return format.toFloat(segment.getAtIndex(Convert.U16, at(i))); }

    /** Element i (flat, row-major) = v rounded to this format. */
    public void set(long i, float v) { segment.setAtIndex(Convert.U16, at(i), format.fromFloat(v)); }

    private long at(long i) { return layout == Layout.ROWS ? i : index((int) (i / cols), (int) (i % cols)); }

    /** Overwrites this matrix with {@code src} (same number of elements) rounded to this format. */
    public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("copy of " + src.size() + " elements into " + this);
        for (long i = 0; i < size(); i++) set(i, src.get(i));
    }

    /** Every element widened into {@code dst} (same number of elements). */
    public void widenInto(Tensor dst) {
        if (dst.size() != size()) throw new IllegalArgumentException("widening " + this + " into " + dst);
        for (long i = 0; i < size(); i++) dst.set(i, get(i));
    }

    @Override
    public String toString() { return "HalfMatrix(" + format + (layout == Layout.ROWS ? "" : ", " + layout) + ")[" + rows + ", " + cols + "]"; }
}
