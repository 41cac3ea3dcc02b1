package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.function.Consumer;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.Stats;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;

/**
 * The paper's forgetting experiment: the edits of eval passages 1..N written into the weights one after another
 * (merged, each made on the model as the earlier edits left it); after each step, the accuracy and answer
 * log-likelihood on the questions of every passage written so far (asked without the passage) and the perplexity
 * on Brown held-out text. A passage is "kept" when its accuracy at the end is at least half of its accuracy right
 * after its own edit (counted among the passages whose own edit made any question right).
 */
public final class SequentialEval {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Makes the edit of eval episode i on the model as it is now (earlier edits merged). */
    public interface EditMaker { Edit make(Task.Episode<FactsTask.Heldout> episode, int i, Arena arena); }

    private SequentialEval() {}

    /**
     * Runs one arm: gives a JSON line per step to {@code lines} (step i's "accuracy" and "gain" on passages 1..i, the
     * rows of the triangle a heat map shows), returns the summary. The model's weights are restored bit-exactly at the end.
     */
    public static ObjectNode run(Gpt2Model model, FactsTask task, String arm, int steps, EditMaker maker, int[] pplTokens,
                                 Consumer<ObjectNode> lines) throws IOException {
        List<Task.Episode<FactsTask.Heldout>> eps = task.episodes(Task.Stage.EVAL, steps);
        double[][] acc = new double[steps][steps], gain = new double[steps][steps];
        double[] baseLl = new double[steps];
        for (int j = 0; j < steps; j++) baseLl[j] = Stats.mean(task.detail(model, eps.get(j), List.of(), false).score()[0]);
        double basePpl = pplTokens == null ? Double.NaN : Perplexity.evaluate(model, pplTokens).perplexity();
        try (MergedEdits merged = new MergedEdits(model.params); Arena arena = Arena.ofShared()) {
            for (int i = 0; i < steps; i++) {
                long t0 = System.nanoTime();
                merged.apply(maker.make(eps.get(i), i, arena));
                ObjectNode line = JSON.createObjectNode();
                line.put("arm", arm).put("step", i + 1);
                ArrayNode a = line.putArray("accuracy"), g = line.putArray("gain");
                for (int j = 0; j <= i; j++) {
                    Task.Detail d = task.detail(model, eps.get(j), List.of(), false);
                    acc[i][j] = Stats.mean(d.correct()[0]);
                    a.add(acc[i][j]);
                    gain[i][j] = Stats.mean(d.score()[0]) - baseLl[j];
                    g.add(gain[i][j]);
                }
                if (pplTokens != null) line.put("brown_heldout_perplexity", Perplexity.evaluate(model, pplTokens).perplexity());
                line.put("seconds", (System.nanoTime() - t0) / 1e9);
                lines.accept(line);
            }
            merged.revertAll();
        }
        int learned = 0, kept = 0;
        for (int j = 0; j < steps; j++) {
            if (acc[j][j] > 0) {
                learned++;
                if (acc[steps - 1][j] >= 0.5 * acc[j][j]) kept++;
            }
        }
        ObjectNode s = JSON.createObjectNode();
        s.put("arm", arm).put("steps", steps).put("learned", learned).put("kept", kept);
        s.put("final_mean_accuracy", Stats.mean(acc[steps - 1]));
        s.put("base_brown_heldout_perplexity", basePpl);
        return s;
    }
}
