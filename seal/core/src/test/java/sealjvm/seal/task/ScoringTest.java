package sealjvm.seal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Repo;

/** The scorer against a brute-force log-softmax over the model's full logits, in double precision. */
class ScoringTest {
    static double bruteLogProb(Gpt2Model model, int[] seq, int pos, int target) {
        try (Arena arena = Arena.ofShared()) {
            Tensor logits = model.logits(new int[][] {seq}, arena);   // 1 × T × V
            int V = model.config.vocabSize();
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, logits.get((long) pos * V + v));
            double sum = 0;
            for (int v = 0; v < V; v++) sum += Math.exp(logits.get((long) pos * V + v) - max);
            return logits.get((long) pos * V + target) - max - Math.log(sum);
        }
    }

    @Test
    void factsScoresAndMarginsMatchABruteForceLogSoftmax() throws Exception {
        var home = Repo.root();
        try (Gpt2Model model = Gpt2Model.load(home.resolve("weights/models/gpt2-brown"))) {
            Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
            FactsTask task = new FactsTask(tok, Facts.splits(5, 4, 2, 6));
            for (Task.Episode<FactsTask.Heldout> ep : task.episodes(Task.Stage.EVAL, 3)) {
                Task.Detail d = task.detail(model, ep, List.of(), true);
                List<FactsTask.Question> qs = ep.heldout().questions();
                for (int u = 0; u < qs.size(); u++) {
                    FactsTask.Question q = qs.get(u);
                    double want = 0, wantD = 0;
                    int[] s = concat(q.prompt(), q.answer()), sd = concat(q.prompt(), q.distractor());
                    for (int a = 0; a < q.answer().length; a++) want += bruteLogProb(model, s, q.prompt().length - 1 + a, q.answer()[a]);
                    for (int a = 0; a < q.distractor().length; a++) wantD += bruteLogProb(model, sd, q.prompt().length - 1 + a, q.distractor()[a]);
                    assertEquals(want, d.score()[0][u], 1e-3, "log p(answer) of " + q.relation());
                    assertEquals(want - wantD, d.margin()[0][u], 2e-3, "margin of " + q.relation());
                }
            }
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] s = new int[a.length + b.length];
        System.arraycopy(a, 0, s, 0, a.length);
        System.arraycopy(b, 0, s, a.length, b.length);
        return s;
    }
}
