package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import java.util.Locale;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.Stats;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;

/** {@code seal bench forward}: a GPT-2-shaped forward (prefill of T tokens, or decode after --past cached ones). */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Time a GPT-2 forward (logits of T tokens) on random weights of the given shape.")
final class BenchForwardCommand implements Callable<Integer> {
    @CommandLine.Mixin BenchTiming timing;
    @Option(names = "--layers", defaultValue = "12", description = "n_layer (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--embd", defaultValue = "768", description = "n_embd (default: ${DEFAULT-VALUE}).") int embd;
    @Option(names = "--heads", defaultValue = "12", description = "n_head (default: ${DEFAULT-VALUE}).") int heads;
    @Option(names = "--vocab", defaultValue = "50257", description = "vocab_size (default: ${DEFAULT-VALUE}).") int vocab;
    @Option(names = "--positions", defaultValue = "1024", description = "n_positions (default: ${DEFAULT-VALUE}).") int positions;
    @Option(names = "--tokens", defaultValue = "128", description = "New tokens per forward; 1 = a single-token forward (default: ${DEFAULT-VALUE}).")
    int tokens;
    @Option(names = "--past", defaultValue = "0", description = "Positions already in the KV cache (e.g. 127 for decode) (default: ${DEFAULT-VALUE}).")
    int past;
    @Option(names = "--batch", defaultValue = "1", description = "Sequences per forward (default: ${DEFAULT-VALUE}).") int batch;
    @Mixin SeedOption seed;
    @Mixin WeightsOption weights;
    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() {
        Placement placement = placementOption.placement();
        for (var o : new Object[][] {{"--layers", layers}, {"--embd", embd}, {"--heads", heads}, {"--vocab", vocab}, {"--positions", positions}}) {
            Checks.atLeast((String) o[0], (Integer) o[1], 1);
        }
        if (embd % heads != 0) throw Checks.bad("--embd", embd, "is not divisible by --heads " + heads);
        Checks.atLeast("--tokens", tokens, 1);
        Checks.atLeast("--past", past, 0);
        Checks.atLeast("--batch", batch, 1);
        int threads = timing.applyThreads();
        int P = Math.max(positions, past + tokens);
        double params = (double) vocab * embd + (double) P * embd + layers * (12.0 * embd * embd + 13.0 * embd);
        Checks.fitsMemory("--layers " + layers + " --embd " + embd + " --vocab " + vocab + " --tokens " + tokens + " --batch " + batch
                + ": the model, KV cache and logits", 4.0 * (params + 2.0 * layers * batch * (double) (past + tokens) * embd + (double) batch * tokens * vocab));
        Gpt2Config cfg = new Gpt2Config(embd, heads, layers, P, vocab, 1e-5f, "gelu_new");
        try (Gpt2Model m = BenchGenerateCommand.randomModel(cfg, weights.format, seed.seed)) {
            SplittableRandom r = new SplittableRandom(seed.seed);
            int[] ids = r.ints((long) batch * tokens, 0, vocab).toArray();
            int[] pastIds = r.ints((long) batch * past, 0, vocab).toArray();
            double[] ms;
            String gpu;
            try (Gpt2Backend backend = Gpt2Backends.open(m, placement); Gpt2Backend.Decoder decoder = backend.decoder(batch, past + tokens)) {
                if (past > 0) decoder.append(pastIds, past);
                ms = timing.time(backend, () -> {
                    decoder.truncate(past);
                    decoder.append(ids, tokens);
                });
                gpu = backend.deviceName();
            }
            long C = embd;
            long matmulParams = layers * 12L * C * C + (long) vocab * C;
            long ctxSum = (long) tokens * past + (long) tokens * (tokens + 1) / 2; // keys seen, summed over queries
            double flops = batch * (2.0 * tokens * matmulParams + layers * 4.0 * ctxSum * C);
            double bytes = 4.0 * (matmulParams + 2L * batch * layers * (past + tokens) * C); // weights + K/V read once
            double med = Stats.median(ms);
            boolean onCpu = placement.device() == Device.CPU;
            String where = onCpu ? "threads=" + threads : placement.device() + " " + placementOption.precision.name().toLowerCase(Locale.ROOT);
            System.out.println(String.format(Locale.ROOT,
                    "forward layers=%d embd=%d heads=%d vocab=%d batch=%d tokens=%d past=%d weights=%s %s: median %.2f ms, min %.2f ms",
                    layers, embd, heads, vocab, batch, tokens, past, weights.format, where, med, ms[0]));
            ObjectNode json = BenchJson.result("forward");
            json.put("layers", layers).put("embd", embd).put("heads", heads).put("vocab", vocab).put("batch", batch)
                    .put("tokens", tokens).put("past", past).put("weights", weights.format.name().toLowerCase(Locale.ROOT)).put("threads", threads);
            BenchJson.device(json, placement, gpu);
            json.put("iters", ms.length).put("median_ms", BenchJson.num(med)).put("min_ms", BenchJson.num(ms[0]))
                    .put("gflops", BenchJson.num(flops / med / 1e6)).put("gbps", BenchJson.num(bytes / med / 1e6));
            System.out.println(BenchJson.write(json));
        }
        return 0;
    }
}
