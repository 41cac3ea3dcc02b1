package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.gpt2.safetensors.SafeTensorsException;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.edit.Target;
import sealjvm.tensor.Tensor;

/**
 * Bad inputs across the commands, on the tiny model. Each row is a command line that must fail with exit
 * code 1 and one line on stderr ("error: ...", no stack trace) that names the file, field or option and the value,
 * with nothing on stdout and no file left behind in the row's output folder.
 */
class BadInputTest {
    @TempDir static Path fx;   // fixtures: broken models, tokenizers, files
    static Path tiny, brown, text;

    /** A copy of the tiny model (config + weights) in {@code fx/name}, with config.json edited by {@code edit}. */
    static Path modelWithConfig(String name, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        Path d = Files.createDirectories(fx.resolve(name));
        ObjectNode c = (ObjectNode) new ObjectMapper().readTree(tiny.resolve("config.json").toFile());
        edit.accept(c);
        Files.writeString(d.resolve("config.json"), c.toString());
        Files.copy(tiny.resolve("model.safetensors"), d.resolve("model.safetensors"));
        return d;
    }

    /** The tiny model saved (F32) with one weight set to {@code value}. */
    static Path modelWithWeight(String name, float value) throws IOException {
        Path d = fx.resolve(name);
        try (Gpt2Model m = Gpt2Model.load(tiny)) {
            m.params.get("h.1.mlp.c_fc.weight").set(17, value);
            m.save(d, DType.F32);
        }
        return d;
    }

    static Path tokenizerModel(String name, String vocab, byte[] merges) throws IOException {
        Path d = modelWithConfig(name, c -> {});
        if (vocab != null) Files.writeString(d.resolve("vocab.json"), vocab);
        if (merges != null) Files.write(d.resolve("merges.txt"), merges);
        return d;
    }

    @BeforeAll
    static void fixtures() throws IOException {
        Path home = CliHarness.home();
        tiny = CliHarness.tiny();
        brown = home.resolve("weights/fixtures/brown");
        text = Files.writeString(fx.resolve("text.txt"), "The jury said it did find that many of the laws are outmoded.\n");
        modelWithWeight("nan-model", Float.NaN);
        modelWithWeight("inf-model", Float.POSITIVE_INFINITY);
        modelWithConfig("llama", c -> c.put("model_type", "llama"));
        modelWithConfig("nctx", c -> c.put("n_ctx", 128));
        modelWithConfig("huge-positions", c -> c.put("n_positions", 1_000_000_000).put("n_ctx", 1_000_000_000));
        Path trailing = modelWithConfig("trailing-bytes", c -> {});
        Files.write(trailing.resolve("model.safetensors"), new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Path configDir = Files.createDirectories(fx.resolve("config-is-dir/config.json"));
        Files.copy(tiny.resolve("model.safetensors"), configDir.getParent().resolve("model.safetensors"));
        Files.createSymbolicLink(fx.resolve("loop-a"), fx.resolve("loop-b"));
        Files.createSymbolicLink(fx.resolve("loop-b"), fx.resolve("loop-a"));
        Files.createDirectories(fx.resolve("a-dir"));
        Files.write(fx.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});

        String vocab = Files.readString(home.resolve("weights/tokenizer/vocab.json"));
        byte[] merges = Files.readAllBytes(home.resolve("weights/tokenizer/merges.txt"));
        tokenizerModel("only-vocab", vocab, null);
        tokenizerModel("only-merges", null, merges);
        tokenizerModel("id-past-vocab", vocab.replaceFirst("\\}\\s*$", ", \"zzqqzz\": 60000}"), merges);
        tokenizerModel("no-space-byte", vocab.replace("\"\\u0120\": 220,", "").replace("\"Ġ\": 220,", ""), "#version: 0.2\n".getBytes(StandardCharsets.UTF_8));
        byte[] badUtf8 = java.util.Arrays.copyOf(merges, merges.length + 5);
        System.arraycopy(new byte[] {'\n', (byte) 0xff, ' ', 'a', '\n'}, 0, badUtf8, merges.length, 5);
        tokenizerModel("merges-not-utf8", vocab, badUtf8);
        tokenizerModel("merges-unknown", vocab, "#version: 0.2\nqqq\u00e6 zzz\u00e6\n".getBytes(StandardCharsets.UTF_8));
    }

    /** One bad command line: what the message must contain. */
    record Row(String item, List<String> args, List<String> says) {
        @Override public String toString() { return item + ": " + String.join(" ", args); }
    }

    static Row row(String item, String says, String... args) {
        return new Row(item, List.of(args), List.of(says.split("\\|")));
    }

    static Stream<Row> rows() {
        String t = "weights/models/gpt2-tiny-random";   // resolved in the test, so the table reads like a command line
        String out = "OUT";                            // each row's own empty output folder
        return Stream.of(
                // 2. non-finite weights: caught when they load, naming the tensor and the first bad index
                row("2 NaN weights, logits", "nan-model/model.safetensors|transformer.h.1.mlp.c_fc.weight|non-finite|NaN at index 17",
                        "logits", "--model", "FX/nan-model", "--ids", "1,2", "--out", "OUT/l.npy"),
                row("2 Inf weights, generate", "inf-model/model.safetensors|transformer.h.1.mlp.c_fc.weight|Infinity at index 17",
                        "generate", "--model", "FX/inf-model", "--prompt", "Hello there", "--max-new-tokens", "5"),
                row("2 NaN weights, perplexity", "nan-model/model.safetensors|non-finite",
                        "perplexity", "--model", "FX/nan-model", "--corpus", "FX/text.txt", "--brown-dir", "BROWN"),
                row("2 NaN weights, sft", "nan-model/model.safetensors|non-finite",
                        "sft", "--model", "FX/nan-model", "--data", "FX/text.txt", "--out", "OUT/adapter", "--steps", "1", "--targets", "h.1.mlp.c_proj"),
                row("2 NaN weights, train", "nan-model/model.safetensors|non-finite",
                        "train", "--task", "facts", "--data", "sample", "--episodes", "1", "--model", "FX/nan-model", "--out", "OUT/run", "--no-progress"),
                // 3. every option checked before any work
                row("3 train --rank 100000", "--rank 100000|needs|GB|heap available",
                        "train", "--task", "facts", "--data", "sample", "--model", t, "--rank", "100000", "--targets", "h.1.mlp.c_proj", "--out", "OUT/run", "--no-progress"),
                row("3 train bad --targets", "--targets h.9.mlp.c_fc|outside the model's 0..1",
                        "train", "--task", "facts", "--data", "sample", "--model", t, "--targets", "h.9.mlp.c_fc", "--out", "OUT/run", "--no-progress"),
                row("3 train --samples 1 with rloo", "--samples 1|>= 2",
                        "train", "--task", "facts", "--model", t, "--samples", "1", "--out", "OUT/run"),
                row("3 train --lr NaN", "--lr NaN|finite",
                        "train", "--task", "facts", "--model", t, "--lr", "NaN", "--out", "OUT/run"),
                row("3 train --clip -1", "--clip -1.0",
                        "train", "--task", "facts", "--model", t, "--clip", "-1", "--out", "OUT/run"),
                row("3 train --baseline", "--baseline must be rloo or ema, got 'mean'",
                        "train", "--task", "facts", "--model", t, "--baseline", "mean", "--out", "OUT/run"),
                row("3 train text --inner-targets", "--inner-targets h.5.mlp.c_fc",
                        "train", "--method", "text", "--task", "facts", "--model", t, "--inner-targets", "h.5.mlp.c_fc", "--out", "OUT/run"),
                row("3 train text --inner-lr 0", "--inner-lr 0.0|> 0",
                        "train", "--method", "text", "--task", "facts", "--model", t, "--inner-lr", "0", "--out", "OUT/run"),
                row("3 train text --inner-seeds 0", "--inner-seeds 0|>= 1",
                        "train", "--method", "text", "--task", "facts", "--model", t, "--inner-seeds", "0", "--out", "OUT/run"),
                row("3 train text --copy-span-bias -2", "--copy-span-bias must be a finite number >= 0, got -2.0",
                        "train", "--method", "text", "--task", "facts", "--model", t, "--copy-span-bias", "-2", "--out", "OUT/run"),
                row("3 train text --edit-split", "--edit-split must be whole, lines, sentences or sentences_qa, got 'words'",
                        "train", "--method", "text", "--task", "facts", "--model", t, "--edit-split", "words", "--out", "OUT/run"),
                row("3 train --resume missing", "--resume|OUT/none|not found",
                        "train", "--resume", "OUT/none"),
                row("3 generate --max-new-tokens -1", "--max-new-tokens -1|>= 0",
                        "generate", "--model", t, "--prompt", "Hi", "--max-new-tokens", "-1"),
                row("3 generate 1e9 tokens", "--max-new-tokens 1000000000|n_positions=256",
                        "generate", "--model", t, "--prompt", "Hi", "--max-new-tokens", "1000000000"),
                row("3 generate --top-p 2", "--top-p 2.0|(0, 1]",
                        "generate", "--model", t, "--prompt", "Hi", "--top-p", "2"),
                row("3 logits --out DIR", "--out|OUT|is a directory",
                        "logits", "--model", t, "--ids", "1,2", "--out", "OUT"),
                row("3 logits negative id", "--ids|token id -3",
                        "logits", "--model", t, "--ids", "1,-3", "--out", "OUT/l.npy"),
                row("3 sft --rank 0", "--rank 0|>= 1",
                        "sft", "--model", t, "--data", "FX/text.txt", "--out", "OUT/a", "--rank", "0"),
                row("3 sft --batch 0", "--batch 0|>= 1",
                        "sft", "--model", t, "--data", "FX/text.txt", "--out", "OUT/a", "--batch", "0"),
                row("3 sft --lr -1", "--lr -1.0",
                        "sft", "--model", t, "--data", "FX/text.txt", "--out", "OUT/a", "--lr", "-1"),
                row("3 sft bad --targets", "--targets h.0.mlp.c_out|unknown module",
                        "sft", "--model", t, "--data", "FX/text.txt", "--out", "OUT/a", "--targets", "h.0.mlp.c_out"),
                row("3 perplexity --threads 0", "--threads 0",
                        "perplexity", "--model", t, "--corpus", "FX/text.txt", "--threads", "0", "--brown-dir", "BROWN"),
                row("3 pretrain too large", "--layers 4 --width 100000|parameters",
                        "pretrain", "--corpus", "brown-sample", "--width", "100000", "--heads", "4", "--out", "OUT/pt", "--no-progress"),
                row("3 eval --episodes 0", "--episodes 0|>= 1",
                        "eval", "--run", "RUN", "--episodes", "0"),
                row("3 eval --first-episode -1", "--first-episode -1|>= 0",
                        "eval", "--run", "RUN", "--first-episode", "-1"),
                row("3 eval --draws 0", "--draws 0|>= 1",
                        "eval", "--run", "RUN", "--draws", "0"),
                row("3 pool a missing run", "RUN_DIR|none-a|does not exist",
                        "pool", "OUT/none-a", "OUT/none-b"),
                row("3 pool a folder never evaluated", "eval.json|no eval result|bin/seal eval",
                        "pool", "FX", "FX"),
                row("3 bench matmul --m 0", "--m 0|>= 1", "bench", "matmul", "--m", "0", "--k", "2", "--n", "2"),
                row("3 bench forward --embd 30 --heads 4", "--embd 30|divisible by --heads 4", "bench", "forward", "--embd", "30", "--heads", "4"),
                row("3 bench edit too large", "--rows 100000 --cols 100000000|needs", "bench", "edit", "--rows", "100000", "--cols", "100000000"),
                row("3 bench reinforce --samples 1", "--samples 1|>= 2", "bench", "reinforce", "--samples", "1"),
                row("3 bench --iters 0", "--iters 0|>= 1", "bench", "matmul", "--m", "2", "--k", "2", "--n", "2", "--iters", "0"),
                // 5. tokenizer files
                row("5 only vocab.json", "only-vocab/merges.txt|not found|vocab.json",
                        "tokenize", "--model", "FX/only-vocab"),
                row("5 only merges.txt", "only-merges/vocab.json|not found",
                        "generate", "--model", "FX/only-merges", "--prompt", "Hi"),
                row("5 vocab id >= vocab_size", "id-past-vocab/vocab.json|id 60000|vocab_size=50257",
                        "tokenize", "--model", "FX/id-past-vocab"),
                row("5 merges.txt not UTF-8", "merges-not-utf8/merges.txt|not valid UTF-8",
                        "tokenize", "--model", "FX/merges-not-utf8"),
                row("5 merges of unknown symbols", "merges-unknown/merges.txt|line 2|is not a token of",
                        "tokenize", "--model", "FX/merges-unknown"),
                row("5+6 missing byte token", "no-space-byte/vocab.json|0x20",
                        "tokenize", "--model", "FX/no-space-byte"),
                row("5 stdin not UTF-8 with --strict", "stdin|UTF-8|offset 3|--strict",
                        "tokenize", "--strict"),
                // 6. every error names its file, field or option
                row("6 config.json is a directory", "config-is-dir/config.json|Is a directory",
                        "generate", "--model", "FX/config-is-dir", "--prompt", "Hi"),
                row("6 symlink loop", "loop-a|symbolic link",
                        "generate", "--model", "FX/loop-a", "--prompt", "Hi"),
                row("6 huge n_positions", "huge-positions/config.json|n_positions=1000000000|parameters",
                        "logits", "--model", "FX/huge-positions", "--ids", "1", "--out", "OUT/l.npy"),
                row("6 corpus is a directory", "--corpus|a-dir|is a directory",
                        "perplexity", "--model", t, "--corpus", "FX/a-dir", "--brown-dir", "BROWN"),
                row("6 sft data not UTF-8", "--data|latin1.txt|UTF-8",
                        "sft", "--model", t, "--data", "FX/latin1.txt", "--out", "OUT/a"),
                row("6 sft data is a directory", "--data|a-dir|is a directory",
                        "sft", "--model", t, "--data", "FX/a-dir", "--out", "OUT/a"),
                // 7. spec laxity
                row("7 model_type llama", "llama/config.json|model_type|\"llama\"",
                        "generate", "--model", "FX/llama", "--prompt", "Hi"),
                row("7 n_ctx != n_positions", "nctx/config.json|n_ctx|128|n_positions",
                        "logits", "--model", "FX/nctx", "--ids", "1", "--out", "OUT/l.npy"),
                row("7 trailing bytes", "trailing-bytes/model.safetensors|3 trailing byte(s)",
                        "perplexity", "--model", "FX/trailing-bytes", "--corpus", "FX/text.txt", "--brown-dir", "BROWN"));
    }

    static Path run;   // a finished tiny run for the eval rows

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void badInputIsOneLineNamingWhatIsWrong(Row row, @TempDir Path out) throws IOException {
        List<String> args = new ArrayList<>();
        for (String a : row.args()) {
            args.add(a.replace("FX", fx.toString()).replace("OUT", out.toString()).replace("BROWN", brown.toString())
                    .replace("RUN", fx.resolve("no-run").toString())
                    .replace("weights/models/gpt2-tiny-random", tiny.toString()));
        }
        byte[] stdin = row.args().contains("tokenize") ? new byte[] {'c', 'a', 'f', (byte) 0xe9, ' ', 'x'} : new byte[0];
        if (row.item().startsWith("3 eval")) Files.writeString(Files.createDirectories(fx.resolve("no-run")).resolve("config.json"),
                "{\"task\":\"facts\",\"model\":\"" + tiny + "\",\"targets\":\"h.1.mlp.c_proj\",\"rank\":2,\"alpha\":2,\"samples\":3,\"episodes\":1,\"lr\":0.001,"
                        + "\"lrSchedule\":\"cosine\",\"seed\":1,\"hidden\":4,\"initStd\":0.01,\"entropyBonus\":0,\"baseline\":\"rloo\",\"emaDecay\":0.9,\"clip\":1,"
                        + "\"lambdaForget\":1,\"lambdaNorm\":0.001,\"data\":\"sample\",\"dataSeed\":1234}");
        var r = CliHarness.cli(stdin, args.toArray(String[]::new));
        assertEquals(1, r.code(), row + "\nstderr: " + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace or exception name: " + err);
        for (String s : row.says()) {
            String want = s.replace("OUT", out.toString());
            assertTrue(err.contains(want), "the message names '" + want + "': " + err);
        }
        assertEquals("", r.out(), "nothing printed before the error");
        System.out.println(row.item() + " -> " + err);   // the messages, for reading in the surefire output
        try (var left = Files.walk(out)) {
            assertEquals(List.of(out), left.toList(), "no file left behind");
        }
    }

    @Test
    void invalidUtf8OnStdinIsSaidOnStderrWithoutStrict() {
        var r = CliHarness.cli(new byte[] {'c', 'a', 'f', (byte) 0xe9, ' ', 'x'}, "tokenize");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("warning: stdin: not valid UTF-8 (first bad byte at offset 3)"), r.err());
        assertFalse(r.out().isBlank());
        var ok = CliHarness.cli("Hello, world!".getBytes(StandardCharsets.UTF_8), "tokenize", "--strict");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("15496,11,995,0", ok.out().strip());
        assertEquals("", ok.err());
    }

    // 7. The safetensors spec: contiguous, fully covered data.
    @Test
    void safetensorsWithAGapIsRefused(@TempDir Path tmp) throws IOException {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        var buf = java.nio.ByteBuffer.allocate(8 + h.length + 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        Path f = Files.write(tmp.resolve("gap.safetensors"), buf.array());
        var e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(f).close());
        assertTrue(e.getMessage().contains("gap.safetensors") && e.getMessage().contains("bytes [4,8)")
                && e.getMessage().contains("between tensors 'a' and 'b'"), e.getMessage());
    }

    // 4. Adapters are checked against their tensors and the model, naming the folder and the field.
    @Test
    void adapterConfigsAreCheckedAgainstTheTensors(@TempDir Path tmp) throws IOException {
        var config = sealjvm.gpt2.Gpt2Config.read(tiny.resolve("config.json"));
        Target target = Target.parse("h.1.mlp.c_proj", config).get(0);
        Path good = tmp.resolve("good");
        Path nan = tmp.resolve("nan-b");
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, target.in(), 2), b = Tensor.allocate(arena, 2, target.out());
            for (long i = 0; i < a.size(); i++) a.set(i, 0.01f * (i % 7));
            for (long i = 0; i < b.size(); i++) b.set(i, 0.02f * (i % 5));
            PeftAdapter.write(good, new Edit(List.of(new LowRankDelta(target, a, b, 2f))), tiny.toString());
            b.set(3, Float.NaN);
            PeftAdapter.write(nan, new Edit(List.of(new LowRankDelta(target, a, b, 2f))), tiny.toString());
            assertEquals(1, PeftAdapter.read(good, config, arena).deltas().size());
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode base = (ObjectNode) json.readTree(good.resolve("adapter_config.json").toFile());
        Map<String, java.util.function.Consumer<ObjectNode>> edits = new java.util.LinkedHashMap<>();
        edits.put("\"r\" is 3|rank 2", c -> c.put("r", 3));
        edits.put("\"lora_alpha\"|\"abc\"", c -> c.put("lora_alpha", "abc"));
        edits.put("\"target_modules\"|transformer.h.0.mlp.c_fc", c -> c.putArray("target_modules").add("transformer.h.0.mlp.c_fc"));
        edits.put("\"target_modules\" names h.0.attn.c_attn|no lora_A", c -> c.putArray("target_modules").add("transformer.h.1.mlp.c_proj").add("h.0.attn.c_attn"));
        edits.put("\"fan_in_fan_out\" is false", c -> c.put("fan_in_fan_out", false));
        edits.put("\"bias\" is \"all\"", c -> c.put("bias", "all"));
        edits.put("\"use_rslora\"|\"yes\"", c -> c.put("use_rslora", "yes"));
        int k = 0;
        for (var e : edits.entrySet()) {
            Path d = Files.createDirectories(tmp.resolve("bad" + k++));
            Files.copy(good.resolve("adapter_model.safetensors"), d.resolve("adapter_model.safetensors"));
            ObjectNode c = base.deepCopy();
            e.getValue().accept(c);
            Files.writeString(d.resolve("adapter_config.json"), c.toString());
            try (Arena arena = Arena.ofShared()) {
                var ex = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.read(d, config, arena));
                assertTrue(ex.getMessage().startsWith(d.resolve("adapter_config.json") + ": field "), ex.getMessage());
                for (String s : e.getKey().split("\\|")) assertTrue(ex.getMessage().contains(s), s + " in " + ex.getMessage());
            }
        }
        try (Arena arena = Arena.ofShared()) {
            var ex = assertThrows(IllegalArgumentException.class, () -> PeftAdapter.read(nan, config, arena));
            assertTrue(ex.getMessage().contains(nan.resolve("adapter_model.safetensors").toString()) && ex.getMessage().contains("lora_B")
                    && ex.getMessage().contains("NaN at index"), ex.getMessage());
        }
    }

    // 3. A failure after the checks (here: the model's weights) leaves no half-made run: the same --out works next.
    @Test
    void aFailedStartLeavesNoRunBehind(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        var r = CliHarness.cli("train", "--task", "facts", "--data", "sample", "--episodes", "1", "--model", fx.resolve("nan-model").toString(),
                "--out", out.toString(), "--no-progress");
        assertEquals(1, r.code(), r.err());
        assertFalse(Files.exists(out), "nothing left: " + out);
        var t = CliHarness.cli("train", "--method", "text", "--task", "facts", "--model", fx.resolve("nan-model").toString(), "--out", out.toString(),
                "--no-progress");
        assertEquals(1, t.code(), t.err());
        assertFalse(Files.exists(out), "nothing left: " + out);
    }

    @Test
    void messagesNameTheirFile() {
        // java.nio exceptions whose message is only a path or only a reason are said as "FILE: reason".
        String m = SealCli.message(new java.nio.file.NoSuchFileException("/x/config.json"));
        assertEquals("/x/config.json: not found", m);
        assertEquals("/x/y: cannot write: No space left on device",
                sealjvm.seal.RunDir.named(Path.of("/x/y"), new IOException("No space left on device")).getMessage());
        assertEquals("/x/config.json: Is a directory", SealCli.message(new java.nio.file.FileSystemException("/x/config.json", null, "Is a directory")));
        // An allocation no check foresaw: one line with what was asked and the heap (picocli lets Errors through to SealCli.run).
        String oom = SealCli.outOfMemory(new OutOfMemoryError("Cannot reserve 123456789 bytes"));
        assertTrue(oom.startsWith("error: out of memory (Cannot reserve 123456789 bytes); heap maximum ") && oom.lines().count() == 1, oom);
    }
}
