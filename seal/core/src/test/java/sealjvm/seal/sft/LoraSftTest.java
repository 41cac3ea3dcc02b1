package sealjvm.seal.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.edit.Target;
import sealjvm.testsupport.Fixtures;

class LoraSftTest {
    static Path fixture(String name) { return Fixtures.path("train").resolve(name); }

    static int[] flat(JsonNode rows) {
        int B = rows.size(), T = rows.get(0).size();
        int[] out = new int[B * T];
        for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) out[b * T + t] = rows.get(b).get(t).asInt();
        return out;
    }

    /** The factor gradients against PyTorch autograd (weights/fixtures/train/tiny-tied/lora_grads.safetensors). */
    @Test
    void factorGradientsMatchPyTorch() throws Exception {
        Path dir = fixture("tiny-tied");
        JsonNode batch = new ObjectMapper().readTree(dir.resolve("batch.json").toFile());
        JsonNode lora = new ObjectMapper().readTree(dir.resolve("lora.json").toFile());
        int B = batch.get("B").asInt(), T = batch.get("T").asInt();
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(model.params);
             SafeTensors ref = SafeTensors.open(dir.resolve("lora_grads.safetensors"))) {
            List<LowRankDelta> ds = new ArrayList<>();
            List<Target> targets = new ArrayList<>();
            for (JsonNode t : lora.get("targets")) {
                String w = t.asText();                       // h.0.attn.c_attn.weight
                String[] parts = w.split("\\.");
                Target target = Target.of(model.config, Integer.parseInt(parts[1]), parts[2] + "." + parts[3]);
                targets.add(target);
                ds.add(new LowRankDelta(target, ref.readF32(w + ".lora_A", arena), ref.readF32(w + ".lora_B", arena), (float) lora.get("alpha").asDouble()));
            }
            Edit edit = new Edit(ds);
            float[] before = model.params.all.toArray();
            try (LoraSft sft = new LoraSft(model, edits, targets)) {
                double[] grad = new double[LoraSft.paramCount(edit)];
                double loss = sft.lossAndGrad(edit, flat(batch.get("inputs")), flat(batch.get("targets")), B, T, grad);
                assertEquals(ref.readF64("loss")[0], loss, 1e-5, "loss with the LoRA merged");
                int off = 0;
                for (LowRankDelta d : ds) {
                    String w = d.target().weightName();
                    for (String f : new String[] {".lora_A.grad", ".lora_B.grad"}) {
                        double[] want = ref.readF64(w + f);
                        double num = 0, den = 0;
                        for (int i = 0; i < want.length; i++) { double e = grad[off + i] - want[i]; num += e * e; den += want[i] * want[i]; }
                        double rel = Math.sqrt(num / den);
                        assertTrue(rel <= 1e-4, w + f + ": relative error " + rel);
                        off += want.length;
                    }
                }
            }
            assertArrayEquals(before, model.params.all.toArray(), "weights bit-exact after the merged forward/backward");
        }
    }

    @Test
    void fineTuningLowersTheLossAndTheResultIsARevertibleExportableEdit(@TempDir Path tmp) throws Exception {
        Path dir = fixture("tiny-tied");
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(model.params)) {
            List<Target> targets = Target.parse("h.1.mlp.c_proj,h.1.attn.c_attn", model.config);
            int[] text = {5, 17, 42, 99, 3, 64, 8, 21, 77, 13, 50, 2};
            float[] before = model.params.all.toArray();
            try (LoraSft sft = new LoraSft(model, edits, targets)) {
                LoraSft.Result r = sft.train(List.of(LoraSft.Example.of(text)), new LoraSft.Options(4, 8, 30, 1e-2, 1, 7), arena);
                assertTrue(r.losses()[29] < 0.7 * r.losses()[0], "loss " + r.losses()[0] + " -> " + r.losses()[29]);
                assertArrayEquals(before, model.params.all.toArray(), "training leaves the weights untouched");
                MergedEdits.Applied a = edits.apply(r.edit());
                edits.revert(a);
                assertArrayEquals(before, model.params.all.toArray(), "bit-exact revert");
                PeftAdapter.write(tmp.resolve("adapter"), r.edit(), "tiny-tied");
                Edit back = PeftAdapter.read(tmp.resolve("adapter"), model.config, arena);
                assertEquals(r.edit().frobeniusNorm(), back.frobeniusNorm(), 1e-6 * r.edit().frobeniusNorm());
            }
        }
    }

    /**
     * A batch of a long and short examples runs as one pass per padded length: its loss and factor gradient are the
     * batch's mean, the same (to float rounding) as one pass with every example padded to the longest.
     */
    @Test
    void examplesOfDifferentLengthsGiveTheGradientOfOnePaddedPass() {
        Gpt2Config config = new Gpt2Config(32, 2, 2, 96, 101, 1e-5f, "gelu_new");
        try (Gpt2Model model = Gpt2Model.create(config, true); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(model.params)) {
            SplittableRandom rng = new SplittableRandom(3);
            for (long i = 0; i < model.params.all.size(); i++) model.params.all.set(i, (float) (rng.nextGaussian() * 0.1));
            List<Target> targets = Target.parse("h.0.attn.c_attn,h.1.mlp.c_proj", config);
            List<LoraSft.Example> batch = new ArrayList<>();
            for (int len : new int[] {70, 5, 40, 9, 33}) {
                int[] tok = new int[len];
                for (int t = 0; t < len; t++) tok[t] = rng.nextInt(100);
                batch.add(new LoraSft.Example(tok, len == 40 ? 12 : 1));
            }
            try (LoraSft sft = new LoraSft(model, edits, targets)) {
                Edit edit = sft.init(new LoraSft.Options(4, 8, 1, 1e-2, 1, 5), arena);
                for (LowRankDelta d : edit.deltas()) for (long i = 0; i < d.b().size(); i++) d.b().set(i, (float) (rng.nextGaussian() * 0.05));
                double[] grouped = new double[LoraSft.paramCount(edit)], padded = new double[grouped.length];
                double groupedLoss = sft.lossAndGrad(edit, batch, grouped);
                int T = 96, B = batch.size();
                int[] x = new int[B * T], y = new int[B * T];
                java.util.Arrays.fill(y, -1);
                for (int b = 0; b < B; b++) {
                    int[] tok = batch.get(b).tokens();
                    for (int t = 0; t + 1 < tok.length; t++) { x[b * T + t] = tok[t]; if (t + 1 >= batch.get(b).lossFrom()) y[b * T + t] = tok[t + 1]; }
                }
                double paddedLoss = sft.lossAndGrad(edit, x, y, B, T, padded);
                assertEquals(paddedLoss, groupedLoss, 1e-5 * Math.abs(paddedLoss));
                double num = 0, den = 0;
                for (int i = 0; i < padded.length; i++) { double e = grouped[i] - padded[i]; num += e * e; den += padded[i] * padded[i]; }
                assertTrue(den > 0 && Math.sqrt(num / den) <= 1e-5, "relative error " + Math.sqrt(num / den));
            }
        }
    }

    /** A run stepped to 4 and then to 9 holds, bit for bit, the edits of fresh 4- and 9-step fine-tunes. */
    @Test
    void aContinuedRunGivesTheEditsOfFreshFineTunes() throws Exception {
        Path dir = fixture("tiny-tied");
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(model.params)) {
            List<Target> targets = Target.parse("h.1.mlp.c_proj,h.0.attn.c_attn", model.config);
            List<LoraSft.Example> data = List.of(LoraSft.Example.of(new int[] {5, 17, 42, 99, 3, 64, 8, 21}), LoraSft.Example.of(new int[] {7, 7, 30, 2}),
                    new LoraSft.Example(new int[] {11, 12, 13, 14, 15, 16}, 3));
            try (LoraSft sft = new LoraSft(model, edits, targets)) {
                LoraSft.Run run = sft.start(data, new LoraSft.Options(4, 8, 0, 1e-2, 2, 9), arena);
                for (int steps : new int[] {4, 9}) {
                    Edit fresh = sft.train(data, new LoraSft.Options(4, 8, steps, 1e-2, 2, 9), arena).edit();
                    Edit continued = run.stepTo(steps).edit();
                    assertEquals(steps, run.steps());
                    for (int d = 0; d < fresh.deltas().size(); d++) {
                        assertArrayEquals(fresh.deltas().get(d).a().toArray(), continued.deltas().get(d).a().toArray(), steps + " steps: A of delta " + d);
                        assertArrayEquals(fresh.deltas().get(d).b().toArray(), continued.deltas().get(d).b().toArray(), steps + " steps: B of delta " + d);
                    }
                }
            }
        }
    }

    /** The head is packed once per fine-tune setup, and again when the model's head changes: never a stale copy. */
    @Test
    void aChangedHeadIsNotReadFromAStalePackedCopy() throws Exception {
        Path dir = fixture("tiny-tied");
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(model.params)) {
            List<Target> targets = Target.parse("h.1.mlp.c_proj", model.config);
            List<LoraSft.Example> data = List.of(LoraSft.Example.of(new int[] {5, 17, 42, 99, 3, 64, 8, 21}), new LoraSft.Example(new int[] {11, 12, 13, 14, 15, 16}, 3));
            try (LoraSft sft = new LoraSft(model, edits, targets)) {
                Edit edit = sft.init(new LoraSft.Options(4, 8, 1, 1e-2, 1, 5), arena);
                double[] before = new double[LoraSft.paramCount(edit)], after = new double[before.length], fresh = new double[before.length];
                double lossBefore = sft.lossAndGrad(edit, data, before);
                for (long i = 0; i < model.params.lmHead.size(); i += 7) model.params.lmHead.set(i, model.params.lmHead.get(i) * 1.5f);
                double lossAfter = sft.lossAndGrad(edit, data, after);
                try (LoraSft other = new LoraSft(model, edits, targets)) {
                    assertEquals(other.lossAndGrad(edit, data, fresh), lossAfter);
                }
                assertArrayEquals(fresh, after);
                assertTrue(lossAfter != lossBefore, "the loss moved with the head");
            }
        }
    }
}
