package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.BatchGenerator;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.LinearHook;
import sealjvm.gpt2.RandomInit;
import sealjvm.gpt2.Sampler;
import sealjvm.seal.Stats;
import sealjvm.tensor.WeightFormat;

/**
 * {@code seal bench generate}: batched generation as {@code seal generate --batch} runs it (BatchGenerator: one prefill
 * of the B prompts, then one batched decode step per new token, each row sampled on its own), on random weights.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Time batched generation (B prompts of equal length continued together, sampled) on random weights of the given shape.")
final class BenchGenerateCommand implements Callable<Integer> {
    @CommandLine.Mixin BenchTiming timing;
    @Option(names = "--layers", defaultValue = "12", description = "n_layer (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--embd", defaultValue = "768", description = "n_embd (default: ${DEFAULT-VALUE}).") int embd;
    @Option(names = "--heads", defaultValue = "12", description = "n_head (default: ${DEFAULT-VALUE}).") int heads;
    @Option(names = "--vocab", defaultValue = "50257", description = "vocab_size (default: ${DEFAULT-VALUE}).") int vocab;
    @Option(names = "--positions", defaultValue = "1024", description = "n_positions (default: ${DEFAULT-VALUE}).") int positions;
    @Option(names = "--batch", defaultValue = "1", description = "Prompts continued together, B (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--prompt-tokens", defaultValue = "16", description = "Tokens per prompt (random ids) (default: ${DEFAULT-VALUE}).")
    int promptTokens;
    @Option(names = "--new-tokens", defaultValue = "32", description = "New tokens per prompt; no stop token, so every row runs to the end (default: ${DEFAULT-VALUE}).")
    int newTokens;
    @Mixin WeightsOption weights;
    @Mixin SeedOption seed;

    @Override
    public Integer call() {
        for (var o : new Object[][] {{"--layers", layers}, {"--embd", embd}, {"--heads", heads}, {"--vocab", vocab}, {"--positions", positions},
                {"--batch", batch}, {"--prompt-tokens", promptTokens}, {"--new-tokens", newTokens}}) {
            Checks.atLeast((String) o[0], (Integer) o[1], 1);
        }
        if (embd % heads != 0) throw Checks.bad("--embd", embd, "is not divisible by --heads " + heads);
        int threads = timing.applyThreads();
        int P = Math.max(positions, promptTokens + newTokens);
        double params = (double) vocab * embd + (double) P * embd + layers * (12.0 * embd * embd + 13.0 * embd);
        Checks.fitsMemory("--layers " + layers + " --embd " + embd + " --vocab " + vocab + " --batch " + batch
                + ": the model, KV cache and logits", 4.0 * (2 * params + 2.0 * layers * batch * (double) P * embd + (double) batch * promptTokens * vocab));
        Gpt2Config cfg = new Gpt2Config(embd, heads, layers, P, vocab, 1e-5f, "gelu_new");
        try (Gpt2Model m = randomModel(cfg, weights.format, seed.seed)) {
            SplittableRandom r = new SplittableRandom(seed.seed);
            List<int[]> prompts = new ArrayList<>();
            for (int b = 0; b < batch; b++) prompts.add(r.ints(promptTokens, 0, vocab).toArray());
            // generate's defaults (temperature 1, top-k 50), a seed per row; the samplers restart each run so every run draws the same tokens
            double[] ms = timing.time(() -> {
                Sampler[] samplers = new Sampler[batch];
                for (int b = 0; b < batch; b++) samplers[b] = new Sampler(new Sampler.Options(1f, 50, 1f, seed.seed + b));
                BatchGenerator.generate(m, prompts, newTokens, samplers, -1, LinearHook.NONE, (row, id) -> {});
            });
            long C = embd;
            long matmulParams = layers * 12L * C * C + (long) vocab * C;
            // the prefill's tokens and the decode steps' (the last step's logits are sampled, never fed back)
            long tokens = (long) promptTokens + newTokens - 1;
            long ctxSum = tokens * (tokens + 1) / 2;   // keys seen, summed over queries
            double flops = batch * (2.0 * tokens * matmulParams + layers * 4.0 * ctxSum * C);
            double med = Stats.median(ms), tokPerS = (double) batch * newTokens / (med / 1e3);
            System.out.println(String.format(Locale.ROOT,
                    "generate layers=%d embd=%d heads=%d vocab=%d batch=%d prompt=%d new=%d weights=%s threads=%d: median %.2f ms, min %.2f ms, %.1f tokens/s",
                    layers, embd, heads, vocab, batch, promptTokens, newTokens, weights.format, threads, med, ms[0], tokPerS));
            ObjectNode json = BenchJson.result("generate");
            json.put("layers", layers).put("embd", embd).put("heads", heads).put("vocab", vocab).put("batch", batch)
                    .put("prompt_tokens", promptTokens).put("new_tokens", newTokens).put("weights", weights.format.name().toLowerCase(Locale.ROOT))
                    .put("threads", threads).put("device", "cpu");
            json.put("iters", ms.length).put("median_ms", BenchJson.num(med)).put("min_ms", BenchJson.num(ms[0]))
                    .put("tokens_per_s", BenchJson.num(tokPerS)).put("gflops", BenchJson.num(flops / med / 1e6));
            System.out.println(BenchJson.write(json));
        }
        return 0;
    }

    // Random float32 weights (RandomInit), then held as format: the same weights rounded or quantized.
    static Gpt2Model randomModel(Gpt2Config cfg, WeightFormat format, long seed) {
        Gpt2Model m = Gpt2Model.create(cfg, true, format);
        if (format == WeightFormat.F32) {
            RandomInit.fill(m.params, seed);
            return m;
        }
        try (Gpt2Model wide = Gpt2Model.create(cfg, true)) {
            RandomInit.fill(wide.params, seed);
            for (var e : m.params.byName().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
            for (var e : m.params.packed().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
        }
        return m;
    }
}
