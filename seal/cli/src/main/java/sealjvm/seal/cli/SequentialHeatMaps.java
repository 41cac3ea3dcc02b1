package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import sealjvm.tensor.AtomicFiles;

/**
 * The heat maps of {@code eval --sequential}, drawn from its step lines: when an arm's last step arrives,
 * RUN/sequential-ARM.png (accuracy on passage j after writing passages 1..i) and RUN/sequential-ARM-gain.png (the
 * answer log-likelihood gain). Each line goes on to {@code next} first.
 */
final class SequentialHeatMaps implements Consumer<ObjectNode> {
    private final Path runDir;
    private final int steps;
    private final Consumer<ObjectNode> next;
    private final List<JsonNode> arm = new ArrayList<>();

    SequentialHeatMaps(Path runDir, int steps, Consumer<ObjectNode> next) {
        this.runDir = runDir;
        this.steps = steps;
        this.next = next;
    }

    @Override
    public void accept(ObjectNode line) {
        next.accept(line);
        arm.add(line);
        if (line.get("step").asInt() < steps) return;
        String name = line.get("arm").asText();
        double[][] acc = triangle("accuracy"), gain = triangle("gain");
        arm.clear();
        try {
            heatmap(runDir.resolve("sequential-" + name + ".png"),
                    "Sequential edits (" + name + "): accuracy on passage j after writing passages 1..i", "accuracy", acc, 0, 1);
            double lo = 0, hi = 0;
            for (int i = 0; i < steps; i++) for (int j = 0; j <= i; j++) { lo = Math.min(lo, gain[i][j]); hi = Math.max(hi, gain[i][j]); }
            heatmap(runDir.resolve("sequential-" + name + "-gain.png"),
                    "Sequential edits (" + name + "): answer log-likelihood gain (nats) on passage j after step i", "gain", gain, lo, Math.max(hi, lo + 1e-9));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** values[i][j]: the {@code key} array of step i + 1's line, passages 1..i + 1. */
    private double[][] triangle(String key) {
        double[][] values = new double[steps][steps];
        for (int i = 0; i < steps; i++) {
            JsonNode row = arm.get(i).get(key);
            for (int j = 0; j <= i; j++) values[i][j] = row.get(j).doubleValue();
        }
        return values;
    }

    /** values[i][j] of passage j (x) after step i (y); blank above the diagonal (not yet written). */
    static void heatmap(Path png, String title, String series, double[][] values, double min, double max) throws IOException {
        if (!RewardPlot.canPlot(png)) return;
        System.setProperty("java.awt.headless", "true");
        int n = values.length;
        List<Integer> xs = new ArrayList<>(), ys = new ArrayList<>();
        for (int i = 1; i <= n; i++) { xs.add(i); ys.add(i); }
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int j = 0; j <= i; j++) cells.add(new Number[] {j, i, values[i][j]});
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
