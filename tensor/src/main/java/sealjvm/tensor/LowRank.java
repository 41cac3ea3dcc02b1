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
        Parallel.forChunks(in, 32, (i0, i1) -> {
            float[] coef = new float[r];
            for (int i = i0; i < i1; i++) {
                long row = i * rowBytes;
                if (snap != null) MemorySegment.copy(ws, row, snap, row, rowBytes);
                for (int k = 0; k < r; k++) coef[k] = s * as.getAtIndex(F32, (long) i * r + k);
                int j = 0;
                for (; j + L <= out; j += L) {
                    FloatVector acc = FloatVector.fromMemorySegment(S, ws, row + 4L * j, LE);
                    for (int k = 0; k < r; k++) {
                        acc = FloatVector.fromMemorySegment(S, bs, ((long) k * out + j) * 4, LE).fma(FloatVector.broadcast(S, coef[k]), acc);
                    }
                    acc.intoMemorySegment(ws, row + 4L * j, LE);
                }
                for (; j < out; j++) {
                    float acc = ws.getAtIndex(F32, (long) i * out + j);
                    for (int k = 0; k < r; k++) acc = Math.fma(bs.getAtIndex(F32, (long) k * out + j), coef[k], acc);
                    ws.setAtIndex(F32, (long) i * out + j, acc);
                }
            }
        });
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
