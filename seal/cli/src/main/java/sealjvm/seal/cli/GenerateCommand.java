package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.BatchGenerator;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.Sampler;
import sealjvm.tensor.Placement;

/**
 * {@code seal generate}: continue a prompt (--prompt, --prompt-file, or stdin), streaming the text as it is sampled,
 * or many prompts at once (--batch); tokens/s on stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with the model (KV-cached decoding). The prompt is --prompt, --prompt-file, or stdin when neither is given; "
                + "--batch continues every line of a file together. A tokens/s summary goes to stderr.")
final class GenerateCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin ModelOption model;
    @Mixin AdapterOption adapter;
    @Mixin WeightsOption weights;

    @Option(names = "--prompt", description = "Text to continue.")
    String prompt;

    @Option(names = "--prompt-file", paramLabel = "FILE", description = "Continue the UTF-8 text of FILE ('-' = stdin).")
    Path promptFile;

    @Option(names = "--batch", paramLabel = "FILE",
            description = "Continue every non-blank line of FILE ('\\n' in a line is a newline); prompts of equal token length share one batched "
                    + "forward, each row its own KV cache slot and sampler (seed + line index). Prints one JSON line per prompt, in file order.")
    Path batch;

    @Option(names = "--json", description = "Print one JSON line instead of the text: \"text\" (the continuation only), \"ids\", \"tokens_per_s\", \"time_to_first_token_ms\".")
    boolean json;

    @Option(names = "--max-new-tokens", defaultValue = "50", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "50", description = "Keep the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass in (0, 1]; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Mixin SeedOption seed = new SeedOption(42);

    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() throws Exception {
        Placement placement = placementOption.placement();
        // Every option is checked, and the prompts encoded, before the model loads or anything is printed.
        int sources = (prompt != null ? 1 : 0) + (promptFile != null ? 1 : 0) + (batch != null ? 1 : 0);
        if (sources > 1) throw new IllegalArgumentException("give one of --prompt, --prompt-file and --batch (or the prompt on stdin), not several");
        Checks.atLeast("--max-new-tokens", maxNewTokens, 0);
        if (!(temperature >= 0) || !Float.isFinite(temperature)) throw Checks.bad("--temperature", temperature, "must be a finite number >= 0 (0 = greedy)");
        Checks.atLeast("--top-k", topK, 0);
        if (!(topP > 0 && topP <= 1)) throw Checks.bad("--top-p", topP, "must be in (0, 1]");
        adapter.resolveBase(model);
        adapter.checkPlacement(placement);
        List<String> texts = new ArrayList<>();
        String source;
        if (batch != null) {
            source = "--batch " + batch;
            for (String line : Checks.readUtf8(batch, "--batch").split("\n")) if (!line.isBlank()) texts.add(line.replace("\\n", "\n"));
            if (texts.isEmpty()) throw new IllegalArgumentException("--batch " + batch + ": no prompts (every line is blank)");
        } else if (prompt != null) {
            source = "--prompt";
            texts.add(prompt);
        } else {
            Path f = promptFile == null ? Path.of("-") : promptFile;
            source = promptFile == null ? "the prompt on stdin" : "--prompt-file " + promptFile;
            texts.add(Checks.readUtf8(f, "--prompt-file"));
        }
        var config = model.config();
        Gpt2Tokenizer tok = model.tokenizer();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = tok.encode(texts.get(i));
            String which = batch != null ? source + ": line " + (i + 1) : source;
            if (ids.length == 0) throw new IllegalArgumentException(which + " is empty: give at least one token of text");
            if ((long) ids.length + maxNewTokens > config.nPositions()) {
                throw Checks.bad("--max-new-tokens", maxNewTokens, which + " has " + ids.length + " tokens; + " + maxNewTokens
                        + " new tokens exceed the model's n_positions=" + config.nPositions() + " (at most " + Math.max(0, config.nPositions() - ids.length) + " new tokens)");
            }
            for (int id : ids) {
                if (id >= config.vocabSize()) throw new IllegalArgumentException(which + " encodes to token id " + id + ", outside the model's vocab_size=" + config.vocabSize());
            }
            prompts.add(ids);
        }
        Sampler[] samplers = new Sampler[prompts.size()];
        for (int i = 0; i < samplers.length; i++) samplers[i] = new Sampler(new Sampler.Options(temperature, topK, topP, seed.seed + i));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (AdapterOption.Loaded loaded = adapter.load(model, weights.format, placement)) {
            boolean stream = batch == null && !json;
            if (stream) out.print(texts.get(0));
            Streamer streamer = new Streamer(tok, out);
            // The backend decodes the batch (merged adapters are in its weights); hook mode runs the CPU forward with the hook.
            List<BatchGenerator.Row> rows = BatchGenerator.generate(loaded.backend(), prompts, maxNewTokens, samplers, tok.eotId(),
                    loaded.adapters().hook(), (row, id) -> {
                        if (stream) streamer.accept(row, id);
                    });
            if (stream) {
                streamer.finish();
                out.println();
            } else {
                for (BatchGenerator.Row r : rows) out.println(jsonLine(tok, r));
            }
            long tokens = 0, nanos = 0, firstMax = 0;
            for (BatchGenerator.Row r : rows) { tokens += r.ids().length; nanos = Math.max(nanos, r.totalNanos()); firstMax = Math.max(firstMax, r.firstTokenNanos()); }
            System.err.printf("generated %d token(s) for %d prompt(s) in %.2f s: %.1f tokens/s, first token after %.0f ms%n",
                    tokens, rows.size(), nanos / 1e9, nanos == 0 ? 0 : tokens / (nanos / 1e9), firstMax / 1e6);
        }
        return 0;
    }

    static ObjectNode jsonLine(Gpt2Tokenizer tok, BatchGenerator.Row r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", tok.decode(r.ids()));
        var ids = o.putArray("ids");
        for (int id : r.ids()) ids.add(id);
        o.put("tokens_per_s", r.tokensPerSecond());
        o.put("time_to_first_token_ms", r.firstTokenNanos() / 1e6);
        return o;
    }

    /** Prints a streamed continuation; tokens can split a UTF-8 character, so the whole is decoded and what is new printed. */
    private static final class Streamer {
        private final Gpt2Tokenizer tok;
        private final PrintStream out;
        private int[] gen = new int[16];
        private int n;
        private String printed = "";

        Streamer(Gpt2Tokenizer tok, PrintStream out) { this.tok = tok; this.out = out; }

        void accept(int row, int id) {
            if (n == gen.length) gen = Arrays.copyOf(gen, 2 * n);
            gen[n++] = id;
            String text = tok.decode(Arrays.copyOf(gen, n));
            int keep = text.endsWith("\uFFFD") ? text.length() - 1 : text.length();
            if (keep > printed.length() && text.startsWith(printed)) {
                out.print(text.substring(printed.length(), keep));
                printed = text.substring(0, keep);
            }
        }

        void finish() {
            String all = tok.decode(Arrays.copyOf(gen, n));
            if (all.length() > printed.length()) out.print(all.substring(printed.length()));
        }
    }
}
