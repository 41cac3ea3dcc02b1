package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Tensor;

/**
 * K low-rank adapters evaluated in one batched forward: the weights stay untouched and, after each targeted linear,
 * sequence b of the batch gets s·(x·A)·B of adapter {@code editOfRow[b]} (-1 for none) added. As a {@link LinearHook}
 * this is how the CPU forward applies them; a GPU backend reads {@link #byWeight()} and does the same on the device.
 */
public final class LowRankAdapters implements LinearHook {
    /** ΔW = scale·A·B of the Conv1D weight {@code weight} [in, out]: A [in, r], B [r, out]. */
    public record Factor(String weight, Tensor a, Tensor b, float scale) {
        public int rank() { return a.dim(1); }
    }

    /** No adapters: the forward may fuse each linear with what follows it. */
    public static final LowRankAdapters NONE = new LowRankAdapters(List.of(), new int[0]);

    private final int count;
    private final int[] editOfRow;
    /** weight name -> factor per adapter index (null where that adapter leaves the weight alone). */
    private final Map<String, Factor[]> byWeight = new HashMap<>();

    /** Adapter k is the list {@code adapters.get(k)} (each weight at most once); sequence b uses {@code editOfRow[b]}. */
    public LowRankAdapters(List<List<Factor>> adapters, int[] editOfRow) {
        this.count = adapters.size();
        this.editOfRow = editOfRow.clone();
        for (int e : editOfRow) {
            if (e < -1 || e >= count) throw new IllegalArgumentException("row edit index " + e + " outside [-1, " + count + ")");
        }
        for (int k = 0; k < count; k++) {
            for (Factor f : adapters.get(k)) byWeight.computeIfAbsent(f.weight(), n -> new Factor[count])[k] = f;
        }
    }

    /** Every sequence of a batch of {@code rowsPerEdit · adapters.size()} uses adapter ⌊b / rowsPerEdit⌋. */
    public static LowRankAdapters blocks(List<List<Factor>> adapters, int rowsPerEdit) {
        int[] rows = new int[adapters.size() * rowsPerEdit];
        for (int b = 0; b < rows.length; b++) rows[b] = b / rowsPerEdit;
        return new LowRankAdapters(adapters, rows);
    }

    /** Number of adapters. */
    public int count() { return count; }

    /** The adapter of each sequence of the batch (-1: none). */
    public int[] editOfRow() { return editOfRow.clone(); }

    /** weight name -> the factor of each adapter index (null entries: that adapter leaves the weight alone). */
    public Map<String, Factor[]> byWeight() { return Collections.unmodifiableMap(byWeight); }

    /** The runs of consecutive sequences sharing one adapter: {start, end, adapter} triples. */
    public List<int[]> runs(int batch) {
        if (batch != editOfRow.length) throw new IllegalArgumentException("batch of " + batch + " sequences, adapters for " + editOfRow.length);
        List<int[]> out = new ArrayList<>();
        int b = 0;
        while (b < batch) {
            int e = editOfRow[b], end = b + 1;
            while (end < batch && editOfRow[end] == e) end++;   // a run of sequences sharing one adapter: one matmul
            out.add(new int[] {b, end, e});
            b = end;
        }
        return out;
    }

    @Override
    public void afterLinear(String weightName, Tensor inp, Tensor out) {
        Factor[] factors = byWeight.get(weightName);
        if (factors == null) return;
        int B = inp.dim(0), T = inp.dim(1), in = inp.dim(2), o = out.dim(2);
        try (Arena tmp = Arena.ofShared()) {
            for (int[] run : runs(B)) {
                Factor f = run[2] < 0 ? null : factors[run[2]];
                if (f == null) continue;
                int b = run[0], rows = (run[1] - b) * T, r = f.rank();
                Tensor x = inp.slice((long) b * T * in, rows, in);
                Tensor y = out.slice((long) b * T * o, rows, o);
                Tensor xa = Tensor.allocate(tmp, rows, r), xab = Tensor.allocate(tmp, rows, o);
                Matmul.matmul(xa, x, f.a(), null);               // (rows,in) -> (rows,r)
                float s = f.scale();
                for (long i = 0; i < xa.size(); i++) xa.set(i, xa.get(i) * s);
                Matmul.matmul(xab, xa, f.b(), null);             // (rows,r) -> (rows,out)
                Kernels.add(y, y, xab);
            }
        }
    }
}
