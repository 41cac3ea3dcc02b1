package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sealjvm.gpt2.HalfWeightsTest.model;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.tensor.Tensor;

/**
 * {@link Gpt2Model#pinHead}: inside a scope the token log-probabilities are the same bits as outside it (several
 * chunks, a part starting mid-chunk, one chunk, fewer rows than a tile), the head is packed once per scope (a write
 * to it inside the scope, which the contract forbids, is not seen by the tiled rows), scopes nest, a second close is
 * harmless, and once the last scope closes the head is read afresh. Inside a scope the rows of a call of at least
 * 32 tiled rows go through the head without their logits (Matmul.rowLogSumExp), guessing each row's max from the
 * columns kept from earlier calls: top-1 is compared too, and the calls run before and after columns are kept.
 */
class HeadPinTest {
    record Call(int before, int rows) {}

    private static final Call[] CALLS = {new Call(0, 150), new Call(66, 84), new Call(0, 40), new Call(0, 3)};

    private static double[][] score(Gpt2Model m, Tensor rows, int[] targets) {
        int C = m.config.nEmbd();
        double[][] out = new double[CALLS.length][];
        for (int c = 0; c < CALLS.length; c++) {
            Call call = CALLS[c];
            Tensor part = rows.slice((long) call.before() * C, call.rows(), C);
            int[] t = Arrays.copyOfRange(targets, call.before(), call.before() + call.rows());
            double[] logp = new double[call.rows()];
            boolean[] top1 = new boolean[call.rows()];
            m.tokenLogProbs(part, t, logp, top1, call.before());
            out[c] = Arrays.copyOf(logp, 2 * call.rows());   // then top-1 as 0/1
            for (int i = 0; i < top1.length; i++) out[c][call.rows() + i] = top1[i] ? 1 : 0;
        }
        return out;
    }

    @Test
    void pinnedScoringIsTheSameBitsAndReadsTheHeadOncePerScope() {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-brown")); Arena arena = Arena.ofShared()) {
            int C = m.config.nEmbd(), V = m.config.vocabSize(), R = 150;
            var r = new SplittableRandom(11);
            Tensor rows = Tensor.of(arena, gaussian(r, R * C), R, C);
            int[] targets = r.ints(R, 0, V).toArray();
            double[][] before = score(m, rows, targets);

            Gpt2Model.HeadPin outer = m.pinHead();
            Gpt2Model.HeadPin inner = m.pinHead();
            assertDeepEquals(before, score(m, rows, targets), "inside a scope");
            assertTrue(m.pinnedMaxima().size() > 0, "the rows' max columns kept");
            assertDeepEquals(before, score(m, rows, targets), "inside a scope, the rows' max columns kept");
            float kept = m.params.wte.get(0);
            m.params.wte.set(0, kept + 1f);   // against the contract: shows the 150 tiled rows read the panels packed earlier
            inner.close();
            inner.close();
            assertArrayEquals(before[0], score(m, rows, targets)[0], "a head written inside the scope, inner scope closed twice");
            outer.close();
            double[][] fresh = score(m, rows, targets);
            assertFalse(Arrays.deepEquals(before, fresh), "after the last scope the written head is read");
            m.params.wte.set(0, kept);
            assertDeepEquals(before, score(m, rows, targets), "the head restored, no scope open");
        }
    }

    /**
     * Rows seen before are guessed right (one pass), rows never seen wrong (a second pass), in the same bits; once most
     * of the rows lately guessed were wrong the next {@link MaxColumns#SKIP} calls go down the logits path.
     */
    @Test
    void rowsSeenBeforeAreGuessedRightAndBadGuessesFallBackToTheLogitsPath() {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-brown")); Arena arena = Arena.ofShared()) {
            int C = m.config.nEmbd(), V = m.config.vocabSize(), R = 40;
            var r = new SplittableRandom(13);
            float[] h = gaussian(r, 2 * R * C);
            Tensor seen = Tensor.of(arena, Arrays.copyOf(h, R * C), R, C), fresh = Tensor.of(arena, Arrays.copyOfRange(h, R * C, 2 * R * C), R, C);
            int[] targets = r.ints(R, 0, V).toArray();
            double[] want = new double[R], wantFresh = new double[R], got = new double[R];
            boolean[] top1 = new boolean[R];
            m.tokenLogProbs(seen, targets, want, top1, 0);
            m.tokenLogProbs(fresh, targets, wantFresh, top1, 0);
            try (Gpt2Model.HeadPin pin = m.pinHead()) {
                m.tokenLogProbs(seen, targets, got, top1, 0);
                assertArrayEquals(want, got, "no columns kept yet");
                assertEquals(R, m.pinnedMaxima().lastWrong());
                m.tokenLogProbs(seen, targets, got, top1, 0);
                assertArrayEquals(want, got, "the same rows again");
                assertEquals(0, m.pinnedMaxima().lastWrong());
                m.tokenLogProbs(fresh, targets, got, top1, 0);
                assertArrayEquals(wantFresh, got, "rows not seen");
                int wrong = m.pinnedMaxima().lastWrong();
                assertTrue(wrong > 2 * MaxColumns.MAX_WRONG * R, wrong + " of " + R + " new random rows guessed wrong");
                int kept = m.pinnedMaxima().size();
                for (int call = 0; call < MaxColumns.SKIP; call++) {
                    m.tokenLogProbs(fresh, targets, got, top1, 0);
                    assertArrayEquals(wantFresh, got, "the logits path, call " + call);
                }
                assertEquals(kept, m.pinnedMaxima().size(), "nothing guessed, nothing learnt");
                m.tokenLogProbs(fresh, targets, got, top1, 0);
                assertEquals(0, m.pinnedMaxima().lastWrong(), "guessing again, the columns learnt from the wrong rows");
                assertArrayEquals(wantFresh, got);
            }
        }
    }

    /** A row holding a NaN: the pinned head's calls give what the logits path gives (no row guessed exact). */
    @Test
    void aNaNRowGivesTheLogitsPathsValues() {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-brown")); Arena arena = Arena.ofShared()) {
            int C = m.config.nEmbd(), V = m.config.vocabSize(), R = 150;
            var r = new SplittableRandom(12);
            float[] h = gaussian(r, R * C);
            h[70 * C + 3] = Float.NaN;
            Tensor rows = Tensor.of(arena, h, R, C);
            int[] targets = r.ints(R, 0, V).toArray();
            double[][] before = score(m, rows, targets);
            try (Gpt2Model.HeadPin pin = m.pinHead()) {
                assertDeepEquals(before, score(m, rows, targets), "a NaN row inside a scope");
            }
        }
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] h = new float[n];
        for (int i = 0; i < n; i++) h[i] = (float) r.nextGaussian();
        return h;
    }

    private static void assertDeepEquals(double[][] want, double[][] got, String what) {
        for (int c = 0; c < want.length; c++) assertArrayEquals(want[c], got[c], what + ", call " + CALLS[c]);
    }
}
