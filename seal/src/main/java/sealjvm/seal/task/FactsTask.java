package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.seal.data.Facts.Fact;
import sealjvm.seal.data.Facts.Passage;
import sealjvm.seal.edit.Edit;
import sealjvm.tensor.Tensor;

/**
 * {@code facts}: knowledge incorporation, the SEAL paper's first domain. Context = a passage of new
 * facts; held-out = questions about those facts asked WITHOUT the passage; score = mean over the
 * questions of log p(answer | question) (accuracy: every answer token is the model's top-1).
 */
public final class FactsTask implements Task {
    private final Gpt2Tokenizer tokenizer;
    private final Facts.Splits splits;

    public FactsTask(Gpt2Tokenizer tokenizer, Facts.Splits splits) {
        this.tokenizer = tokenizer;
        this.splits = splits;
        if (splits.train().isEmpty() || splits.eval().isEmpty()) throw new IllegalArgumentException("facts: empty train or eval split");
    }

    @Override public String name() { return "facts"; }

    record Question(int[] prompt, int[] answer) {}

    /**
     * The episode's held-out questions with their answers, one per line ("What is the capital of X? A: Y\n…"): used
     * only as an oracle diagnostic (a self-edit that already holds the test), never in training.
     */
    @SuppressWarnings("unchecked")
    public int[] answeredQuestions(Episode episode) {
        int[] newline = tokenizer.encode("\n");
        java.util.List<Integer> ids = new ArrayList<>();
        for (Question q : (List<Question>) episode.heldout()) {
            for (int t : q.prompt()) ids.add(t);
            for (int t : q.answer()) ids.add(t);
            for (int t : newline) ids.add(t);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Episode draw(Stage stage, SplittableRandom rng) {
        List<Passage> pool = stage == Stage.TRAIN ? splits.train() : splits.eval();
        Passage p = pool.get(rng.nextInt(pool.size()));
        List<Question> qs = new ArrayList<>();
        for (Fact f : p.facts()) qs.add(new Question(tokenizer.encode(f.question()), tokenizer.encode(f.answer())));
        return new Episode(tokenizer.encode(p.text()), qs);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Scores score(Gpt2Model model, Episode episode, List<Edit> edits) {
        List<Question> qs = (List<Question>) episode.heldout();
        int n = qs.size(), blocks = 1 + edits.size();
        List<int[]> seqs = new ArrayList<>();
        int answerTokens = 0;
        for (Question q : qs) {
            int[] s = new int[q.prompt().length + q.answer().length];
            System.arraycopy(q.prompt(), 0, s, 0, q.prompt().length);
            System.arraycopy(q.answer(), 0, s, q.prompt().length, q.answer().length);
            seqs.add(s);
            answerTokens += q.answer().length;
        }
        // One row per (block, question, answer token): the position before the token predicts it.
        int R = blocks * answerTokens;
        int[] rows = new int[R], pos = new int[R], tgt = new int[R];
        int r = 0;
        for (int j = 0; j < blocks; j++) for (int i = 0; i < n; i++) {
            Question q = qs.get(i);
            for (int a = 0; a < q.answer().length; a++) {
                rows[r] = j * n + i; pos[r] = q.prompt().length - 1 + a; tgt[r] = q.answer()[a]; r++;
            }
        }
        double[] score = new double[blocks], acc = new double[blocks];
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, edits, arena);
            Scoring.LogProbs lp = Scoring.tokenLogProbs(model, h, rows, pos, tgt);
            r = 0;
            for (int j = 0; j < blocks; j++) for (int i = 0; i < n; i++) {
                double ll = 0;
                boolean allTop = true;
                for (int a = 0; a < qs.get(i).answer().length; a++, r++) { ll += lp.logp()[r]; allTop &= lp.top1()[r]; }
                score[j] += ll / n;
                if (allTop) acc[j] += 1.0 / n;
            }
        }
        return new Scores(score, acc);
    }
}
