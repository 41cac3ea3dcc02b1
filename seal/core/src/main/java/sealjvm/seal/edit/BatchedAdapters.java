package sealjvm.seal.edit;

import java.util.List;
import sealjvm.gpt2.LinearHook;
import sealjvm.gpt2.LowRankAdapters;
import sealjvm.tensor.Tensor;

/**
 * ADAPTER edits: the weights stay untouched and the forward adds s·(x·A)·B after each targeted linear.
 * Batched: sequence b of the batch uses edit {@code editOfRow[b]} (-1 for none), so K different edits
 * are evaluated in one forward. Applying or reverting is choosing which hook to pass: O(1).
 */
public final class BatchedAdapters implements LinearHook {
    private final LowRankAdapters adapters;

    public BatchedAdapters(List<Edit> edits, int[] editOfRow) {
        this.adapters = of(edits, editOfRow);
    }

    /** The edits as the backends' {@link LowRankAdapters}. */
    public static LowRankAdapters of(List<Edit> edits, int[] editOfRow) {
        return new LowRankAdapters(edits.stream().map(Edit::factors).toList(), editOfRow);
    }

    /** Every sequence of a batch of {@code rowsPerEdit · edits.size()} uses edit ⌊b / rowsPerEdit⌋. */
    public static BatchedAdapters blocks(List<Edit> edits, int rowsPerEdit) {
        int[] rows = new int[edits.size() * rowsPerEdit];
        for (int b = 0; b < rows.length; b++) rows[b] = b / rowsPerEdit;
        return new BatchedAdapters(edits, rows);
    }

    @Override
    public void afterLinear(String weightName, Tensor inp, Tensor out) { adapters.afterLinear(weightName, inp, out); }
}
