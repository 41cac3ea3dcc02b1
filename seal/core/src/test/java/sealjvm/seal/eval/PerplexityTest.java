package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.BrownCorpus;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Repo;

/** Perplexity against an independent computation from {@link Gpt2Model#logits}; the unigram formula. */
class PerplexityTest {
    static Path home;
    static Gpt2Model model; // tiny-real-vocab: n_positions 128, the real 50257-token vocabulary
    static int[] ids;

    @BeforeAll
    static void load() {
        home = Repo.root();
        model = Gpt2Model.load(home.resolve("weights/fixtures/models/tiny-real-vocab"));
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
        int[] all = BrownCorpus.load(BrownCorpus.defaultSample(home)).tokens(BrownCorpus.Split.TRAIN, tok);
        assertTrue(all.length > 2 * 128 + 37, "sample has " + all.length + " tokens");
        ids = Arrays.copyOf(all, 2 * 128 + 37);
    }

    @AfterAll
    static void close() { model.close(); }

    /** Σ −log softmax(logits)[next] over each window, in double, one window per logits() call. */
    static double referenceNllSum(int[] ids, int context) {
        double sum = 0;
        for (int s = 0; s < ids.length; s += context) {
            int[] w = Arrays.copyOfRange(ids, s, Math.min(ids.length, s + context));
            if (w.length < 2) continue;
            try (Arena arena = Arena.ofShared()) {
                Tensor logits = model.logits(new int[][] {w}, arena);
                int V = model.config.vocabSize();
                for (int t = 0; t + 1 < w.length; t++) {
                    double max = Double.NEGATIVE_INFINITY, z = 0;
                    for (int v = 0; v < V; v++) max = Math.max(max, logits.get((long) t * V + v));
                    for (int v = 0; v < V; v++) z += Math.exp(logits.get((long) t * V + v) - max);
                    sum += max + Math.log(z) - logits.get((long) t * V + w[t + 1]);
                }
            }
        }
        return sum;
    }

    @Test
    void perplexityIsExpOfTheMeanNllOverWindows() {
        double want = referenceNllSum(ids, 128) / (ids.length - 3); // 3 windows: 128, 128, 37; first tokens unscored
        for (int batch : new int[] {1, 2, 3}) {
            Perplexity.Result r = Perplexity.evaluate(model, ids, 128, batch);
            assertEquals(ids.length, r.tokens());
            assertEquals(ids.length - 3, r.predicted());
            assertEquals(128, r.context());
            assertEquals(want, r.nll(), 1e-5 * want, "batch " + batch);
            assertEquals(Math.exp(want), r.perplexity(), 1e-5 * Math.exp(want));
        }
        Perplexity.Result d = Perplexity.evaluate(model, ids); // defaults: n_positions, 16 windows per forward
        assertEquals(want, d.nll(), 1e-5 * want);
    }

    @Test
    void shorterContextsAndALastWindowOfOneToken() {
        int[] x = Arrays.copyOf(ids, 101); // windows of 50: 50, 50, 1 (the 1-token window predicts nothing)
        Perplexity.Result r = Perplexity.evaluate(model, x, 50, 2);
        assertEquals(98, r.predicted());
        assertEquals(referenceNllSum(x, 50) / 98, r.nll(), 1e-5 * r.nll());
        assertThrows(IllegalArgumentException.class, () -> Perplexity.evaluate(model, new int[] {5}, 50, 1));
        assertThrows(IllegalArgumentException.class, () -> Perplexity.evaluate(model, x, 129, 1));
    }

    @Test
    void unigramIsAddOneSmoothedCounts() {
        // counts [2, 1, 1, 0] over V=4, N=4: p = (c+1)/8 = 3/8, 2/8, 2/8, 1/8
        UnigramModel u = UnigramModel.fit(new int[] {0, 0, 1, 2}, 4);
        assertEquals(Math.log(3 / 8.0), u.logProb(0), 1e-12);
        assertEquals(Math.log(1 / 8.0), u.logProb(3), 1e-12);
        assertEquals(u.logProb(1), UnigramModel.ofCounts(new long[] {2, 1, 1, 0}).logProb(1), 0);
        // Windows of 2 over [3, 3, 0, 2, 1]: targets are positions 1 and 3 (tokens 3 and 2); position 0, 2, 4 start windows.
        Perplexity.Result r = u.evaluate(new int[] {3, 3, 0, 2, 1}, 2);
        assertEquals(2, r.predicted());
        double nll = -(Math.log(1 / 8.0) + Math.log(2 / 8.0)) / 2;
        assertEquals(nll, r.nll(), 1e-12);
        assertEquals(Math.sqrt(32), r.perplexity(), 1e-9); // exp(nll) = (1/8 · 2/8)^(-1/2)
        // A uniform table gives perplexity V.
        assertEquals(4, UnigramModel.ofCounts(new long[4]).evaluate(new int[] {0, 1, 2, 3}, 100).perplexity(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> UnigramModel.fit(new int[] {4}, 4));
    }
}
