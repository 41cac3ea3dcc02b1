package sealjvm.seal.scratch;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.seal.data.Facts;
import sealjvm.seal.data.TestHome;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.Target;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;
import sealjvm.tensor.Tensor;

class GradProbeTest {
    @Test
    void probe() throws Exception {
        var home = TestHome.find();
        String model = System.getProperty("probe.model", "weights/models/gpt2-brown");
        String tg = System.getProperty("probe.targets", "h.1.attn.c_proj");
        try (Gpt2Model m = Gpt2Model.load(home.resolve(model))) {
            Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
            FactsTask task = new FactsTask(tok, Facts.splits(1234, 2000, 200, 400));
            List<Target> targets = Target.parse(tg, m.config);
            double[] etas = {0.3, 1, 3, 10, 30};
            double[] sumGain = new double[etas.length], sumMargin = new double[etas.length + 1], sumAcc = new double[etas.length + 1];
            int units = 0;
            for (Task.Episode ep : task.episodes(Task.Stage.HELDOUT, 40)) {
                int[] c = ep.context();
                int T = (c.length - 1 + 31) / 32 * 32;
                int[] x = new int[T], y = new int[T];
                java.util.Arrays.fill(x, 50256); java.util.Arrays.fill(y, -1);
                for (int t = 0; t + 1 < c.length; t++) { x[t] = c[t]; y[t] = c[t + 1]; }
                List<Tensor> gs = new ArrayList<>();
                try (Gpt2Backprop bp = new Gpt2Backprop(m, 1, T, n -> targets.stream().anyMatch(q -> q.weightName().equals(n)))) {
                    bp.zeroGrad(); bp.forward(x, y); bp.backward(1f);
                    try (Arena a = Arena.ofShared()) {
                        List<Edit> edits = new ArrayList<>();
                        for (double eta : etas) {
                            List<LowRankDelta> ds = new ArrayList<>();
                            for (Target t : targets) {
                                float[] g = bp.grads.get(t.weightName()).toArray();
                                double nrm = 0; for (float v : g) nrm += v * v; nrm = Math.sqrt(nrm);
                                Tensor A = Tensor.allocate(a, t.in(), t.in()), B = Tensor.allocate(a, t.in(), t.out());
                                for (int i = 0; i < t.in(); i++) A.set((long) i * t.in() + i, 1f);
                                for (int i = 0; i < g.length; i++) B.set(i, (float) (-eta * g[i] / nrm));
                                ds.add(new LowRankDelta(t, A, B, t.in()));
                            }
                            edits.add(new Edit(ds));
                        }
                        Task.Detail d = task.detail(m, ep, edits, true);
                        for (int u = 0; u < d.units(); u++) {
                            sumMargin[0] += d.margin()[0][u]; sumAcc[0] += d.correct()[0][u];
                            for (int k = 0; k < etas.length; k++) {
                                sumGain[k] += d.score()[k + 1][u] - d.score()[0][u];
                                sumMargin[k + 1] += d.margin()[k + 1][u]; sumAcc[k + 1] += d.correct()[k + 1][u];
                            }
                        }
                        units += d.units();
                    }
                }
            }
            System.out.printf("PROBE %s %s base margin %.3f acc %.3f%n", model, tg, sumMargin[0] / units, sumAcc[0] / units);
            for (int k = 0; k < etas.length; k++) System.out.printf("PROBE eta %.1f gain %.3f margin %.3f acc %.3f%n", etas[k], sumGain[k] / units, sumMargin[k + 1] / units, sumAcc[k + 1] / units);
        }
    }
}
