package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.cli.CliHarness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.seal.BundledModel;
import sealjvm.seal.Progress;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.data.Facts;
import sealjvm.seal.text.TextSealConfig;
import sealjvm.seal.text.TextSealTrainer;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;

/** {@code seal edit} (a trained run's edit for any text, as an adapter) and {@code seal merge} (a merged HF folder). */
class EditMergeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static float[] logits(Path tmp, String name, String ids, String... extra) throws Exception {
        Path out = tmp.resolve(name + ".npy");
        List<String> args = new ArrayList<>(List.of("logits", "--ids", ids, "--out", out.toString()));
        args.addAll(List.of(extra));
        var r = cli(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofShared()) {
            return Npy.read(out, arena).toArray();
        }
    }

    static String csv(int[] ids) { return String.join(",", Arrays.stream(ids).mapToObj(Integer::toString).toList()); }

    /** Σ log p(answer tokens | question) from logits [T, V] of question + answer. */
    static double answerLogLik(float[] logits, int[] seq, int answerFrom, int V) {
        double s = 0;
        for (int t = answerFrom; t < seq.length; t++) {
            int row = t - 1;
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) max = Math.max(max, logits[row * V + v]);
            double z = 0;
            for (int v = 0; v < V; v++) z += Math.exp(logits[row * V + v] - max);
            s += logits[row * V + seq[t]] - max - Math.log(z);
        }
        return s;
    }

    @Test
    void textRunsEditForAPassageRaisesItsAnswersWithoutThePassage(@TempDir Path tmp) throws Exception {
        Path home = CliHarness.home();
        Path model = home.resolve("weights/models").resolve(BundledModel.RC_NAME);
        // A tiny text run (one round, one passage, one sample); the inner loop is the one the export uses.
        TextSealConfig c = new TextSealConfig("text", "facts", model.toString(), TextSealConfig.DEFAULT_PROMPT, 8, 1f, 50, 1, 1, 1, -1e9, false,
                "passage+edit", "h.*.mlp.c_fc,h.*.mlp.c_proj", 4, 8, 12, 1e-2, "h.*.mlp.c_fc", 2, 4, 1, 1e-3, 3, 11, 0, "whole", 1, null, null, null, null, null, null);
        Path run = tmp.resolve("run");
        TextSealTrainer.train(c, home, run, Progress.NONE);

        Facts.Passage p = Facts.generate(4242, 1).getFirst();   // a passage the run never saw
        Path passage = tmp.resolve("passage.txt");
        Files.writeString(passage, p.text(), StandardCharsets.UTF_8);
        Path adapter = tmp.resolve("adapter");
        var r = cli("edit", "--run", run.toString(), "--context", passage.toString(), "--out", adapter.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode line = JSON.readTree(r.out());
        assertEquals("text", line.get("method").asText());
        assertTrue(Files.isRegularFile(adapter.resolve("self_edit.txt")));
        assertEquals(line.get("self_edit").asText(), Files.readString(adapter.resolve("self_edit.txt")));
        JsonNode cfg = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals(model.toAbsolutePath().normalize().toString(), cfg.get("base_model_name_or_path").asText(), "names its base by an absolute path");

        // The questions asked without the passage: the adapter (its base loaded from adapter_config.json) raises the answers' likelihood.
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
        double gain = 0;
        for (Facts.Fact f : p.facts()) {
            int[] q = tok.encode(f.question()), seq = tok.encode(f.question() + f.answer());
            float[] base = logits(tmp, "base", csv(seq), "--model", model.toString());
            float[] edited = logits(tmp, "edited", csv(seq), "--adapter", adapter.toString());
            gain += answerLogLik(edited, seq, q.length, 50257) - answerLogLik(base, seq, q.length, 50257);
        }
        gain /= p.facts().size();
        assertTrue(gain > 0.5, "mean answer log-likelihood gain " + gain + " nats");

        r = cli("generate", "--adapter", adapter.toString(), "--prompt", p.facts().getFirst().question(), "--temperature", "0", "--max-new-tokens", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith(p.facts().getFirst().question()), r.out());

        // A second export into the same folder is refused; nothing half-written is left beside it.
        r = cli("edit", "--run", run.toString(), "--context", passage.toString(), "--out", adapter.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--out") && r.err().contains("not empty"), r.err());

        // eval with the adapter merged into the run's model: its controls are cached apart from the run's own.
        JsonNode eval = sealjvm.seal.text.TextSealEval.evaluate(home, run, null, 2, 5, 1,
                new sealjvm.seal.eval.Baselines.Recipe(4, 2, 2, 3e-3, new int[] {1}, new double[] {1e-3}, 1), List.of(adapter));
        assertEquals(adapter.toString(), eval.get("adapters").get(0).asText());
        assertFalse(Files.exists(run.resolve("sft_passage.json")), "not cached as the run's own controls");
        assertFalse(Files.exists(run.resolve("eval.json")), "nor kept as the run's own eval");
        try (var s = Files.list(run)) {
            assertTrue(s.anyMatch(d -> d.getFileName().toString().startsWith("eval-adapters-") && Files.exists(d.resolve("sft_passage.json"))
                    && Files.exists(d.resolve("eval.json"))));
        }
    }

    @Test
    void generatorRunsEditIsAnAdapterOfTheRunsModel(@TempDir Path tmp) throws Exception {
        Path home = CliHarness.home();
        TrainConfig c = new TrainConfig(TrainConfig.TaskName.FACTS, CliHarness.tiny().toString(), "h.1.mlp.c_proj", 2, 2f, 3,
                2, 1e-3, TrainConfig.Schedule.COSINE, 9, 16, 0.02, 0.01, TrainConfig.Baseline.RLOO, 0.9, 1.0, 1.0, 0.001, TrainConfig.DataSource.SAMPLE, 1234);
        Path run = tmp.resolve("run");
        sealjvm.seal.Trainer.train(c, home, run, Progress.NONE);
        Path adapter = tmp.resolve("a");
        var r = cli(new byte[0], "edit", "--run", run.toString(), "--context", "-", "--out", adapter.toString());
        assertEquals(1, r.code(), "empty stdin");
        r = cli("The town of Velmor was founded by Adra Kesh.".getBytes(StandardCharsets.UTF_8),
                "edit", "--run", run.toString(), "--context", "-", "--out", adapter.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("generator", JSON.readTree(r.out()).get("method").asText());
        assertTrue(JSON.readTree(r.out()).get("delta_norm").asDouble() > 0);
        float[] base = logits(tmp, "b", "464,2068,7586", "--model", CliHarness.tiny().toString());
        float[] edited = logits(tmp, "e", "464,2068,7586", "--adapter", adapter.toString());
        assertFalse(Arrays.equals(base, edited), "the edit changes the model");
    }

    @Test
    void mergedFolderGivesTheLogitsOfBasePlusAdapters(@TempDir Path tmp) throws Exception {
        Path peft = AdapterCliTest.peft();
        String a = peft.resolve("lora-a").toString(), b = peft.resolve("lora-b-rslora").toString();
        // An F32 copy of the tiny model: the merged weights are stored exactly, so the logits are bit-identical.
        Path f32 = tmp.resolve("tiny-f32");
        try (Gpt2Model m = Gpt2Model.load(CliHarness.tiny())) { m.save(f32, DType.F32); }
        Path merged = tmp.resolve("merged");
        var r = cli("merge", "--model", f32.toString(), "--adapter", a, "--adapter", b, "--out", merged.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("config.json", "model.safetensors", "vocab.json", "merges.txt", "README.md")) assertTrue(Files.exists(merged.resolve(f)), f);
        String card = Files.readString(merged.resolve("README.md"));
        assertTrue(card.contains(f32.toAbsolutePath().normalize().toString()) && card.contains("lora-a") && card.contains("lora-b-rslora"), card);
        String ids = "464,2068,7586,21831,18045";
        float[] want = logits(tmp, "want", ids, "--model", f32.toString(), "--adapter", a, "--adapter", b);
        float[] got = logits(tmp, "got", ids, "--model", merged.toString());
        assertArrayEquals(want, got);
        assertFalse(Arrays.equals(want, logits(tmp, "base", ids, "--model", f32.toString())));

        // The bundled F16 model stays F16, and lands within F16 rounding of PyTorch's merged logits.
        Path merged16 = tmp.resolve("merged16");
        r = cli("merge", "--adapter", a, "--adapter", b, "--out", merged16.toString());
        assertEquals(0, r.code(), r.err());
        try (SafeTensors st = SafeTensors.open(merged16.resolve("model.safetensors"))) {
            assertEquals(DType.F16, st.info("transformer.h.0.attn.c_attn.weight").orElseThrow().dtype());
        }
        float[] got16 = logits(tmp, "got16", ids, "--model", merged16.toString());
        try (Arena arena = Arena.ofShared()) {
            Tensor torch = Npy.read(peft.resolve("logits_ab.npy"), arena);
            double err = 0;
            for (int i = 0; i < got16.length; i++) err = Math.max(err, Math.abs(got16[i] - torch.get(i)));
            assertTrue(err < 5e-3, "max |merged F16 - torch| = " + err);
        }
        r = cli("merge", "--adapter", a, "--out", merged16.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not empty"), r.err());
    }
}
