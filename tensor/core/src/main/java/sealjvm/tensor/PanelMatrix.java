package sealjvm.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A float32 weight matrix packed once into the panels {@link Matmul}'s batched path reads ({@link WeightFormat#F32_PACKED}),
 * so that no product packs it again: the same floats, the same fma chains, the same bits as {@link Matmul} on the
 * plain matrix (as ONNX Runtime prepacks its weights at session start). For inference: it is packed by
 * {@link #copyFrom}, and nothing else writes it.
 *
 * <p>How it is packed depends on the product it serves ({@link Product}): a (K,N) linear weight is held as panels only
 * (every NR-column strip [K][NR], the last zero-padded); an (N,K) weight multiplied transposed (the tied LM head,
 * wte) keeps its rows as well, which the token embedding, the decode path's dot products and the last N % NR
 * columns read, so it takes twice the bytes.
 */
public final class PanelMatrix implements PackedMatrix {
    /** The product a matrix is packed for. */
    public enum Product {
        /** (K,N), y = x·W ({@link Matmul#matmul}). */
        PLAIN,
        /** (N,K), y = x·Wᵀ ({@link Matmul#matmulTransposed}). */
        TRANSPOSED
    }

    private final int rows, cols;
    private final Product product;
    private final Tensor plainRows;      // TRANSPOSED: the (N,K) rows; PLAIN: null
    private final MemorySegment panels;  // PLAIN: Matmul.packPanels' layout, 64-byte aligned off the heap (a float[]'s
                                         // vector loads straddle cache lines, which halved the decode path's speed)
    private Matmul.Packed packed;        // TRANSPOSED: Matmul.packTransposed of plainRows

    private PanelMatrix(int rows, int cols, Product product, Tensor plainRows, MemorySegment panels) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + "," + cols + ")");
        this.rows = rows;
        this.cols = cols;
        this.product = product;
        this.plainRows = plainRows;
        this.panels = panels;
        if (product == Product.TRANSPOSED) packed = Matmul.packTransposed(plainRows);
    }

    /** A zero (rows, cols) matrix packed for {@code product}; a TRANSPOSED one keeps its rows in {@code arena}. */
    public static PanelMatrix allocate(Arena arena, int rows, int cols, Product product) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative shape (" + rows + "," + cols + ")");
        return product == Product.TRANSPOSED ? new PanelMatrix(rows, cols, product, Tensor.allocate(arena, rows, cols), null)
                : new PanelMatrix(rows, cols, product, null, arena.allocate(4L * ((cols + Matmul.NR - 1) / Matmul.NR) * Matmul.NR * rows, Tensor.ALIGNMENT));
    }

    public Product product() { return product; }
    @Override public WeightFormat format() { return WeightFormat.F32_PACKED; }
    @Override public int dim(int i) {
        return switch (i) { case 0, -2 -> rows; case 1, -1 -> cols; default -> throw new IndexOutOfBoundsException("dim " + i + " of a matrix"); };
    }
    @Override public int[] shape() { return new int[] {rows, cols}; }
    @Override public long size() { return (long) rows * cols; }
    @Override public long byteSize() {
        return product == Product.PLAIN ? panels.byteSize() : plainRows.byteSize() + 4L * packed.panels.length;
    }

    @Override public float get(long i) {
        if (product == Product.TRANSPOSED) return plainRows.get(i);
        int k = (int) (i / cols), n = (int) (i % cols);
        return panels.getAtIndex(Tensor.F32, ((long) n / Matmul.NR * rows + k) * Matmul.NR + n % Matmul.NR);
    }

    /** Packs {@code src} (same number of elements, row-major). */
    @Override public void copyFrom(Tensor src) {
        if (src.size() != size()) throw new IllegalArgumentException("copy of " + src.size() + " elements into " + this);
        if (product == Product.PLAIN) {
            Matmul.packPanels(src.segment(), rows, cols, panels);
        } else {
            plainRows.copyFrom(src);
            packed = Matmul.packTransposed(plainRows);
        }
    }

    @Override public void widenInto(Tensor dst) {
        if (dst.size() != size()) throw new IllegalArgumentException("widening " + this + " into " + dst.size() + " elements");
        if (product == Product.TRANSPOSED) {
            dst.copyFrom(plainRows);
            return;
        }
        for (int k = 0; k < rows; k++) {
            for (int j = 0; j < cols; j += Matmul.NR) {
                int width = Math.min(Matmul.NR, cols - j);
                MemorySegment.copy(panels, ((long) j / Matmul.NR * rows + k) * Matmul.NR * 4, dst.segment(), ((long) k * cols + j) * 4, 4L * width);
            }
        }
    }

    /** out (M,N) = inp (M,K) · this (K,N) + bias (N), with {@code epi} one of Matmul's epilogues; PLAIN only. */
    void gemm(Tensor out, Tensor inp, Tensor bias, int epi) {
        if (product != Product.PLAIN) throw new IllegalArgumentException("matmul needs a (K,N) PanelMatrix packed PLAIN, got " + this);
        Matmul.gemmPanels(out, inp, panels, rows, cols, bias, epi);
    }

    /** out (M,N) = inp (M,K) · this (N,K)ᵀ + bias (N); TRANSPOSED only. */
    void gemmTransposed(Tensor out, Tensor inp, Tensor bias) {
        if (product != Product.TRANSPOSED) throw new IllegalArgumentException("matmulTransposed needs an (N,K) PanelMatrix packed TRANSPOSED, got " + this);
        Matmul.matmulTransposed(out, inp, packed, bias);
    }

    @Override public String toString() { return "PanelMatrix(" + product + ")[" + rows + ", " + cols + "]"; }
}
