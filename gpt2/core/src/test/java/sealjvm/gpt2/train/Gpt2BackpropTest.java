package sealjvm.gpt2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Repo;

/**
 * The backward pass against PyTorch autograd (float64 truth from weights/scripts/make_grad_fixtures.py):
 * loss, logits and the gradient of every parameter, and a short AdamW run with accumulation and clipping.
 */
class Gpt2BackpropTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Path fixture(String name) { return Repo.weights().resolve("fixtures/train").resolve(name); }

    static int[] flat(JsonNode rows) {
        int B = rows.size(), T = rows.get(0).size();
        int[] out = new int[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) out[b * T + t] = rows.get(b).get(t).asInt();
        return out;
    }

    /** A fixture's batch.json: (B,T) inputs and targets, flat. */
    record Batch(int B, int T, int[] inputs, int[] targets) {
        static Batch of(Path dir) throws IOException {
            JsonNode b = JSON.readTree(dir.resolve("batch.json").toFile());
            return new Batch(b.get("B").asInt(), b.get("T").asInt(), flat(b.get("inputs")), flat(b.get("targets")));
        }
    }

    /** ‖a − ref‖ / ‖ref‖ in double. */
    static double relError(float[] a, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) { double d = a[i] - ref[i]; num += d * d; den += ref[i] * ref[i]; }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied", "tiny-untied"})
    void lossLogitsAndEveryGradientMatchPyTorch(String name) throws IOException {
        Path dir = fixture(name);
        Batch batch = Batch.of(dir);
        int B = batch.B(), T = batch.T();
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backprop bp = new Gpt2Backprop(model, B, T);
             SafeTensors ref = SafeTensors.open(dir.resolve("grads.safetensors"))) {
            float loss = bp.forward(batch.inputs(), batch.targets());
            assertEquals(ref.readF64("loss")[0], loss, 1e-5, "loss");
            double[] logits = ref.readF64("logits");
            float[] ours = bp.logits().toArray();
            double maxErr = 0;
            for (int i = 0; i < logits.length; i++) maxErr = Math.max(maxErr, Math.abs(ours[i] - logits[i]));
            assertTrue(maxErr < 1e-4, "logits max abs error " + maxErr);

            bp.zeroGrad();
            bp.backward(1f);
            int checked = 0;
            double worst = 0;
            String worstName = "";
            for (var e : bp.grads.byName().entrySet()) {
                double[] want = ref.readF64(e.getKey());
                double err = relError(e.getValue().toArray(), want);
                assertTrue(err <= 1e-4, name + ": gradient of " + e.getKey() + " has relative error " + err);
                if (err > worst) { worst = err; worstName = e.getKey(); }
                checked++;
            }
            System.out.printf("%s: loss %.9f (torch %.9f), logits max abs error %.2e, worst gradient relative error %.2e (%s)%n",
                    name, loss, ref.readF64("loss")[0], maxErr, worst, worstName);
            assertEquals(ref.names().size() - 2, checked, "every gradient in the fixture was compared");
        }
    }

    @Test
    void accumulatedGradientsAddUpAndBackwardIsThreadCountIndependent() throws IOException {
        Path dir = fixture("tiny-tied");
        Batch batch = Batch.of(dir);
        int B = batch.B(), T = batch.T();
        int[] x = batch.inputs(), y = batch.targets();
        int threads = Parallel.threads();
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backprop bp = new Gpt2Backprop(model, B, T)) {
            bp.forward(x, y);
            bp.backward(1f);
            float[] once = bp.grads.all.toArray();
            bp.forward(x, y);
            bp.backward(1f);
            float[] twice = bp.grads.all.toArray();
            for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], 1e-6f + 1e-6f * Math.abs(once[i]), "accumulated grad " + i);

            Parallel.setThreads(1);
            bp.zeroGrad();
            bp.forward(x, y);
            bp.backward(1f);
            assertArrayEquals(once, bp.grads.all.toArray(), "same bits on 1 thread");
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void restrictedGradientsEqualTheFullOnes() throws IOException {
        Path dir = fixture("tiny-untied");
        Batch batch = Batch.of(dir);
        int B = batch.B(), T = batch.T();
        int[] x = batch.inputs(), y = batch.targets();
        String only = "h.1.mlp.c_proj.weight";
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backprop full = new Gpt2Backprop(model, B, T);
             Gpt2Backprop some = new Gpt2Backprop(model, B, T, only::equals)) {
            full.forward(x, y);
            full.backward(1f);
            some.forward(x, y);
            some.backward(1f);
            assertArrayEquals(full.grads.get(only).toArray(), some.grads.get(only).toArray());
            assertEquals(0f, some.grads.get("h.0.attn.c_attn.weight").toArray()[0], "not computed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-tied", "tiny-untied"})
    void headOverCountedRowsAndFrozenHeadGiveTheFullPassBits(String name) throws IOException {
        Path dir = fixture(name);
        Batch batch = Batch.of(dir);
        int B = batch.B(), T = batch.T();
        int[] x = batch.inputs(), y = batch.targets();
        for (int i = 0; i < y.length; i += 3) y[i] = -1;   // a third of the positions not counted, as padding is
        String only = "h.1.mlp.c_fc.weight";
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backprop full = new Gpt2Backprop(model, B, T);
             Gpt2Backprop counted = new Gpt2Backprop(model, B, T, only::equals)) {
            // full trains the head, so its head runs over every row; counted runs it over the counted rows only
            float lossFull = full.forward(x, y);
            full.backward(0.5f);
            float[] lossesFull = full.losses();
            for (FrozenHead head : new FrozenHead[] {null, FrozenHead.of(model)}) {
                counted.zeroGrad();
                assertEquals(Float.floatToIntBits(lossFull), Float.floatToIntBits(counted.forward(x, y, head)));
                assertArrayEquals(lossesFull, counted.losses());
                counted.backward(0.5f);
                assertArrayEquals(full.grads.get(only).toArray(), counted.grads.get(only).toArray(), "bit for bit, head " + head);
            }
            assertThrows(IllegalArgumentException.class, () -> full.forward(x, y, FrozenHead.of(model)), "a trained head cannot be frozen");
            try (Gpt2Model other = Gpt2Model.create(new sealjvm.gpt2.Gpt2Config(16, 2, 2, 32, model.config.vocabSize(), 1e-5f, "gelu_new"), true)) {
                assertThrows(IllegalArgumentException.class, () -> counted.forward(x, y, FrozenHead.of(other)), "another model's head");
            }
        }
    }

    @Test
    void frozenHeadNoticesAChangedHead() throws IOException {
        try (Gpt2Model model = Gpt2Model.load(fixture("tiny-tied"))) {
            FrozenHead head = FrozenHead.of(model);
            assertTrue(head.matches(model));
            Tensor w = model.params.lmHead;
            w.set(w.size() - 1, w.get(w.size() - 1) + 1f);
            assertFalse(head.matches(model));
        }
    }

    @Test
    void adamWRunMatchesTorchOptimAdamW() throws IOException {
        Path dir = fixture("tiny-tied");
        JsonNode run = JSON.readTree(dir.resolve("adamw.json").toFile());
        LrSchedule lr = new LrSchedule(run.get("lr").asDouble(), run.get("min_lr").asDouble(), run.get("warmup_steps").asInt(),
                run.get("total_steps").asInt());
        int accum = run.get("accum_steps").asInt();
        JsonNode steps = run.get("micro_batches");
        JsonNode first = steps.get(0).get(0).get("inputs");
        int B = first.size(), T = first.get(0).size();
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backprop bp = new Gpt2Backprop(model, B, T);
             AdamW opt = new AdamW(model.params, (float) run.get("beta1").asDouble(), (float) run.get("beta2").asDouble(),
                     (float) run.get("eps").asDouble(), (float) run.get("weight_decay").asDouble(), AdamW.decayMatrices(model.params));
             SafeTensors fin = SafeTensors.open(dir.resolve("adamw_final.safetensors"))) {
            for (int s = 0; s < steps.size(); s++) {
                JsonNode want = run.get("steps").get(s);
                assertEquals(want.get("lr").asDouble(), lr.at(s), 1e-15, "lr at step " + s);
                bp.zeroGrad();
                double loss = 0;
                for (JsonNode mb : steps.get(s)) {
                    loss += bp.forward(flat(mb.get("inputs")), flat(mb.get("targets"))) / accum;
                    bp.backward(1f / accum);
                }
                double norm = AdamW.clipGradNorm(bp.grads, run.get("grad_clip").asDouble());
                assertEquals(want.get("loss").asDouble(), loss, 1e-4 * want.get("loss").asDouble(), "loss at step " + s);
                assertEquals(want.get("grad_norm").asDouble(), norm, 1e-4 * want.get("grad_norm").asDouble(), "grad norm at step " + s);
                opt.update(bp.grads, lr.at(s));
            }
            int C = model.config.nEmbd();
            for (var e : model.params.byName().entrySet()) {
                float[] ours = e.getValue().toArray();
                double[] want = fin.readF64(e.getKey());
                if (e.getKey().endsWith("attn.c_attn.bias")) {
                    // The key bias adds q·b_k to every score of a row, which softmax ignores: its true gradient is
                    // exactly 0, float32 leaves ~1e-9 of noise, and Adam's m/√v turns any nonzero noise into steps
                    // of size lr. So compare the query and value biases only.
                    for (int i = C; i < 2 * C; i++) { ours[i] = 0f; want[i] = 0; }
                }
                if (e.getKey().endsWith("attn.c_attn.weight")) {
                    // The query and key columns of the last block get gradients near float32's noise (its attention
                    // barely changes the loss), and Adam's m/√v scales that noise up to steps of size lr: with 8-lane
                    // sums (AVX2) they land 5e-5 and 1e-5 from PyTorch's float64 after 6 steps, with 16-lane sums
                    // below 1e-5. Their gradients are checked in lossLogitsAndEveryGradientMatchPyTorch; here they get 1e-4 and the value
                    // columns 1e-5 as every other parameter.
                    int N = 3 * C;
                    float[] qk = new float[ours.length / 3 * 2];
                    double[] qkWant = new double[qk.length];
                    for (int i = 0, n = 0; i < ours.length; i++) {
                        if (i % N >= 2 * C) continue;
                        qk[n] = ours[i]; qkWant[n++] = want[i]; ours[i] = 0f; want[i] = 0;
                    }
                    double qkErr = relError(qk, qkWant);
                    assertTrue(qkErr < 1e-4, "parameter " + e.getKey() + " (query, key) after 6 AdamW steps: relative error " + qkErr);
                }
                double err = relError(ours, want);
                assertTrue(err < 1e-5, "parameter " + e.getKey() + " after 6 AdamW steps: relative error " + err);
            }
        }
    }
}
