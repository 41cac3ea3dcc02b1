package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Repo;

/** The CLI contracts: exact command forms, outputs and exit codes. */
class SealCliTest {
    static Path home;

    @BeforeAll
    static void findHome() {
        home = Repo.root();
        assertNotNull(home, "repository root with weights/ not found");
        System.setProperty("seal.home", home.toString());
    }

    record Result(int code, String out, String err) {}

    static Result run(String stdin, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        InputStream oldIn = System.in;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = SealCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    @Test
    void benchReinforcePrintsRolloutsPerSecond() {
        Result r = run("", "bench", "reinforce", "--model", home.resolve("weights/models/gpt2-tiny-random").toString(), "--samples", "3",
                "--episodes", "2", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        String last = r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.startsWith("{\"bench\":\"reinforce\"") && last.contains("\"device\":\"cpu\"") && last.contains("\"rollouts_per_s\":"), last);
    }

    @Test
    void cudaWithoutADriverIsOneClearError() {
        org.junit.jupiter.api.Assumptions.assumeFalse(sealjvm.tensor.cuda.CudaDevice.available(), "a CUDA driver is present");
        Result r = run("", "bench", "edit", "--device", "cuda", "--rows", "8", "--cols", "8");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: CUDA library 'cuda'") && r.err().strip().lines().count() == 1, r.err());
        Result bad = run("", "generate", "--prompt", "Hi", "--device", "tpu");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--device must be cpu or cuda, got 'tpu'"), bad.err());
    }

    @Test
    void tokenizePrintsGpt3EncoderIds() {
        Result r = run("Hello, world! SEAL edits its own weights.", "tokenize");
        assertEquals(0, r.code(), r.err());
        assertEquals("15496,11,995,0,36160,31671,663,898,19590,13", r.out().strip());
    }

    @Test
    void logitsWritesTheFixtureLogits(@TempDir Path tmp) throws Exception {
        Path model = home.resolve("weights/fixtures/models/tiny-real-vocab");
        Path out = tmp.resolve("l.npy");
        Result r = run("", "logits", "--model", model.toString(), "--ids", "15496,11,995,0,36160,31671,663,898,19590,13", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (Arena arena = Arena.ofShared()) {
            Tensor got = Npy.read(out, arena), want = Npy.read(model.resolve("logits.npy"), arena);
            assertArrayEquals(new int[] {10, 50257}, got.shape());
            for (long i = 0; i < got.size(); i++) assertEquals(want.get(i), got.get(i), 1e-4);
        }
    }

    @Test
    void generateIsReproducibleWithASeed() {
        Result a = run("", "generate", "--prompt", "Once upon a time", "--max-new-tokens", "8", "--seed", "5");
        Result b = run("", "generate", "--prompt", "Once upon a time", "--max-new-tokens", "8", "--seed", "5");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith("Once upon a time"));
        assertTrue(a.out().length() > "Once upon a time".length() + 1, a.out());
        assertEquals(a.out(), b.out());
    }

    @Test
    void userErrorsAreOneLineWithoutStackTrace(@TempDir Path tmp) {
        Result r = run("", "logits", "--ids", "1,99999", "--out", tmp.resolve("x.npy").toString());
        assertEquals(1, r.code());
        assertEquals("error: --ids: token id 99999 is outside the vocabulary [0, 50257)", r.err().strip());
        assertFalse(Files.exists(tmp.resolve("x.npy")));

        r = run("", "generate", "--model", tmp.resolve("nope").toString(), "--prompt", "hi");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("nope") && !r.err().contains("\tat "), r.err());

        r = run("", "generate", "--prompt", "hi", "--max-new-tokens", "100000");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("n_positions=256"), r.err());

        r = run("", "logits", "--ids", "1,x", "--out", "y.npy");
        assertEquals(2, r.code()); // picocli: usage error
    }

    @Test
    void perplexityPrintsOneJsonLine(@TempDir Path tmp) throws Exception {
        String model = home.resolve("weights/fixtures/models/tiny-real-vocab").toString();
        String brown = home.resolve("weights/fixtures/brown").toString();
        Result r = run("", "perplexity", "--model", model, "--corpus", "brown-heldout", "--brown-dir", brown, "--max-tokens", "300");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals(model, json.get("model").asText());
        assertEquals("brown-heldout", json.get("corpus").asText());
        assertEquals(300, json.get("tokens").asInt());
        assertEquals(128, json.get("context").asInt());
        assertEquals(300 - 3, json.get("predicted").asInt()); // windows 128, 128, 44: their first tokens are not predicted
        double ppl = json.get("perplexity").asDouble(), nll = json.get("nll").asDouble();
        assertEquals(Math.exp(nll), ppl, 1e-9 * ppl);
        assertTrue(ppl > 1 && json.get("unigram_perplexity").asDouble() > 1, r.out());
        assertTrue(json.get("seconds").asDouble() >= 0);

        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "The jury said it did find that many of the laws are outmoded.");
        r = run("", "perplexity", "--model", model, "--corpus", text.toString(), "--brown-dir", brown);
        assertEquals(0, r.code(), r.err());
        assertEquals(17, new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("tokens").asInt()); // 16 + <|endoftext|>
    }

    @Test
    void perplexityRejectsUnknownCorpora(@TempDir Path tmp) throws Exception {
        String brown = home.resolve("weights/fixtures/brown").toString();
        Result r = run("", "perplexity", "--corpus", "brown-test", "--brown-dir", brown);
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: --corpus brown-test: "), r.err());
        assertEquals("", r.out());

        r = run("", "perplexity", "--corpus", tmp.resolve("missing.txt").toString(), "--brown-dir", brown);
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("missing.txt") && !r.err().contains("\tat "), r.err());

        Path bad = tmp.resolve("latin1.txt");
        Files.write(bad, new byte[] {'c', 'a', 'f', (byte) 0xe9});
        r = run("", "perplexity", "--corpus", bad.toString(), "--brown-dir", brown);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("latin1.txt") && r.err().contains("UTF-8"), r.err());

        r = run("", "perplexity", "--corpus", "brown-heldout", "--brown-dir", tmp.resolve("nobrown").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("nobrown"), r.err());
    }

    @Test
    void pretrainWritesAModelThatTheOtherCommandsLoad(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("pt");
        Result r = run("", "pretrain", "--corpus", "brown-sample", "--out", out.toString(), "--layers", "1", "--width", "32", "--heads", "2",
                "--context", "32", "--batch", "2", "--steps", "3", "--warmup", "1", "--eval-every", "3", "--eval-batches", "1", "--dtype", "f32",
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        var last = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(3, last.get("step").asInt());
        assertTrue(last.has("val_loss") && last.has("grad_norm"), r.out());
        assertTrue(Files.size(out.resolve("loss_curve.png")) > 1000);
        Result g = run("", "generate", "--model", out.resolve("model").toString(), "--prompt", "The", "--max-new-tokens", "3", "--seed", "1");
        assertEquals(0, g.code(), g.err());

        Result again = run("", "pretrain", "--corpus", "brown-sample", "--out", out.toString(), "--no-progress");
        assertEquals(1, again.code());
        assertTrue(again.err().startsWith("error: ") && again.err().contains("--resume"), again.err());
        Result bad = run("", "pretrain", "--corpus", "brown-sample", "--out", tmp.resolve("x").toString(), "--width", "30", "--heads", "4");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--width 30") && !bad.err().contains("\tat "), bad.err());
    }

    @Test
    void pretrainContinuesAModelOnBrownPlusRc(@TempDir Path tmp) throws Exception {
        Path base = tmp.resolve("base");
        Result r = run("", "pretrain", "--corpus", "brown-sample", "--out", base.toString(), "--layers", "1", "--width", "32", "--heads", "2",
                "--context", "32", "--batch", "2", "--steps", "1", "--warmup", "0", "--eval-batches", "1", "--dtype", "f32", "--no-progress");
        assertEquals(0, r.code(), r.err());
        String init = base.resolve("model").toString();
        Path out = tmp.resolve("rc");
        r = run("", "pretrain", "--corpus", "brown-sample+rc", "--rc-docs", "20", "--init", init, "--out", out.toString(), "--batch", "2",
                "--steps", "2", "--warmup", "0", "--eval-every", "2", "--eval-batches", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        var cfg = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("pretrain_config.json").toFile());
        assertEquals(32, cfg.get("nEmbd").asInt(), "the init model's shape, not the default width 128");
        assertEquals(32, cfg.get("context").asInt());
        assertEquals(init, cfg.get("init").asText());
        assertEquals(20, cfg.get("rcDocs").asInt());

        Result bad = run("", "pretrain", "--corpus", "brown-sample", "--init", init, "--width", "64", "--out", tmp.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--width 64") && bad.err().contains("--init"), bad.err());
        bad = run("", "pretrain", "--corpus", "brown-sample", "--rc-docs", "5", "--out", tmp.resolve("y").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--rc-docs"), bad.err());
    }

    @Test
    void textRunWritesItsRewardCurve(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("text");
        Result r = run("", "train", "--method", "text", "--task", "facts", "--model", home.resolve("weights/models/gpt2-brown").toString(),
                "--out", out.toString(), "--edit-tokens", "8", "--samples", "2", "--rounds", "2", "--passages", "2", "--threshold=-1e9",
                "--no-keep-vs-passage", "--inner-targets", "h.*.mlp.c_proj", "--inner-rank", "2", "--inner-alpha", "4", "--inner-steps", "2",
                "--inner-lr", "3e-3", "--policy-targets", "h.*.mlp.c_fc", "--policy-rank", "2", "--policy-alpha", "4", "--policy-epochs", "1",
                "--policy-lr", "1e-3", "--warm-start", "16", "--seed", "3", "--data-seed", "11", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("policy-round-2/adapter_config.json")));
        assertTrue(Files.exists(out.resolve("reward_curve.png")));
        var cfg = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertEquals("sentences_qa", cfg.get("editSplit").asText(), "a new run's default, recorded");
        assertEquals("sentence", cfg.get("editUnit").asText(), "a new run's default, recorded");
        assertEquals(2, cfg.get("innerSeeds").asInt());
        assertEquals("sentence", cfg.get("warmStartUnit").asText(), "a new run's default, recorded");
        assertEquals(4, cfg.get("keptRepeat").asInt(), "a new run's default, recorded");
        assertEquals("unasked", cfg.get("warmStartQuestions").asText(), "a new run's default, recorded");
    }

    /** The train command as {@code args} parse it (nothing run), with {@link SealCli#run}'s enum spelling. */
    static TrainCommand parsedTrain(String... args) {
        var cli = new picocli.CommandLine(new SealCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        var parsed = cli.parseArgs(args);
        return (TrainCommand) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void trainFactsDefaultsToTheSftGeneratorOnTheMlpsAndEachFlagStillWins() {
        var tiny = CliHarness.tiny();
        var facts = parsedTrain("train", "--task", "facts", "--out", "x").generatorConfig(tiny);
        assertEquals(sealjvm.seal.policy.EditPolicy.SFT, facts.policy());
        assertEquals(sealjvm.seal.TrainConfig.MLP_TARGETS, facts.targets());
        assertEquals(sealjvm.seal.policy.NoiseScope.CONTENT, facts.noiseScope());
        assertTrue(facts.antithetic());
        var chosen = parsedTrain("train", "--task", "facts", "--out", "x", "--generator", "mlp", "--targets", "h.1.attn.c_proj", "--no-antithetic")
                .generatorConfig(tiny);
        assertEquals(sealjvm.seal.policy.EditPolicy.MLP, chosen.policy());
        assertEquals("h.1.attn.c_proj", chosen.targets());
        assertEquals(sealjvm.seal.policy.NoiseScope.ALL, chosen.noiseScope());
        assertFalse(chosen.antithetic());
        assertEquals(1500, chosen.episodes());
        var lm = parsedTrain("train", "--task", "lm", "--out", "x").generatorConfig(tiny);
        assertEquals(sealjvm.seal.policy.EditPolicy.SFT, lm.policy());
        assertEquals(sealjvm.seal.TrainConfig.MLP_TARGETS, lm.targets());
        assertEquals(sealjvm.seal.policy.InitialEdit.STATIC, lm.initEdit());
        var lmZero = parsedTrain("train", "--task", "lm", "--out", "x", "--init-edit", "none").generatorConfig(tiny);
        assertEquals(sealjvm.seal.policy.InitialEdit.NONE, lmZero.initEdit());
        var spam = parsedTrain("train", "--task", "spam", "--out", "x").generatorConfig(tiny);
        assertEquals(sealjvm.seal.policy.EditPolicy.MLP, spam.policy());
        assertEquals(sealjvm.seal.TrainConfig.GLOBAL_TARGETS, spam.targets());
    }

    @Test
    void editSplitInnerSeedsAndCopyBiasParseWithTheLibrarysDefaults() {
        TrainCommand defaults = parsedTrain("train", "--method", "text", "--task", "facts", "--out", "x");
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_SPLIT, defaults.editSplit);
        assertEquals(2, defaults.innerSeeds);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_TEMPERATURE, defaults.temperature);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START, defaults.warmStart);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_UNIT, defaults.editUnit);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_EDIT_TOKENS, defaults.editTokens);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START_UNIT, defaults.warmStartUnit);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_KEPT_REPEAT, defaults.keptRepeat);
        assertEquals(sealjvm.seal.text.TextSealConfig.DEFAULT_WARM_START_QUESTIONS, defaults.warmStartQuestions);
        assertEquals(sealjvm.seal.text.CopyBias.DEFAULT,
                new sealjvm.seal.text.CopyBias(defaults.copyBias, defaults.copySpanBias, defaults.copySpanMatch), "the CLI's bias is the library's");
        TrainCommand set = parsedTrain("train", "--method", "text", "--task", "facts", "--out", "x", "--edit-split", "whole", "--inner-seeds", "3");
        assertEquals(sealjvm.seal.text.TextSealConfig.EditSplit.WHOLE, set.editSplit);
        assertEquals(3, set.innerSeeds);
    }

    @Test
    void textMethodRejectsTasksItDoesNotSupport(@TempDir Path tmp) {
        Result r = run("", "train", "--method", "text", "--task", "spam", "--out", tmp.resolve("t").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: --method text supports --task facts"), r.err());
        r = run("", "train", "--method", "texts", "--task", "facts", "--out", tmp.resolve("t").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--method must be generator or text"), r.err());
    }

    @Test
    void sftWritesAPeftAdapterAndLowersTheLoss(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("texts.txt");
        Files.writeString(data, "The capital of Veldra is Ostrin.\n\nVeldra was founded in 1422.\n");
        Result r = run("", "sft", "--data", data.toString(), "--out", tmp.resolve("adapter").toString(), "--steps", "12", "--batch", "2",
                "--targets", "h.1.mlp.c_proj");
        assertEquals(0, r.code(), r.err());
        var line = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out().strip());
        assertEquals(2, line.get("texts").asInt());
        var loss = line.get("loss");
        assertTrue(loss.get(11).asDouble() < loss.get(0).asDouble(), loss.toString());
        assertTrue(Files.exists(tmp.resolve("adapter/adapter_config.json")) && Files.exists(tmp.resolve("adapter/adapter_model.safetensors")));

        Result bad = run("", "sft", "--data", tmp.resolve("none.txt").toString(), "--out", tmp.resolve("a2").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("error: --data ") && bad.err().contains("none.txt"), bad.err());
    }

    @Test
    void verboseShowsTheStackTrace(@TempDir Path tmp) {
        Result r = run("", "--verbose", "logits", "--ids", "1,99999", "--out", tmp.resolve("x.npy").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
