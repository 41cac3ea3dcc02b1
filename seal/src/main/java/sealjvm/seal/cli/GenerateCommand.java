package sealjvm.seal.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Generator;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.Sampler;
import sealjvm.tensor.Placement;

/** {@code seal generate --prompt TEXT}: continue a prompt, streaming the text as it is sampled. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with the model (KV-cached decoding).")
final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelOption model;

    @Option(names = "--prompt", required = true, description = "Text to continue.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "50", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", defaultValue = "50", description = "Keep the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass in (0, 1]; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) | cuda.") String device;
    @Option(names = "--precision", defaultValue = "fp32", description = "cuda GEMMs: fp32 (exact, default) | tf32 | bf16.") String precision;

    @Override
    public Integer call() throws Exception {
        Placement placement = Placement.parse(device, precision);
        // Every option is checked, and the prompt encoded, before the model loads or anything is printed.
        Checks.atLeast("--max-new-tokens", maxNewTokens, 0);
        if (!(temperature >= 0) || !Float.isFinite(temperature)) throw Checks.bad("--temperature", temperature, "must be a finite number >= 0 (0 = greedy)");
        Checks.atLeast("--top-k", topK, 0);
        if (!(topP > 0 && topP <= 1)) throw Checks.bad("--top-p", topP, "must be in (0, 1]");
        Sampler sampler = new Sampler(new Sampler.Options(temperature, topK, topP, seed));
        var config = model.config();
        Gpt2Tokenizer tok = model.tokenizer();
        int[] ids = tok.encode(prompt);
        if (ids.length == 0) throw new IllegalArgumentException("--prompt is empty: give at least one token of text");
        if ((long) ids.length + maxNewTokens > config.nPositions()) {
            throw Checks.bad("--max-new-tokens", maxNewTokens, "the prompt's " + ids.length + " tokens + " + maxNewTokens
                    + " new tokens exceed the model's n_positions=" + config.nPositions() + " (at most " + Math.max(0, config.nPositions() - ids.length) + " new tokens)");
        }
        for (int id : ids) {
            if (id >= config.vocabSize()) throw Checks.bad("--prompt", "'" + prompt + "'", "encodes to token id " + id + ", outside the model's vocab_size=" + config.vocabSize());
        }
        try (Gpt2Model m = model.load(); Gpt2Backend backend = Gpt2Backends.open(m, placement)) {
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(prompt);
            // Tokens can split a UTF-8 character: decode the whole continuation and print what is new.
            int[] gen = new int[maxNewTokens];
            int[] n = {0};
            String[] printed = {""};
            Generator.generate(backend, ids, maxNewTokens, sampler, tok.eotId(), id -> {
                gen[n[0]++] = id;
                String text = tok.decode(Arrays.copyOf(gen, n[0]));
                int keep = text.endsWith("\uFFFD") ? text.length() - 1 : text.length();
                if (keep > printed[0].length() && text.startsWith(printed[0])) {
                    out.print(text.substring(printed[0].length(), keep));
                    printed[0] = text.substring(0, keep);
                }
            });
            String all = tok.decode(Arrays.copyOf(gen, n[0]));
            if (all.length() > printed[0].length()) out.print(all.substring(printed[0].length()));
            out.println();
        }
        return 0;
    }
}
