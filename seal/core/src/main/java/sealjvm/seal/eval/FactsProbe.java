package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.seal.task.Scoring;
import sealjvm.tensor.Tensor;

/**
 * How well a model answers the facts task's questions, with the passage in context (reading comprehension: the
 * ceiling a self-edit could reach) or without it (what the model knows: the floor). Scored as
 * {@code FactsTask.score} scores the unedited model: a question's prompt tokens, then its answer tokens (teacher
 * forcing); accuracy = every answer token is the greedy (top-1) prediction given what precedes it; log-likelihood
 * = the sum of the answer tokens' log-probabilities.
 *
 * <p>The prompt is {@code encode(passage + "\n" + question)} with the passage and {@code encode(question)}
 * without; the answer is {@code encode(answer)} (a leading space, as in the task).
 */
public final class FactsProbe {
    private FactsProbe() {}

    /** Sequences scored per batched forward. */
    static final int BATCH = 64;

    /** Accuracy and mean answer log-likelihood (nats, summed over the answer's tokens) over {@code questions} questions. */
    public record Stat(int questions, double accuracy, double meanLogLik) {}

    /** Over all questions, and per relation (in {@link Facts#RELATIONS} order, relations that occur). */
    public record Result(boolean withPassage, Stat all, Map<String, Stat> perRelation) {}

    public static Result run(Gpt2Backend model, Gpt2Tokenizer tok, List<Facts.Passage> passages, boolean withPassage) {
        List<int[]> prompts = new ArrayList<>(), answers = new ArrayList<>();
        List<String> relations = new ArrayList<>();
        for (Facts.Passage p : passages) {
            for (Facts.Fact f : p.facts()) {
                prompts.add(tok.encode(withPassage ? p.text() + "\n" + f.question() : f.question()));
                answers.add(tok.encode(f.answer()));
                relations.add(f.relation());
            }
        }
        int n = prompts.size();
        int window = model.config().nPositions();
        double[] ll = new double[n];
        boolean[] correct = new boolean[n];
        for (int i0 = 0; i0 < n; i0 += BATCH) {
            int m = Math.min(BATCH, n - i0);
            List<int[]> seqs = new ArrayList<>(m);
            int R = 0;
            for (int i = i0; i < i0 + m; i++) {
                int[] q = prompts.get(i), a = answers.get(i);
                if (q.length + a.length > window) {
                    throw new IllegalArgumentException("question " + i + " is " + (q.length + a.length) + " tokens, longer than the model's n_positions " + window);
                }
                int[] s = java.util.Arrays.copyOf(q, q.length + a.length);
                System.arraycopy(a, 0, s, q.length, a.length);
                seqs.add(s);
                R += a.length;
            }
            int[] rows = new int[R], pos = new int[R], tgt = new int[R];
            int r = 0;
            for (int i = 0; i < m; i++) {
                int[] q = prompts.get(i0 + i), a = answers.get(i0 + i);
                for (int k = 0; k < a.length; k++, r++) { rows[r] = i; pos[r] = q.length - 1 + k; tgt[r] = a[k]; }
            }
            try (Arena arena = Arena.ofShared()) {
                Tensor h = Scoring.hidden(model, seqs, List.of(), arena);
                Scoring.LogProbs lp = Scoring.tokenLogProbs(model, h, rows, pos, tgt);
                r = 0;
                for (int i = 0; i < m; i++) {
                    double sum = 0;
                    boolean all = true;
                    for (int k = 0; k < answers.get(i0 + i).length; k++, r++) { sum += lp.logp()[r]; all &= lp.top1()[r]; }
                    ll[i0 + i] = sum;
                    correct[i0 + i] = all;
                }
            }
        }
        Map<String, Stat> per = new LinkedHashMap<>();
        for (String rel : Facts.RELATIONS) {
            Stat s = stat(n, i -> relations.get(i).equals(rel), ll, correct);
            if (s.questions() > 0) per.put(rel, s);
        }
        return new Result(withPassage, stat(n, i -> true, ll, correct), per);
    }

    private static Stat stat(int n, java.util.function.IntPredicate in, double[] ll, boolean[] correct) {
        int q = 0, c = 0;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!in.test(i)) continue;
            q++;
            sum += ll[i];
            if (correct[i]) c++;
        }
        return new Stat(q, q == 0 ? Double.NaN : (double) c / q, q == 0 ? Double.NaN : sum / q);
    }

    /** The result as one JSON object: {"with_passage", "questions", "accuracy", "mean_loglik", "per_relation": {...}}. */
    public static ObjectNode toJson(Result r) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode o = json.createObjectNode();
        o.put("with_passage", r.withPassage()).put("questions", r.all().questions()).put("accuracy", r.all().accuracy())
                .put("mean_loglik", r.all().meanLogLik());
        ObjectNode per = o.putObject("per_relation");
        r.perRelation().forEach((k, s) -> per.putObject(k).put("questions", s.questions()).put("accuracy", s.accuracy()).put("mean_loglik", s.meanLogLik()));
        return o;
    }

    /**
     * {@code FactsProbe MODEL_DIR...}: for each model, a JSON line with and one without the passage, on the eval split
     * of the facts task under the default data seed (all 400 passages). Tokenizer from {@code seal.home}.
     */
    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("seal.home", ".")).toAbsolutePath().normalize();
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
        List<Facts.Passage> eval = Facts.defaultSplits().eval();
        for (String dir : args) {
            try (Gpt2Model model = Gpt2Model.load(Path.of(dir))) {
                for (boolean with : new boolean[] {true, false}) {
                    long t0 = System.nanoTime();
                    ObjectNode o = new ObjectMapper().createObjectNode();
                    o.put("model", dir).put("split", "facts eval, data seed " + Facts.DEFAULT_DATA_SEED + ", " + eval.size() + " passages");
                    o.setAll(toJson(run(model, tok, eval, with)));
                    o.put("seconds", (System.nanoTime() - t0) / 1e9);
                    System.out.println(o);
                }
            }
        }
    }
}
