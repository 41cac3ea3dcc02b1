package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import java.util.Locale;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.RandomInit;
import sealjvm.seal.Stats;

/** {@code seal bench train}: one training step — forward, backward and AdamW — of a GPT-2 on a (B,T) batch. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Time one training step (forward + backward + AdamW) of a GPT-2 on random weights and tokens.")
final class BenchTrainCommand implements Callable<Integer> {
    @CommandLine.Mixin BenchTiming timing;
    @Option(names = "--layers", defaultValue = "4", description = "n_layer (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--embd", defaultValue = "128", description = "n_embd (default: ${DEFAULT-VALUE}).") int embd;
    @Option(names = "--heads", defaultValue = "4", description = "n_head (default: ${DEFAULT-VALUE}).") int heads;
    @Option(names = "--vocab", defaultValue = "50257", description = "vocab_size (default: ${DEFAULT-VALUE}).") int vocab;
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--tokens", defaultValue = "256", description = "T, also n_positions (default: ${DEFAULT-VALUE}).") int tokens;
    @Mixin SeedOption seed;

    @Override
    public Integer call() {
        for (var o : new Object[][] {{"--layers", layers}, {"--embd", embd}, {"--heads", heads}, {"--vocab", vocab}}) {
            Checks.atLeast((String) o[0], (Integer) o[1], 1);
        }
        if (embd % heads != 0) throw Checks.bad("--embd", embd, "is not divisible by --heads " + heads);
        Checks.atLeast("--batch", batch, 1);
        Checks.atLeast("--tokens", tokens, 1);
        int threads = timing.applyThreads();
        double params = (double) vocab * embd + (double) tokens * embd + layers * (12.0 * embd * embd + 13.0 * embd);
        Checks.fitsMemory("--layers " + layers + " --embd " + embd + " --vocab " + vocab + " --batch " + batch + " --tokens " + tokens
                + ": the model, gradients, AdamW state and activations", 16.0 * params
                + 4.0 * batch * tokens * (16.0 * embd * layers + 2.0 * heads * tokens * layers + 2.0 * vocab));
        Gpt2Config cfg = new Gpt2Config(embd, heads, layers, tokens, vocab, 1e-5f, "gelu_new");
        try (Gpt2Model m = Gpt2Model.create(cfg, true); var bp = new sealjvm.gpt2.train.Gpt2Backprop(m, batch, tokens);
             var opt = new sealjvm.gpt2.train.AdamW(m.params, 0.9f, 0.95f, 1e-8f, 0.1f, sealjvm.gpt2.train.AdamW.decayMatrices(m.params))) {
            RandomInit.fill(m.params, seed.seed);
            SplittableRandom r = new SplittableRandom(seed.seed);
            int[] x = r.ints((long) batch * tokens, 0, vocab).toArray(), y = r.ints((long) batch * tokens, 0, vocab).toArray();
            double[] ms = timing.time(() -> {
                bp.zeroGrad();
                bp.forward(x, y);
                bp.backward(1f);
                sealjvm.gpt2.train.AdamW.clipGradNorm(bp.grads, 1.0);
                opt.update(bp.grads, 1e-4);
            });
            long C = embd, BT = (long) batch * tokens;
            long matmulParams = layers * 12L * C * C + (long) vocab * C;
            double flops = 3 * (2.0 * BT * matmulParams + layers * 4.0 * batch * ((long) tokens * (tokens + 1) / 2) * C); // backward ≈ 2× forward
            double med = Stats.median(ms);
            System.out.println(String.format(Locale.ROOT,
                    "train step layers=%d embd=%d heads=%d vocab=%d batch=%d tokens=%d threads=%d: median %.1f ms (%.0f tokens/s), min %.1f ms",
                    layers, embd, heads, vocab, batch, tokens, threads, med, BT / med * 1000, ms[0]));
            ObjectNode json = BenchJson.result("train");
            json.put("layers", layers).put("embd", embd).put("heads", heads).put("vocab", vocab).put("batch", batch)
                    .put("tokens", tokens).put("threads", threads).put("iters", ms.length)
                    .put("median_ms", BenchJson.num(med)).put("min_ms", BenchJson.num(ms[0]))
                    .put("tokens_per_s", BenchJson.num(BT / med * 1000)).put("gflops", BenchJson.num(flops / med / 1e6));
            System.out.println(BenchJson.write(json));
        }
        return 0;
    }
}
