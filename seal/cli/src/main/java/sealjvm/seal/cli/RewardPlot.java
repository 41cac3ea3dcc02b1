package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import sealjvm.tensor.AtomicFiles;

/** The reward curve of a run as a PNG: per-episode mean reward and its moving average. */
final class RewardPlot {
    private RewardPlot() {}

    /**
     * Whether this runtime can draw PNGs: XChart needs AWT (module java.desktop), which the self-contained bundle
     * leaves out to stay small. Without it the plots are skipped with a note; metrics.jsonl has every number.
     */
    static boolean canPlot(Path png) {
        if (ModuleLayer.boot().findModule("java.desktop").isPresent()) return true;
        System.err.println("note: " + png.getFileName() + " not drawn: this Java runtime has no java.desktop (AWT); metrics.jsonl has the numbers");
        return false;
    }

    static void write(Path png, List<JsonNode> metrics, String task) throws IOException {
        if (metrics.isEmpty() || !canPlot(png)) return;
        System.setProperty("java.awt.headless", "true");
        List<Double> x = new ArrayList<>(), y = new ArrayList<>(), avg = new ArrayList<>();
        int w = Math.max(1, metrics.size() / 20);
        double sum = 0;
        for (int i = 0; i < metrics.size(); i++) {
            double r = metrics.get(i).get("reward_mean").doubleValue();
            x.add((double) i);
            y.add(r);
            sum += r;
            if (i >= w) sum -= metrics.get(i - w).get("reward_mean").doubleValue();
            avg.add(sum / Math.min(i + 1, w));
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title("SEAL " + task + ": reward per episode")
                .xAxisTitle("episode").yAxisTitle("mean reward (gain - penalties)").build();
        chart.getStyler().setMarkerSize(0);
        chart.addSeries("reward", x, y);
        chart.addSeries("moving average (" + w + ")", x, avg);
        try {   // XChart writes by file name (and adds .png to a name without it)
            AtomicFiles.write(png, ".png", tmp -> BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG));
        } catch (java.io.IOException e) {   // e.g. "No space left on device": say which file
            throw AtomicFiles.named(png, e);
        }
    }
}
