package sealjvm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A row-major (rows, cols) matrix of 16-bit weights (F16 or BF16) living off-heap: the inference-only twin of a
 * 2-D {@link Tensor}. Views ({@link #wrap} of a slice) share memory, so a model's 16-bit weights can be named views
 * into one allocation as its float32 parameters are.
 */
public final class HalfMatrix implements PackedMatrix {
    private final MemorySegment segment;
    private final int rows, cols;
    private final WeightFormat format;

    private HalfMatrix(MemorySegment segment, WeightFormat format, int rows, int cols) {
        if (format != WeightFormat.F16 && format != WeightFormat.BF16) throw new IllegalArgumentException("a HalfMatrix holds F16 or BF16, not " + format);
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + "," + cols + ")");
        if (segment.byteSize() != 2L * rows * cols) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold (" + rows + "," + cols + ") 16-bit values");
        }
        this.segment = segment;
        this.format = format;
        this.rows = rows;
        this.cols = cols;
    }

    /** A zero-filled matrix in {@code arena}, 64-byte aligned. */
    public static HalfMatrix allocate(Arena arena, WeightFormat format, int rows, int cols) {
        return new HalfMatrix(arena.allocate(2L * rows * cols, Tensor.ALIGNMENT), format, rows, cols);
    }

    /** A matrix viewing {@code segment} (exactly 2·rows·cols bytes, little-endian). */
    public static HalfMatrix wrap(MemorySegment segment, WeightFormat format, int rows, int cols) {
        return new HalfMatrix(segment, format, rows, cols);
    }

    /** A new matrix holding {@code src} (rows, cols) rounded to {@code format}. */
    public static HalfMatrix of(Arena arena, WeightFormat format, Tensor src) {
        if (src.rank() != 2) throw new IllegalArgumentException("a HalfMatrix is 2-D, got " + src);
        HalfMatrix m = allocate(arena, format, src.dim(0), src.dim(1));
        m.copyFrom(src);
        return m;
    }

    public MemorySegment segment() { return segment; }
    public WeightFormat format() { return format; }
    public int dim(int i) {
        return switch (i) { case 0, -2 -> rows; case 1, -1 -> cols; default -> throw new IndexOutOfBoundsException("dim " + i + " of a matrix"); };
    }
    public int[] shape() { return new int[] {rows, cols}; }
    public long size() { return (long) rows * cols; }
    public long byteSize() { return segment.byteSize(); }

    /** Element i (flat, row-major) widened to float. */
    public float get(long i) { return format.toFloat(segment.getAtIndex(Convert.U16, i)); }

    /** Element i (flat, row-major) = v rounded to this format. */
    public void set(long i, float v) { segment.setAtIndex(Convert.U16, i, format.fromFloat(v)); }

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
    public String toString() { return "HalfMatrix(" + format + ")[" + rows + ", " + cols + "]"; }
}
