package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.List;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.edit.BatchedAdapters;
import sealjvm.seal.edit.Edit;
import sealjvm.tensor.Tensor;

/**
 * Evaluating the unedited model and K edits in one batched forward: the n sequences are repeated
 * 1+K times (block 0 without edit, block k+1 with edit k as an adapter) and right-padded to one length.
 * Right padding is harmless under the causal mask: no real position attends to a later pad.
 */
public final class Scoring {
    private Scoring() {}

    /** Final hidden states (1+K)·n × T × C of {@code seqs} under no edit and each edit. */
    public static Tensor hidden(Gpt2Backend model, List<int[]> seqs, List<Edit> edits, Arena arena) {
        return hidden(model, seqs, edits, true, arena);
    }

    /**
     * As {@link #hidden(Gpt2Backend, List, List, Arena)}; without {@code withBase} only the K edited blocks (K·n × T × C,
     * block k with edit k). Every row of the batched forward is computed alone, so each block's states are the same,
     * bit for bit, whichever blocks share the batch.
     */
    public static Tensor hidden(Gpt2Backend model, List<int[]> seqs, List<Edit> edits, boolean withBase, Arena arena) {
        int n = seqs.size(), first = withBase ? 0 : 1, blocks = 1 + edits.size() - first;
        if (blocks == 0) throw new IllegalArgumentException("no blocks: no edits and no unedited block");
        int T = seqs.stream().mapToInt(s -> s.length).max().orElseThrow();
        int[] ids = new int[blocks * n * T];
        int[] editOfRow = new int[blocks * n];
        for (int j = 0; j < blocks; j++) {
            for (int i = 0; i < n; i++) {
                int row = j * n + i;
                editOfRow[row] = j + first - 1;
                System.arraycopy(seqs.get(i), 0, ids, row * T, seqs.get(i).length); // pads are token 0
            }
        }
        int from = firstEditedLayer(edits, model.config().nLayer());
        if (blocks > 1 && from > 0 && model instanceof Gpt2Model cpu) {
            // Every block reads the same sequences, and no edit acts below layer `from`: those layers run once (exact).
            return cpu.hiddenRepeated(java.util.Arrays.copyOf(ids, n * T), n, blocks, T, BatchedAdapters.of(edits, editOfRow), from, arena);
        }
        return model.hidden(ids, blocks * n, T, BatchedAdapters.of(edits, editOfRow), arena);
    }

    /** The lowest layer any of the edits changes ({@code nLayer} when none does). */
    static int firstEditedLayer(List<Edit> edits, int nLayer) {
        int from = nLayer;
        for (Edit e : edits) for (var d : e.deltas()) from = Math.min(from, d.target().layer());
        return from;
    }

    /** The hidden state at position t of row r: a view (C). */
    public static Tensor at(Tensor hidden, int row, int t) {
        int T = hidden.dim(1), C = hidden.dim(2);
        return hidden.slice(((long) row * T + t) * C, C);
    }

    /**
     * log p(target_i | position_i) for each (row, position, target) triple: the LM head applied to just
     * those rows (never to the whole batch × vocabulary), then a log-softmax per row.
     */
    public static LogProbs tokenLogProbs(Gpt2Backend model, Tensor hidden, int[] rows, int[] positions, int[] targets) {
        return tokenLogProbs(model, hidden, rows, positions, targets, 0);
    }

    /** As above, the triples following {@code before} others of a larger request: the results that request gives them. */
    public static LogProbs tokenLogProbs(Gpt2Backend model, Tensor hidden, int[] rows, int[] positions, int[] targets, int before) {
        int R = rows.length, C = hidden.dim(2);
        double[] out = new double[R];
        boolean[] top1 = new boolean[R];
        try (Arena tmp = Arena.ofShared()) {   // gather the rows; the backend applies the LM head and a log-softmax
            Tensor h = Tensor.allocate(tmp, Math.max(1, R), C);
            for (int i = 0; i < R; i++) h.row(i).copyFrom(at(hidden, rows[i], positions[i]));
            if (R > 0) model.tokenLogProbs(h.slice(0, R, C), targets, out, top1, before);
        }
        return new LogProbs(out, top1);
    }

    /** log p of each requested token, and whether it was the top-1 prediction. */
    public record LogProbs(double[] logp, boolean[] top1) {}

    /** Mean next-token log-likelihood of each block over all positions of {@code seqs}: (1+K) values. */
    public static double[] meanTokenLogLik(Gpt2Backend model, List<int[]> seqs, List<Edit> edits) {
        return meanTokenLogLik(model, seqs, edits, true);
    }

    /**
     * As {@link #meanTokenLogLik(Gpt2Backend, List, List)}; without {@code withBase} the K edited blocks only (K values,
     * each the same bits as in the batch with the unedited block: rows are scored alone and summed in the same order).
     */
    public static double[] meanTokenLogLik(Gpt2Backend model, List<int[]> seqs, List<Edit> edits, boolean withBase) {
        int n = seqs.size(), blocks = (withBase ? 1 : 0) + edits.size();
        int per = 0;
        for (int[] s : seqs) per += s.length - 1;
        int[] rows = new int[blocks * per], pos = new int[blocks * per], tgt = new int[blocks * per];
        int q = 0;
        for (int j = 0; j < blocks; j++) for (int i = 0; i < n; i++) for (int t = 0; t + 1 < seqs.get(i).length; t++) {
            rows[q] = j * n + i; pos[q] = t; tgt[q] = seqs.get(i)[t + 1]; q++;
        }
        try (Arena arena = Arena.ofShared()) {
            Tensor h = hidden(model, seqs, edits, withBase, arena);
            // Without the unedited block its rows are missing from the front of the request: say so, for the same bits.
            double[] lp = tokenLogProbs(model, h, rows, pos, tgt, withBase ? 0 : per).logp();
            double[] out = new double[blocks];
            for (int i = 0; i < lp.length; i++) out[i / per] += lp[i] / per;
            return out;
        }
    }

    /** Mean-pooled final hidden state of one sequence under the unedited model (the generator's input). */
    public static double[] pooled(Gpt2Backend model, int[] ids) {
        try (Arena arena = Arena.ofShared()) {
            Tensor h = hidden(model, List.of(ids), List.of(), arena);
            int C = h.dim(2);
            double[] out = new double[C];
            for (int t = 0; t < ids.length; t++) {
                Tensor row = at(h, 0, t);
                for (int c = 0; c < C; c++) out[c] += row.get(c) / ids.length;
            }
            return out;
        }
    }

}
