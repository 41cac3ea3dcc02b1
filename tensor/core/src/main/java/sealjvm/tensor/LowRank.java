package sealjvm.tensor;

import static sealjvm.tensor.Matmul.L;
import static sealjvm.tensor.Matmul.LE;
import static sealjvm.tensor.Matmul.S;
import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Low-rank weight updates W += s·A·B, applied in one pass that also snapshots W for an exact revert. */
public final class LowRank {
    private LowRank() {}

    /**
     * W (in,out) += s · A (in,r) · B (r,out), and, in the same pass, snapshot (in,out) = W as it was.
     * Row i is copied to the snapshot while it is in cache, then rewritten as
     * w_ij = fma(s·a_i(r-1), b_(r-1)j, … fma(s·a_i0, b_0j, w_ij)) — a fixed order, so results are reproducible.
     * snapshot may be null (no revert wanted).
     */
    public static void applyWithSnapshot(Tensor w, Tensor a, Tensor b, float s, Tensor snapshot) {
        int in = w.dim(0), out = w.dim(1), r = a.dim(1);
        if (a.dim(0) != in || b.dim(0) != r || b.dim(1) != out || (snapshot != null && snapshot.size() != w.size())) {
            throw new IllegalArgumentException("low-rank update shapes: W " + w + " A " + a + " B " + b + " snapshot " + snapshot);
        }
        MemorySegment ws = w.segment(), as = a.segment(), bs = b.segment(), snap = snapshot == null ? null : snapshot.segment();
        long rowBytes = 4L * out;
        Parallel.forChunks(in, 32, (i0, i1) -> applyRows(ws, as, bs, snap, s, r, out, i0, i1));
    }

    /** Columns per block: r rows of B × JB floats stay in L1 while the block of every row is updated. */
    private static final int JB = 512;

    // Rows i0..i1 of W, in column blocks: snapshot the block of the row, then update it four rank components
    // per sweep. Every element: w = fma(b_0j, s·a_i0, w), then k = 1, 2, … in order — whatever the rank or tail.
    private static void applyRows(MemorySegment ws, MemorySegment as, MemorySegment bs, MemorySegment snap, float s, int r, int out,
                                  int i0, int i1) {
        long rowBytes = 4L * out;
        for (int jb = 0; jb < out; jb += JB) {
            int je = Math.min(out, jb + JB), jv = jb + (je - jb) / L * L;
            for (int i = i0; i < i1; i++) {
                long row = i * rowBytes;
                // The first sweep also writes the snapshot: each W vector is stored there as it is loaded.
                int k = 0;
                for (; k + 4 <= r; k += 4) {   // one load and one store of W per four fmas
                    long ai = (long) i * r + k;
                    float c0 = s * as.getAtIndex(F32, ai), c1 = s * as.getAtIndex(F32, ai + 1);
                    float c2 = s * as.getAtIndex(F32, ai + 2), c3 = s * as.getAtIndex(F32, ai + 3);
                    FloatVector v0 = FloatVector.broadcast(S, c0), v1 = FloatVector.broadcast(S, c1);
                    FloatVector v2 = FloatVector.broadcast(S, c2), v3 = FloatVector.broadcast(S, c3);
                    long b0 = (long) k * out * 4, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
                    boolean first = k == 0 && snap != null;
                    for (int j = jb; j < jv; j += L) {
                        long wo = row + 4L * j, jo = 4L * j;
                        FloatVector acc = FloatVector.fromMemorySegment(S, ws, wo, LE);
                        if (first) acc.intoMemorySegment(snap, wo, LE);
                        acc = FloatVector.fromMemorySegment(S, bs, b0 + jo, LE).fma(v0, acc);
                        acc = FloatVector.fromMemorySegment(S, bs, b1 + jo, LE).fma(v1, acc);
                        acc = FloatVector.fromMemorySegment(S, bs, b2 + jo, LE).fma(v2, acc);
                        acc = FloatVector.fromMemorySegment(S, bs, b3 + jo, LE).fma(v3, acc);
                        acc.intoMemorySegment(ws, wo, LE);
                    }
                    for (int j = jv; j < je; j++) {
                        long e = (long) i * out + j;
                        float w = ws.getAtIndex(F32, e);
                        if (first) snap.setAtIndex(F32, e, w);
                        w = Math.fma(bs.getAtIndex(F32, (long) k * out + j), c0, w);
                        w = Math.fma(bs.getAtIndex(F32, (long) (k + 1) * out + j), c1, w);
                        w = Math.fma(bs.getAtIndex(F32, (long) (k + 2) * out + j), c2, w);
                        w = Math.fma(bs.getAtIndex(F32, (long) (k + 3) * out + j), c3, w);
                        ws.setAtIndex(F32, e, w);
                    }
                }
                for (; k < r; k++) {
                    float c = s * as.getAtIndex(F32, (long) i * r + k);
                    FloatVector cv = FloatVector.broadcast(S, c);
                    long bRow = (long) k * out * 4;
                    boolean first = k == 0 && snap != null;
                    for (int j = jb; j < jv; j += L) {
                        long wo = row + 4L * j;
                        FloatVector w = FloatVector.fromMemorySegment(S, ws, wo, LE);
                        if (first) w.intoMemorySegment(snap, wo, LE);
                        FloatVector.fromMemorySegment(S, bs, bRow + 4L * j, LE).fma(cv, w).intoMemorySegment(ws, wo, LE);
                    }
                    for (int j = jv; j < je; j++) {
                        long e = (long) i * out + j;
                        float w = ws.getAtIndex(F32, e);
                        if (first) snap.setAtIndex(F32, e, w);
                        ws.setAtIndex(F32, e, Math.fma(bs.getAtIndex(F32, (long) k * out + j), c, w));
                    }
                }
            }
        }
    }

    /** dst = src, byte for byte, split over the pool (the revert of {@link #applyWithSnapshot}). */
    public static void copy(Tensor dst, Tensor src) {
        if (dst.size() != src.size()) throw new IllegalArgumentException("copy of " + src + " into " + dst);
        long bytes = dst.byteSize();
        int chunks = (int) Math.max(1, Math.min(Parallel.threads() * 4L, bytes / (256 * 1024)));
        long per = (bytes / chunks + 63) & ~63L;
        MemorySegment d = dst.segment(), s = src.segment();
        Parallel.forEach(chunks, c -> {
            long off = c * per, n = Math.min(per, bytes - off);
            if (n > 0) MemorySegment.copy(s, off, d, off, n);
        });
    }
}
