package sealjvm.seal.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.RewardFn;
import sealjvm.seal.task.Scoring;
import sealjvm.tensor.Tensor;

/**
 * What the training loop reuses instead of recomputing gives the plain computation's numbers bit for bit: the
 * unedited model's general-text log-likelihood scored once (forgetting of the K edits without block 0), and the LM
 * head packed once over many row chunks. Training metrics must not move by one ulp (runs are resumed and compared).
 */
class ReusedScoresTest {
    static List<int[]> texts(SplittableRandom r, int vocab, int... lengths) {
        List<int[]> out = new ArrayList<>();
        for (int len : lengths) {
            int[] s = new int[len];
            for (int t = 0; t < len; t++) s[t] = r.nextInt(vocab);
            out.add(s);
        }
        return out;
    }

    @Test
    void forgettingWithTheBaseScoredOnceIsBitIdentical() {
        var r = new SplittableRandom(7);
        // Sequences of unequal length (padding), more than 64 scored rows per call (several head chunks).
        List<int[]> general = texts(r, 300, 32, 17, 29);
        try (Gpt2Model model = EditTestModels.randomModel(3, 3, 2, 16, 300); Arena arena = Arena.ofShared()) {
            List<Target> targets = Target.parse("h.1.attn.c_proj,h.2.mlp.c_fc", model.config);
            List<Edit> edits = new ArrayList<>();
            for (int k = 0; k < 5; k++) edits.add(EditTestModels.randomEdit(arena, r, targets, 2, 2f, 0.3));
            RewardFn reward = new RewardFn(1.0, 0.001, general);

            double[] plain = reward.forgetting(model, edits);
            double base = reward.generalLogLik(model);
            double[] reused = reward.forgetting(model, edits, base);
            assertArrayEquals(plain, reused, 0.0, "forgetting");
            for (int k = 0; k < plain.length; k++) assertEquals(Double.doubleToRawLongBits(plain[k]), Double.doubleToRawLongBits(reused[k]), "edit " + k);

            double[] all = Scoring.meanTokenLogLik(model, general, edits);
            double[] editedOnly = Scoring.meanTokenLogLik(model, general, edits, false);
            assertEquals(Double.doubleToRawLongBits(all[0]), Double.doubleToRawLongBits(base), "the unedited block alone");
            for (int k = 0; k < edits.size(); k++) {
                assertEquals(Double.doubleToRawLongBits(all[1 + k]), Double.doubleToRawLongBits(editedOnly[k]), "edited block " + k);
            }
            // The edits do move the scores: the comparison is not between copies of the unedited model.
            assertNotEquals(all[0], all[1]);
            // The penalty off: no forgetting, and no base to score.
            RewardFn off = new RewardFn(0, 0.001, general);
            assertArrayEquals(new double[5], off.forgetting(model, edits, off.generalLogLik(model)));
        }
    }

    /** The layers below the first edited one run once for all blocks: the states of the plain batched forward, bit for bit. */
    @Test
    void sharedLowerLayersGiveThePlainForwardBitForBit() {
        var r = new SplittableRandom(13);
        List<int[]> seqs = texts(r, 300, 20, 9, 14);
        try (Gpt2Model model = EditTestModels.randomModel(9, 4, 2, 16, 300); Arena arena = Arena.ofShared()) {
            for (String spec : new String[] {"h.1.attn.c_proj", "h.2.mlp.c_fc,h.3.attn.c_attn", "h.3.mlp.c_proj", "h.0.attn.c_attn,h.2.mlp.c_proj"}) {
                List<Target> targets = Target.parse(spec, model.config);
                List<Edit> edits = new ArrayList<>();
                for (int k = 0; k < 4; k++) edits.add(EditTestModels.randomEdit(arena, r, targets, 2, 2f, 0.3));
                for (boolean withBase : new boolean[] {true, false}) {
                    int n = seqs.size(), first = withBase ? 0 : 1, blocks = 1 + edits.size() - first, T = 20;
                    int[] ids = new int[blocks * n * T], editOfRow = new int[blocks * n];
                    for (int j = 0; j < blocks; j++) for (int i = 0; i < n; i++) {
                        editOfRow[j * n + i] = j + first - 1;
                        System.arraycopy(seqs.get(i), 0, ids, (j * n + i) * T, seqs.get(i).length);
                    }
                    float[] plain = model.hidden(ids, blocks * n, T, BatchedAdapters.of(edits, editOfRow), arena).toArray();
                    float[] shared = Scoring.hidden(model, seqs, edits, withBase, arena).toArray();
                    assertArrayEquals(plain, shared, spec + (withBase ? ", with the unedited block" : ", edited blocks only"));
                }
            }
        }
    }

    @Test
    void tokenLogProbsOverManyChunksEqualChunkByChunk() {
        var r = new SplittableRandom(11);
        // 129 rows: the last chunk of one call holds a single row (the matrix-vector path, other bits than the tiles').
        List<int[]> seqs = texts(r, 300, 32, 32, 32, 32, 6);
        try (Gpt2Model model = EditTestModels.randomModel(5, 2, 2, 16, 300); Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, List.of(), arena);
            int R = 0;
            for (int[] s : seqs) R += s.length - 1;   // the head packed once, three chunks
            int[] rows = new int[R], pos = new int[R], tgt = new int[R];
            int q = 0;
            for (int i = 0; i < seqs.size(); i++) for (int t = 0; t + 1 < seqs.get(i).length; t++) { rows[q] = i; pos[q] = t; tgt[q] = seqs.get(i)[t + 1]; q++; }
            Scoring.LogProbs all = Scoring.tokenLogProbs(model, h, rows, pos, tgt);
            for (int i0 = 0; i0 < R; i0 += 40) {   // up to 40 rows a call: the head packed on the fly, as in one chunk
                int n = Math.min(40, R - i0);
                Scoring.LogProbs part = Scoring.tokenLogProbs(model, h, java.util.Arrays.copyOfRange(rows, i0, i0 + n),
                        java.util.Arrays.copyOfRange(pos, i0, i0 + n), java.util.Arrays.copyOfRange(tgt, i0, i0 + n), i0);
                for (int i = 0; i < n; i++) {
                    assertEquals(Double.doubleToRawLongBits(part.logp()[i]), Double.doubleToRawLongBits(all.logp()[i0 + i]), "row " + (i0 + i));
                    assertEquals(part.top1()[i], all.top1()[i0 + i], "top-1 of row " + (i0 + i));
                }
            }
            // The rows after `before` others, scored on their own, get the whole call's bits (chunks lined up with it).
            boolean differs = false;
            for (int before : new int[] {1, 2, 3, 61, 62, 63, 64, 65, 100, 126, 127, 128}) {
                int n = R - before;
                int[] rs = java.util.Arrays.copyOfRange(rows, before, R), ps = java.util.Arrays.copyOfRange(pos, before, R), ts = java.util.Arrays.copyOfRange(tgt, before, R);
                Scoring.LogProbs aligned = Scoring.tokenLogProbs(model, h, rs, ps, ts, before);
                Scoring.LogProbs alone = Scoring.tokenLogProbs(model, h, rs, ps, ts);
                for (int i = 0; i < n; i++) {
                    assertEquals(Double.doubleToRawLongBits(all.logp()[before + i]), Double.doubleToRawLongBits(aligned.logp()[i]), before + " before, row " + i);
                    assertEquals(all.top1()[before + i], aligned.top1()[i], before + " before, top-1 of row " + i);
                    differs |= alone.logp()[i] != all.logp()[before + i];
                }
            }
            // Without the alignment some row does change: the test can tell the two apart.
            assertTrue(differs, "unaligned chunks gave the same bits: the test does not exercise the paths");
        }
    }
}
