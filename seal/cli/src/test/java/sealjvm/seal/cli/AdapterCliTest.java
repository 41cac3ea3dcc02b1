package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.cli.CliHarness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.edit.Adapters;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;

/**
 * {@code --adapter} on logits/perplexity/generate against PyTorch: the PEFT-merged logits of
 * weights/fixtures/peft (made by weights/scripts/make_peft_fixture.py), merged and as a hook, one adapter and two in order.
 */
class AdapterCliTest {
    static Path peft() { return CliHarness.home().resolve("weights/fixtures/peft"); }

    static String ids() throws Exception {
        JsonNode n = new ObjectMapper().readTree(peft().resolve("ids.json").toFile());
        StringBuilder s = new StringBuilder();
        for (JsonNode id : n.get("ids")) s.append(s.isEmpty() ? "" : ",").append(id.asInt());
        return s.toString();
    }

    static double maxAbsDiff(Path a, Path b) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Npy.read(a, arena), y = Npy.read(b, arena);
            assertEquals(x.size(), y.size());
            double m = 0;
            for (long i = 0; i < x.size(); i++) m = Math.max(m, Math.abs(x.get(i) - y.get(i)));
            return m;
        }
    }

    @Test
    void logitsWithAdaptersEqualPytorchsPeftMergedLogits(@TempDir Path tmp) throws Exception {
        String a = peft().resolve("lora-a").toString(), b = peft().resolve("lora-b-rslora").toString();
        // Without --model: the base named by the adapter (a path relative to the adapter folder) is loaded.
        Path base = tmp.resolve("base.npy");
        assertEquals(0, cli("logits", "--model", CliHarness.tiny().toString(), "--ids", ids(), "--out", base.toString()).code());
        for (String mode : List.of("merged", "hook")) {
            Path one = tmp.resolve(mode + "-a.npy"), two = tmp.resolve(mode + "-ab.npy");
            var r = cli("logits", "--adapter", a, "--adapter-mode", mode, "--ids", ids(), "--out", one.toString());
            assertEquals(0, r.code(), r.err());
            r = cli("logits", "--adapter", a, "--adapter", b, "--adapter-mode", mode, "--ids", ids(), "--out", two.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(maxAbsDiff(one, peft().resolve("logits_a.npy")) <= 1e-4, mode + ": " + maxAbsDiff(one, peft().resolve("logits_a.npy")));
            assertTrue(maxAbsDiff(two, peft().resolve("logits_ab.npy")) <= 1e-4, mode + ": " + maxAbsDiff(two, peft().resolve("logits_ab.npy")));
        }
        // The fixture is a real change: the adapters move the logits far beyond the tolerance.
        assertTrue(maxAbsDiff(base, peft().resolve("logits_a.npy")) > 1e-2);
        assertTrue(maxAbsDiff(peft().resolve("logits_a.npy"), peft().resolve("logits_ab.npy")) > 1e-2);
    }

    @Test
    void mergedAdaptersAreRevertedBitExactly() throws Exception {
        try (Gpt2Model m = Gpt2Model.load(CliHarness.tiny()); Arena arena = Arena.ofShared()) {
            String w = "h.0.attn.c_attn.weight";
            float[] before = m.params.get(w).toArray();
            try (Adapters ad = Adapters.apply(m, List.of(peft().resolve("lora-a"), peft().resolve("lora-b-rslora")), Adapters.Mode.MERGED)) {
                assertFalse(java.util.Arrays.equals(before, m.params.get(w).toArray()), "merged into the weights");
                assertSame(sealjvm.gpt2.LinearHook.NONE, ad.hook());
            }
            assertArrayEquals(before, m.params.get(w).toArray());
            try (Adapters ad = Adapters.apply(m, List.of(peft().resolve("lora-a")), Adapters.Mode.HOOK)) {
                assertArrayEquals(before, m.params.get(w).toArray(), "a hook leaves the weights alone");
                assertNotSame(sealjvm.gpt2.LinearHook.NONE, ad.hook());
            }
        }
    }

    @Test
    void perplexityAndGenerateTakeAdaptersInBothModes(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "The jury said it did find that many of the voters were not at home.", StandardCharsets.UTF_8);
        String a = peft().resolve("lora-a").toString();
        ObjectMapper json = new ObjectMapper();
        double plain = json.readTree(cli("perplexity", "--model", CliHarness.tiny().toString(), "--corpus", text.toString(),
                "--brown-dir", CliHarness.home().resolve("weights/fixtures/brown").toString()).out()).get("perplexity").asDouble();
        double[] ppl = new double[2];
        String[] gen = new String[2];
        for (int k = 0; k < 2; k++) {
            String mode = k == 0 ? "merged" : "hook";
            var r = cli("perplexity", "--adapter", a, "--adapter-mode", mode, "--corpus", text.toString(),
                    "--brown-dir", CliHarness.home().resolve("weights/fixtures/brown").toString());
            assertEquals(0, r.code(), r.err());
            JsonNode o = json.readTree(r.out());
            assertEquals(mode, o.get("adapter_mode").asText());
            ppl[k] = o.get("perplexity").asDouble();
            r = cli("generate", "--adapter", a, "--adapter-mode", mode, "--prompt", "The jury", "--temperature", "0", "--max-new-tokens", "6", "--json");
            assertEquals(0, r.code(), r.err());
            gen[k] = json.readTree(r.out()).get("ids").toString();
        }
        assertEquals(ppl[0], ppl[1], 1e-4 * ppl[0]);
        assertNotEquals(plain, ppl[0], 1e-3 * plain);
        assertEquals(gen[0], gen[1], "greedy decoding: merged and hook choose the same tokens");
    }

    @Test
    void badAdaptersAreOneLine(@TempDir Path tmp) throws Exception {
        var r = cli("logits", "--adapter", tmp.resolve("none").toString(), "--ids", "1", "--out", tmp.resolve("x.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --adapter") && r.err().contains("none") && r.err().strip().lines().count() == 1, r.err());
        r = cli("logits", "--adapter", peft().resolve("lora-a").toString(), "--adapter-mode", "fused", "--ids", "1", "--out", tmp.resolve("x.npy").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--adapter-mode must be one of [merged, hook], got 'fused'"), r.err());
        Path hub = tmp.resolve("hub");
        Files.createDirectories(hub);
        Files.writeString(hub.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":1,\"base_model_name_or_path\":\"gpt2\"}");
        r = cli("logits", "--adapter", hub.toString(), "--ids", "1", "--out", tmp.resolve("x.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("base_model_name_or_path") && r.err().contains("--model"), r.err());
        assertFalse(Files.exists(tmp.resolve("x.npy")));
        // eval merges adapters only: its arms are hooks of their own. Refused before the run is read.
        r = cli("eval", "--run", tmp.resolve("no-run").toString(), "--adapter", peft().resolve("lora-a").toString(), "--adapter-mode", "hook");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--adapter-mode hook") && r.err().contains("merged"), r.err());
        r = cli("eval", "--run", tmp.resolve("no-run").toString(), "--adapter", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--adapter") && r.err().contains("adapter_config.json"), r.err());
    }
}
