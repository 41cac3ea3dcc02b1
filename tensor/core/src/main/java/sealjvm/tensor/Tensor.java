package sealjvm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense, row-major float32 tensor living off-heap in a {@link MemorySegment}.
 *
 * <p>One small abstraction, as in llama3.java: a segment plus a shape. Views ({@link #view},
 * {@link #slice}, {@link #row}) share memory with their parent, so parameters can be named views
 * into one allocation (llm.c style) and no kernel has to copy to see a sub-block.
 * Fresh allocations are 64-byte aligned (one cache line, one AVX-512 register).
 */
public final class Tensor {
    /** Little-endian float, unaligned: views into mmap'd files need not be 4-byte aligned. */
    public static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final long ALIGNMENT = 64;

    private final MemorySegment segment;
    private final int[] shape;
    private final long size;

    private Tensor(MemorySegment segment, int[] shape) {
        long n = numel(shape);
        if (segment.byteSize() != n * Float.BYTES) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold shape "
                    + Arrays.toString(shape) + " (" + n * Float.BYTES + " bytes)");
        }
        this.segment = segment;
        this.shape = shape.clone();
        this.size = n;
    }

    /** A zero-filled tensor allocated in {@code arena}, 64-byte aligned. */
    public static Tensor allocate(Arena arena, int... shape) {
        return new Tensor(arena.allocate(numel(shape) * Float.BYTES, ALIGNMENT), shape);
    }

    /** A tensor viewing {@code segment} (which must be exactly the right size). */
    public static Tensor wrap(MemorySegment segment, int... shape) {
        return new Tensor(segment, shape);
    }

    /** A new tensor holding a copy of {@code data}. */
    public static Tensor of(Arena arena, float[] data, int... shape) {
        Tensor t = allocate(arena, shape);
        MemorySegment.copy(data, 0, t.segment, F32, 0, data.length);
        return t;
    }

    public static long numel(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public MemorySegment segment() { return segment; }
    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }
    public long size() { return size; }
    public long byteSize() { return segment.byteSize(); }

    public float get(long i) { return segment.getAtIndex(F32, i); }
    public void set(long i, float v) { segment.setAtIndex(F32, i, v); }

    /** Same memory, another shape with the same number of elements. */
    public Tensor view(int... newShape) {
        if (numel(newShape) != size) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(newShape));
        }
        return new Tensor(segment, newShape);
    }

    /** Elements [offset, offset + numel(newShape)) as a tensor of {@code newShape}; shares memory. */
    public Tensor slice(long offset, int... newShape) {
        long n = numel(newShape);
        if (offset < 0 || offset + n > size) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + (offset + n) + ") outside tensor of " + size);
        }
        return new Tensor(segment.asSlice(offset * Float.BYTES, n * Float.BYTES), newShape);
    }

    /** Index {@code i} along the first dimension; shares memory. */
    public Tensor row(int i) {
        int[] rest = Arrays.copyOfRange(shape, 1, shape.length);
        long n = numel(rest);
        if (i < 0 || i >= shape[0]) throw new IndexOutOfBoundsException("row " + i + " of " + shape[0]);
        return slice(i * n, rest);
    }

    public float[] toArray() { return segment.toArray(F32); }

    public void copyFrom(Tensor src) {
        if (src.size != size) throw new IllegalArgumentException("copy of " + src.size + " elements into " + size);
        MemorySegment.copy(src.segment, 0, segment, 0, segment.byteSize());
    }

    public void copyFrom(float[] src) {
        if (src.length != size) throw new IllegalArgumentException("copy of " + src.length + " elements into " + size);
        MemorySegment.copy(src, 0, segment, F32, 0, src.length);
    }

    public void fill(float v) {
        if (v == 0f) segment.fill((byte) 0);
        else for (long i = 0; i < size; i++) set(i, v);
    }

    @Override
    public String toString() { return "Tensor" + Arrays.toString(shape); }
}
