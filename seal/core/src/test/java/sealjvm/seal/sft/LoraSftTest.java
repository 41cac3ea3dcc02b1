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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
}
