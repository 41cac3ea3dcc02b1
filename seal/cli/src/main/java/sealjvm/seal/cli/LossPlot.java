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

/** loss_curve.png of a pretraining run: training loss per step and held-out loss where measured. */
final class LossPlot {
    private LossPlot() {}

    static void write(Path png, List<JsonNode> metrics) throws IOException {
        if (metrics.isEmpty() || !RewardPlot.canPlot(png)) return;
        System.setProperty("java.awt.headless", "true");
        List<Double> x = new ArrayList<>(), y = new ArrayList<>(), vx = new ArrayList<>(), vy = new ArrayList<>();
        for (JsonNode m : metrics) {
            x.add(m.get("step").asDouble());
            y.add(m.get("loss").asDouble());
            if (m.has("val_loss")) { vx.add(m.get("step").asDouble()); vy.add(m.get("val_loss").asDouble()); }
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title("GPT-2 pretraining: cross-entropy (nats/token)")
                .xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setMarkerSize(3);
        chart.addSeries("train", x, y).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        if (!vx.isEmpty()) chart.addSeries("held-out", vx, vy);
        try {   // XChart writes by file name (and adds .png to a name without it)
            AtomicFiles.write(png, ".png", tmp -> BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG));
        } catch (java.io.IOException e) {   // e.g. "No space left on device": say which file
            throw AtomicFiles.named(png, e);
        }
    }
}
