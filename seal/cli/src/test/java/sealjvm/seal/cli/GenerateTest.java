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
