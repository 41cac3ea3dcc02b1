package sealjvm.seal.edit;

import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.LinearHook;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Tensor;

/**
 * ADAPTER edits: the weights stay untouched and the forward adds s·(x·A)·B after each targeted linear.
 * Batched: sequence b of the batch uses edit {@code editOfRow[b]} (-1 for none), so K different edits
 * are evaluated in one forward. Applying or reverting is choosing which hook to pass: O(1).
 */
public final class BatchedAdapters implements LinearHook {
    private final List<Edit> edits;
    private final int[] editOfRow;
    /** weight name -> delta per edit index (null where that edit leaves the weight alone). */
    private final Map<String, LowRankDelta[]> byWeight = new HashMap<>();

    public BatchedAdapters(List<Edit> edits, int[] editOfRow) {
        this.edits = List.copyOf(edits);
        this.editOfRow = editOfRow.clone();
        for (int e : editOfRow) {
            if (e < -1 || e >= edits.size()) throw new IllegalArgumentException("row edit index " + e + " outside [-1, " + edits.size() + ")");
        }
        for (int k = 0; k < edits.size(); k++) {
            for (LowRankDelta d : edits.get(k).deltas()) {
                byWeight.computeIfAbsent(d.target().weightName(), n -> new LowRankDelta[this.edits.size()])[k] = d;
            }
        }
    }

    /** Every sequence of a batch of {@code rowsPerEdit · edits.size()} uses edit ⌊b / rowsPerEdit⌋. */
    public static BatchedAdapters blocks(List<Edit> edits, int rowsPerEdit) {
        int[] rows = new int[edits.size() * rowsPerEdit];
        for (int b = 0; b < rows.length; b++) rows[b] = b / rowsPerEdit;
        return new BatchedAdapters(edits, rows);
    }

    @Override
    public void afterLinear(String weightName, Tensor inp, Tensor out) {
        LowRankDelta[] deltas = byWeight.get(weightName);
        if (deltas == null) return;
        int B = inp.dim(0), T = inp.dim(1), in = inp.dim(2), o = out.dim(2);
        if (B != editOfRow.length) throw new IllegalArgumentException("batch of " + B + " sequences, adapters for " + editOfRow.length);
        try (Arena tmp = Arena.ofShared()) {
            int b = 0;
            while (b < B) {
                int e = editOfRow[b], end = b + 1;
                while (end < B && editOfRow[end] == e) end++;      // a run of sequences sharing one edit: one matmul
                LowRankDelta d = e < 0 ? null : deltas[e];
                if (d != null) {
                    int rows = (end - b) * T, r = d.rank();
                    Tensor x = inp.slice((long) b * T * in, rows, in);
                    Tensor y = out.slice((long) b * T * o, rows, o);
                    Tensor xa = Tensor.allocate(tmp, rows, r), xab = Tensor.allocate(tmp, rows, o);
                    Matmul.matmul(xa, x, d.a(), null);               // (rows,in) -> (rows,r)
                    float s = d.scale();
                    for (long i = 0; i < xa.size(); i++) xa.set(i, xa.get(i) * s);
                    Matmul.matmul(xab, xa, d.b(), null);             // (rows,r) -> (rows,out)
                    Kernels.add(y, y, xab);
                }
                b = end;
            }
        }
    }
}
