package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts.Fact;
import sealjvm.seal.data.Facts.Passage;
import sealjvm.seal.data.Facts;
import sealjvm.seal.edit.Edit;
import sealjvm.tensor.Tensor;

/**
 * {@code facts}: knowledge incorporation, the SEAL paper's first domain. Context = a passage of new
 * facts; held-out = questions about those facts asked WITHOUT the passage; score = mean over the
 * questions of log p(answer | question); accuracy: every answer token is the model's top-1 (the greedy
 * decoding of the answer); margin: log p(answer) − log p(the same relation's answer in another passage
 * of the split), which an edit that shifts every answer alike (format, priors of a value list) cannot raise.
 */
public final class FactsTask implements Task<FactsTask.Heldout> {
    private final Gpt2Tokenizer tokenizer;
    private final Facts.Splits splits;
    private final Map<Stage, List<Episode<Heldout>>> episodes = new EnumMap<>(Stage.class);

    public FactsTask(Gpt2Tokenizer tokenizer, Facts.Splits splits) {
        this.tokenizer = tokenizer;
        this.splits = splits;
        if (splits.train().isEmpty() || splits.eval().isEmpty()) throw new IllegalArgumentException("facts: empty train or eval split");
    }

    @Override public String name() { return "facts"; }

    /** A question (prompt tokens), its answer, its relation and a same-relation answer from another passage. */
    public record Question(int[] prompt, int[] answer, String relation, int[] distractor) {}

    /** What an episode holds out: the passage (for diagnostics only) and its questions. */
    public record Heldout(Passage passage, List<Question> questions) {}

    private List<Passage> pool(Stage stage) {
        return switch (stage) {
            case TRAIN -> splits.train();
            case HELDOUT -> splits.heldout().isEmpty() ? splits.train() : splits.heldout();
            case EVAL -> splits.eval();
        };
    }

    /** Every passage of the stage's split as an episode (built once). */
    private synchronized List<Episode<Heldout>> all(Stage stage) {
        return episodes.computeIfAbsent(stage, s -> {
            List<Passage> pool = pool(s);
            List<Episode<Heldout>> out = new ArrayList<>(pool.size());
            for (int p = 0; p < pool.size(); p++) {
                List<Question> qs = new ArrayList<>();
                for (Fact f : pool.get(p).facts()) {
                    qs.add(new Question(tokenizer.encode(f.question()), tokenizer.encode(f.answer()), f.relation(),
                            tokenizer.encode(distractor(pool, p, f))));
                }
                out.add(new Episode(tokenizer.encode(pool.get(p).text()), new Heldout(pool.get(p), qs)));
            }
            return List.copyOf(out);
        });
    }

    /** The answer of the same relation in the next passage (cyclically) whose value differs; the fact's own if none. */
    static String distractor(List<Passage> pool, int p, Fact f) {
        for (int d = 1; d < pool.size(); d++) {
            for (Fact g : pool.get((p + d) % pool.size()).facts()) {
                if (g.relation().equals(f.relation()) && !g.value().equals(f.value())) return g.answer();
            }
        }
        return f.answer();
    }

    static List<Question> questions(Episode<Heldout> episode) { return episode.heldout().questions(); }

    /**
     * The episode's held-out questions with their answers, one per line ("What is the capital of X? A: Y\n…"): used
     * only as an oracle diagnostic (a self-edit that already holds the test), never in training.
     */
    public int[] answeredQuestions(Episode<Heldout> episode) {
        int[] newline = tokenizer.encode("\n");
        List<Integer> ids = new ArrayList<>();
        for (Question q : questions(episode)) {
            for (int t : q.prompt()) ids.add(t);
            for (int t : q.answer()) ids.add(t);
            for (int t : newline) ids.add(t);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public Episode<Heldout> draw(Stage stage, SplittableRandom rng) {
        List<Episode<Heldout>> pool = all(stage);
        return pool.get(rng.nextInt(pool.size()));
    }

    @Override
    public List<Episode<Heldout>> episodes(Stage stage, int n) {
        List<Episode<Heldout>> pool = all(stage);
        if (n < 0 || n > pool.size()) throw new IllegalArgumentException("facts: asked for " + n + " " + stage.name().toLowerCase() + " passages, the split has " + pool.size());
        return pool.subList(0, n);
    }

    @Override public int episodeCount(Stage stage) { return pool(stage).size(); }

    @Override
    public String kind(Episode<Heldout> episode) {
        TreeSet<String> rels = new TreeSet<>();
        for (Question q : questions(episode)) rels.add(q.relation());
        return String.join(",", rels);
    }

    @Override
    public List<Supervised> supervised(Episode<Heldout> episode) {
        List<Supervised> out = new ArrayList<>();
        for (Question q : questions(episode)) {
            int[] s = new int[q.prompt().length + q.answer().length];
            System.arraycopy(q.prompt(), 0, s, 0, q.prompt().length);
            System.arraycopy(q.answer(), 0, s, q.prompt().length, q.answer().length);
            out.add(new Supervised(s, q.prompt().length));
        }
        return out;
    }

    @Override
    public Detail detail(Gpt2Backend model, Episode<Heldout> episode, List<Edit> edits, boolean margins) {
        List<Question> qs = questions(episode);
        int n = qs.size(), blocks = 1 + edits.size(), alts = margins ? 2 : 1;
        // Sequences: [alt][question], alt 0 the true answer, alt 1 the distractor.
        List<int[]> seqs = new ArrayList<>();
        int rowsPerBlock = 0;
        for (int alt = 0; alt < alts; alt++) {
            for (Question q : qs) {
                int[] ans = alt == 0 ? q.answer() : q.distractor();
                int[] s = new int[q.prompt().length + ans.length];
                System.arraycopy(q.prompt(), 0, s, 0, q.prompt().length);
                System.arraycopy(ans, 0, s, q.prompt().length, ans.length);
                seqs.add(s);
                rowsPerBlock += ans.length;
            }
        }
        int S = seqs.size();
        // One row per (block, sequence, answer token): the position before the token predicts it.
        int R = blocks * rowsPerBlock;
        int[] rows = new int[R], pos = new int[R], tgt = new int[R];
        int r = 0;
        for (int j = 0; j < blocks; j++) {
            for (int alt = 0; alt < alts; alt++) {
                for (int i = 0; i < n; i++) {
                    Question q = qs.get(i);
                    int[] ans = alt == 0 ? q.answer() : q.distractor();
                    for (int a = 0; a < ans.length; a++) {
                        rows[r] = j * S + alt * n + i; pos[r] = q.prompt().length - 1 + a; tgt[r] = ans[a]; r++;
                    }
                }
            }
        }
        double[][] score = new double[blocks][n], correct = new double[blocks][n], margin = margins ? new double[blocks][n] : null;
        String[] group = new String[n];
        for (int i = 0; i < n; i++) group[i] = qs.get(i).relation();
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, edits, arena);
            Scoring.LogProbs lp = Scoring.tokenLogProbs(model, h, rows, pos, tgt);
            r = 0;
            for (int j = 0; j < blocks; j++) {
                for (int alt = 0; alt < alts; alt++) {
                    for (int i = 0; i < n; i++) {
                        Question q = qs.get(i);
                        int len = alt == 0 ? q.answer().length : q.distractor().length;
                        double ll = 0;
                        boolean allTop = true;
                        for (int a = 0; a < len; a++, r++) { ll += lp.logp()[r]; allTop &= lp.top1()[r]; }
                        if (alt == 0) {
                            score[j][i] = ll;
                            correct[j][i] = allTop ? 1 : 0;
                        } else {
                            margin[j][i] = score[j][i] - ll;
                        }
                    }
                }
            }
        }
        return new Detail(score, correct, margin, group);
    }
}
