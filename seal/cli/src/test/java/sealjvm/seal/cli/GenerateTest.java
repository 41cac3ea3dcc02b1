package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.cli.CliHarness.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code seal generate}: prompt sources, --json, --batch and the tokens/s summary. */
class GenerateTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The bundled model is stored in F16, so holding it in F16 gives the float32 load's logits, hence the same text. */
    @Test
    void sixteenBitWeightsGiveTheSameContinuationAndABadFormatIsOneLine() {
        String[] args = {"generate", "--prompt", "The jury said", "--max-new-tokens", "8", "--seed", "5"};
        var f32 = cli(args);
        assertEquals(0, f32.code(), f32.err());
        var f16 = cli(concat(args, "--weights", "f16"));
        assertEquals(0, f16.code(), f16.err());
        assertEquals(f32.out(), f16.out());
        var bf16 = cli(concat(args, "--weights", "bf16"));
        assertEquals(0, bf16.code(), bf16.err());
        assertTrue(bf16.out().startsWith("The jury said"), bf16.out());
        var bad = cli(concat(args, "--weights", "f8"));
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--weights") && bad.err().contains("f8"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    /**
     * --weights q8_0 generates from the bundled model (quantized at load); a merged adapter, which writes float32
     * weights, is refused in one line naming Q8_0.
     */
    @Test
    void q8WeightsGenerateAndRefuseMergedAdapters() {
        String[] args = {"generate", "--prompt", "The jury said", "--max-new-tokens", "8", "--seed", "5"};
        var q8 = cli(concat(args, "--weights", "q8_0"));
        assertEquals(0, q8.code(), q8.err());
        assertTrue(q8.out().startsWith("The jury said") && q8.out().length() > "The jury said".length(), q8.out());
        String adapter = CliHarness.home().resolve("weights/fixtures/peft/lora-a").toString();
        var merged = cli(concat(args, "--weights", "q8_0", "--adapter", adapter));
        assertEquals(1, merged.code(), merged.out());
        assertTrue(merged.err().contains("merged edits needs float32 weights") && merged.err().contains("Q8_0"), merged.err());
        assertEquals(1, merged.err().strip().lines().count(), merged.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void promptFromStdinFileOrOptionGivesTheSameContinuation(@TempDir Path tmp) throws Exception {
        String prompt = "The jury said";
        Path f = tmp.resolve("p.txt");
        Files.writeString(f, prompt, StandardCharsets.UTF_8);
        var a = cli("generate", "--prompt", prompt, "--max-new-tokens", "6", "--seed", "3");
        var b = cli(prompt.getBytes(StandardCharsets.UTF_8), "generate", "--max-new-tokens", "6", "--seed", "3");
        var c = cli("generate", "--prompt-file", f.toString(), "--max-new-tokens", "6", "--seed", "3");
        for (var r : List.of(a, b, c)) assertEquals(0, r.code(), r.err());
        assertEquals(a.out(), b.out());
        assertEquals(a.out(), c.out());
        assertTrue(a.out().startsWith(prompt));
        assertTrue(a.err().matches("(?s).*generated \\d+ token\\(s\\) for 1 prompt\\(s\\) in [0-9.]+ s: [0-9.]+ tokens/s, first token after \\d+ ms.*"), a.err());

        var j = cli("generate", "--prompt", prompt, "--max-new-tokens", "6", "--seed", "3", "--json");
        assertEquals(0, j.code(), j.err());
        assertEquals(1, j.out().strip().lines().count(), "one line");
        JsonNode o = JSON.readTree(j.out());
        assertEquals(a.out().strip(), (prompt + o.get("text").asText()).strip(), "text is the continuation only");
        assertTrue(o.get("ids").size() >= 1 && o.get("ids").size() <= 6);
        assertTrue(o.get("tokens_per_s").asDouble() > 0);
        assertTrue(o.get("time_to_first_token_ms").asDouble() > 0);

        var bad = cli("generate", "--prompt", prompt, "--prompt-file", f.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("one of --prompt, --prompt-file and --batch"), bad.err());
        bad = cli("generate", "--prompt-file", tmp.resolve("missing.txt").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--prompt-file") && bad.err().contains("missing.txt"), bad.err());
    }

    @Test
    void batchDecodesEveryPromptAsItWouldAlone(@TempDir Path tmp) throws Exception {
        // Two prompts of one token length (one batched forward) and one of another length.
        List<String> prompts = List.of("The jury said", "The man went", "Once upon a time there was");
        Path f = tmp.resolve("batch.txt");
        Files.writeString(f, String.join("\n", prompts) + "\n\n", StandardCharsets.UTF_8);
        var r = cli("generate", "--batch", f.toString(), "--temperature", "0", "--max-new-tokens", "8");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(r.err().contains("for 3 prompt(s)"), r.err());
        for (int i = 0; i < prompts.size(); i++) {
            var alone = cli("generate", "--prompt", prompts.get(i), "--temperature", "0", "--max-new-tokens", "8", "--json");
            assertEquals(0, alone.code(), alone.err());
            assertEquals(JSON.readTree(alone.out()).get("ids"), JSON.readTree(lines.get(i)).get("ids"), "prompt " + i);
        }
    }
}
