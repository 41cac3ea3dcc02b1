package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.RewardPlot;
import sealjvm.seal.Stats;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;
import sealjvm.tensor.AtomicFiles;

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
     * Runs one arm: prints a JSON line per step through {@code lines}, draws {@code png}, returns the summary.
     * The model's weights are restored bit-exactly at the end.
     */
    public static ObjectNode run(Gpt2Model model, FactsTask task, String arm, int steps, EditMaker maker, int[] pplTokens,
                                 Path png, Consumer<ObjectNode> lines) throws IOException {
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
        heatmap(png, "Sequential edits (" + arm + "): accuracy on passage j after writing passages 1..i", "accuracy", acc, 0, 1);
        double lo = 0, hi = 0;
        for (int i = 0; i < steps; i++) for (int j = 0; j <= i; j++) { lo = Math.min(lo, gain[i][j]); hi = Math.max(hi, gain[i][j]); }
        String name = png.getFileName().toString();
        heatmap(png.resolveSibling(name.substring(0, name.length() - 4) + "-gain.png"),
                "Sequential edits (" + arm + "): answer log-likelihood gain (nats) on passage j after step i", "gain", gain, lo, Math.max(hi, lo + 1e-9));
        ObjectNode s = JSON.createObjectNode();
        s.put("arm", arm).put("steps", steps).put("learned", learned).put("kept", kept);
        s.put("final_mean_accuracy", Stats.mean(acc[steps - 1]));
        s.put("base_brown_heldout_perplexity", basePpl);
        return s;
    }

    /** values[i][j] of passage j (x) after step i (y); blank above the diagonal (not yet written). */
    static void heatmap(Path png, String title, String series, double[][] acc, double min, double max) throws IOException {
        if (!RewardPlot.canPlot(png)) return;
        System.setProperty("java.awt.headless", "true");
        int n = acc.length;
        List<Integer> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int i = 1; i <= n; i++) { xs.add(i); ys.add(i); }
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) cells.add(new Number[] {j, i, acc[i][j]});
        HeatMapChart chart = new HeatMapChartBuilder().width(700).height(600)
                .title(title)
                .xAxisTitle("passage j").yAxisTitle("after step i").build();
        chart.getStyler().setMin(min).setMax(max);
        chart.addSeries(series, xs, ys, cells);
        try {   // XChart writes by file name (and adds .png to a name without it)
            AtomicFiles.write(png, ".png", tmp -> BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG));
        } catch (java.io.IOException e) {   // e.g. "No space left on device": say which file
            throw AtomicFiles.named(png, e);
        }
    }
}
