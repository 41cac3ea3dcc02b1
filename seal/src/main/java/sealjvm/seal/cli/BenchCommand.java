package sealjvm.seal.cli;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.RandomInit;
import sealjvm.seal.Stats;
import sealjvm.tensor.Device;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Tensor;

/**
 * {@code seal bench ...}: quick wall-clock benchmarks on random weights made in-process.
 * Every subcommand prints, as its last line on stdout, one JSON object with at least
 * {@code median_ms}, {@code min_ms} and {@code gflops} — outside checks parse that line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on random weights; the last line printed is one JSON object.",
        subcommands = {BenchCommand.Forward.class, BenchCommand.TrainBench.class, BenchCommand.MatmulBench.class, BenchCommand.EditBench.class,
                BenchCommand.ReinforceBench.class,
                CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() { throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a subcommand: forward, matmul"); }

    /** Options every bench subcommand shares. */
    static class Common {
        @Option(names = "--threads", description = "Kernel threads (default: the number of cores).")
        Integer threads;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--iters", defaultValue = "10", description = "Timed runs (default: ${DEFAULT-VALUE}).")
        int iters;

        @Option(names = "--warmup-ms", defaultValue = "2000",
                description = "Keep warming up (so that the JIT has compiled the kernels) until this long has passed (default: ${DEFAULT-VALUE}).")
        long warmupMs;

        int applyThreads() {
            Checks.atLeast("--warmup", warmup, 0);
            Checks.atLeast("--iters", iters, 1);
            if (threads != null) Checks.atLeast("--threads", threads, 1);
            if (threads != null) Parallel.setThreads(threads);
            return Parallel.threads();
        }

        /** Runs body warmup + iters times; returns the sorted timed durations in ms. */
        double[] time(Runnable body) {
            long until = System.nanoTime() + warmupMs * 1_000_000;
            for (int i = 0; i < warmup || System.nanoTime() < until; i++) body.run();
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                body.run();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            return ms;
        }

        /** {@link #time(Runnable)} in the backend's own time (device time where work is queued). */
        double[] time(Gpt2Backend backend, Runnable body) {
            long until = System.nanoTime() + warmupMs * 1_000_000;
            for (int i = 0; i < warmup || System.nanoTime() < until; i++) body.run();
            backend.synchronize();
            double[] ms = new double[iters];
            for (int i = 0; i < iters; i++) ms[i] = backend.timeMillis(body);
            Arrays.sort(ms);
            return ms;
        }
    }

    static String num(double v) { return String.format(Locale.ROOT, "%.4f", v); }

    /** The JSON fields naming where a benchmark ran. */
    static String deviceJson(Placement placement, String deviceName) {
        return placement.device() == Device.CPU ? ",\"device\":\"cpu\""
                : ",\"device\":\"" + placement.device() + "\",\"gpu\":\"" + deviceName + "\",\"precision\":\""
                        + placement.precision().name().toLowerCase(Locale.ROOT) + "\"";
    }

    /** {@code seal bench forward}: a GPT-2-shaped forward (prefill of T tokens, or decode after --past cached ones). */
    @Command(name = "forward", mixinStandardHelpOptions = true,
            description = "Time a GPT-2 forward (logits of T tokens) on random weights of the given shape.")
    static final class Forward implements Callable<Integer> {
        @CommandLine.Mixin Common common;
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
        @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).") long seed;
        @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) | cuda.") String device;
        @Option(names = "--precision", defaultValue = "fp32", description = "cuda GEMMs: fp32 | tf32 | bf16 (default: ${DEFAULT-VALUE}).")
        String precision;

        @Override
        public Integer call() {
            Placement placement = Placement.parse(device, precision);
            for (var o : new Object[][] {{"--layers", layers}, {"--embd", embd}, {"--heads", heads}, {"--vocab", vocab}, {"--positions", positions}}) {
                Checks.atLeast((String) o[0], (Integer) o[1], 1);
            }
            if (embd % heads != 0) throw Checks.bad("--embd", embd, "is not divisible by --heads " + heads);
            Checks.atLeast("--tokens", tokens, 1);
            Checks.atLeast("--past", past, 0);
            Checks.atLeast("--batch", batch, 1);
            int threads = common.applyThreads();
            int P = Math.max(positions, past + tokens);
            double params = (double) vocab * embd + (double) P * embd + layers * (12.0 * embd * embd + 13.0 * embd);
            Checks.fitsMemory("--layers " + layers + " --embd " + embd + " --vocab " + vocab + " --tokens " + tokens + " --batch " + batch
                    + ": the model, KV cache and logits", 4.0 * (params + 2.0 * layers * batch * (double) (past + tokens) * embd + (double) batch * tokens * vocab));
            Gpt2Config cfg = new Gpt2Config(embd, heads, layers, P, vocab, 1e-5f, "gelu_new");
            try (Gpt2Model m = Gpt2Model.create(cfg, true)) {
                RandomInit.fill(m.params, seed);
                SplittableRandom r = new SplittableRandom(seed);
                int[] ids = r.ints((long) batch * tokens, 0, vocab).toArray();
                int[] pastIds = r.ints((long) batch * past, 0, vocab).toArray();
                double[] ms;
                String gpu;
                try (Gpt2Backend backend = Gpt2Backends.open(m, placement); Gpt2Backend.Decoder decoder = backend.decoder(batch, past + tokens)) {
                    if (past > 0) decoder.append(pastIds, past);
                    ms = common.time(backend, () -> {
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
                String where = onCpu ? "threads=" + threads : placement.device() + " " + precision;
                System.out.println(String.format(Locale.ROOT,
                        "forward layers=%d embd=%d heads=%d vocab=%d batch=%d tokens=%d past=%d %s: median %.2f ms, min %.2f ms",
                        layers, embd, heads, vocab, batch, tokens, past, where, med, ms[0]));
                String dev = deviceJson(placement, gpu);
                System.out.println("{\"bench\":\"forward\",\"layers\":" + layers + ",\"embd\":" + embd + ",\"heads\":" + heads
                        + ",\"vocab\":" + vocab + ",\"batch\":" + batch + ",\"tokens\":" + tokens + ",\"past\":" + past + ",\"threads\":" + threads
                        + dev + ",\"iters\":" + ms.length + ",\"median_ms\":" + num(med) + ",\"min_ms\":" + num(ms[0])
                        + ",\"gflops\":" + num(flops / med / 1e6) + ",\"gbps\":" + num(bytes / med / 1e6) + "}");
            }
            return 0;
        }
    }

    /** {@code seal bench train}: one training step — forward, backward and AdamW — of a GPT-2 on a (B,T) batch. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Time one training step (forward + backward + AdamW) of a GPT-2 on random weights and tokens.")
    static final class TrainBench implements Callable<Integer> {
        @CommandLine.Mixin Common common;
        @Option(names = "--layers", defaultValue = "4", description = "n_layer (default: ${DEFAULT-VALUE}).") int layers;
        @Option(names = "--embd", defaultValue = "128", description = "n_embd (default: ${DEFAULT-VALUE}).") int embd;
        @Option(names = "--heads", defaultValue = "4", description = "n_head (default: ${DEFAULT-VALUE}).") int heads;
        @Option(names = "--vocab", defaultValue = "50257", description = "vocab_size (default: ${DEFAULT-VALUE}).") int vocab;
        @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).") int batch;
        @Option(names = "--tokens", defaultValue = "256", description = "T, also n_positions (default: ${DEFAULT-VALUE}).") int tokens;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() {
            for (var o : new Object[][] {{"--layers", layers}, {"--embd", embd}, {"--heads", heads}, {"--vocab", vocab}}) {
                Checks.atLeast((String) o[0], (Integer) o[1], 1);
            }
            if (embd % heads != 0) throw Checks.bad("--embd", embd, "is not divisible by --heads " + heads);
            Checks.atLeast("--batch", batch, 1);
            Checks.atLeast("--tokens", tokens, 1);
            int threads = common.applyThreads();
            double params = (double) vocab * embd + (double) tokens * embd + layers * (12.0 * embd * embd + 13.0 * embd);
            Checks.fitsMemory("--layers " + layers + " --embd " + embd + " --vocab " + vocab + " --batch " + batch + " --tokens " + tokens
                    + ": the model, gradients, AdamW state and activations", 16.0 * params
                    + 4.0 * batch * tokens * (16.0 * embd * layers + 2.0 * heads * tokens * layers + 2.0 * vocab));
            Gpt2Config cfg = new Gpt2Config(embd, heads, layers, tokens, vocab, 1e-5f, "gelu_new");
            try (Gpt2Model m = Gpt2Model.create(cfg, true); var bp = new sealjvm.gpt2.train.Gpt2Backprop(m, batch, tokens);
                 var opt = new sealjvm.gpt2.train.AdamW(m.params, 0.9f, 0.95f, 1e-8f, 0.1f, sealjvm.gpt2.train.AdamW.decayMatrices(m.params))) {
                RandomInit.fill(m.params, seed);
                SplittableRandom r = new SplittableRandom(seed);
                int[] x = r.ints((long) batch * tokens, 0, vocab).toArray(), y = r.ints((long) batch * tokens, 0, vocab).toArray();
                double[] ms = common.time(() -> {
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
                System.out.println("{\"bench\":\"train\",\"layers\":" + layers + ",\"embd\":" + embd + ",\"heads\":" + heads
                        + ",\"vocab\":" + vocab + ",\"batch\":" + batch + ",\"tokens\":" + tokens + ",\"threads\":" + threads
                        + ",\"iters\":" + ms.length + ",\"median_ms\":" + num(med) + ",\"min_ms\":" + num(ms[0])
                        + ",\"tokens_per_s\":" + num(BT / med * 1000) + ",\"gflops\":" + num(flops / med / 1e6) + "}");
            }
            return 0;
        }
    }

    /** {@code seal bench matmul}: out (M,N) = A (M,K) · W (K,N) + b, or the tied-head form A · Wᵀ with W (N,K). */
    @Command(name = "matmul", mixinStandardHelpOptions = true, description = "Time one matrix product on random data.")
    static final class MatmulBench implements Callable<Integer> {
        @CommandLine.Mixin Common common;
        @Option(names = "--m", required = true, description = "Rows M of the input.") int m;
        @Option(names = "--k", required = true, description = "Inner dimension K.") int k;
        @Option(names = "--n", required = true, description = "Columns N of the output.") int n;
        @Option(names = "--transposed", description = "W stored (N,K), as the tied LM head (wte).") boolean transposed;
        @Option(names = "--bias", description = "Add a bias row.") boolean bias;
        @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights and inputs (default: ${DEFAULT-VALUE}).") long seed;

        @Override
        public Integer call() {
            Checks.atLeast("--m", m, 1);
            Checks.atLeast("--k", k, 1);
            Checks.atLeast("--n", n, 1);
            Checks.fitsMemory("--m " + m + " --k " + k + " --n " + n + ": the three matrices", 4.0 * ((double) m * k + (double) k * n + 2.0 * m * n));
            int threads = common.applyThreads();
            try (Arena arena = Arena.ofShared()) {
                SplittableRandom r = new SplittableRandom(seed);
                Tensor a = random(arena, r, m, k);
                Tensor w = transposed ? random(arena, r, n, k) : random(arena, r, k, n);
                Tensor b = bias ? random(arena, r, n) : null;
                Tensor out = Tensor.allocate(arena, m, n);
                double[] ms = common.time(() -> {
                    if (transposed) Matmul.matmulTransposed(out, a, w, b);
                    else Matmul.matmul(out, a, w, b);
                });
                double med = Stats.median(ms);
                double flops = 2.0 * m * k * n;
                double bytes = 4.0 * ((double) m * k + (double) k * n + (double) m * n);
                System.out.println(String.format(Locale.ROOT, "matmul %dx%d · %s threads=%d: median %.3f ms, min %.3f ms",
                        m, k, transposed ? "(" + n + "x" + k + ")ᵀ" : k + "x" + n, threads, med, ms[0]));
                System.out.println("{\"bench\":\"matmul\",\"m\":" + m + ",\"k\":" + k + ",\"n\":" + n + ",\"transposed\":" + transposed
                        + ",\"threads\":" + threads + ",\"iters\":" + ms.length + ",\"median_ms\":" + num(med) + ",\"min_ms\":" + num(ms[0])
                        + ",\"gflops\":" + num(flops / med / 1e6) + ",\"gbps\":" + num(bytes / med / 1e6) + "}");
            }
            return 0;
        }

        static Tensor random(Arena arena, SplittableRandom r, int... shape) {
            Tensor t = Tensor.allocate(arena, shape);
            for (long i = 0; i < t.size(); i++) t.set(i, (float) r.nextGaussian());
            return t;
        }
    }

    /** {@code seal bench edit}: MERGED apply + bit-exact revert vs a plain copy of the same bytes, in one run. */
    @Command(name = "edit", mixinStandardHelpOptions = true,
            description = "Time merged low-rank apply and revert on a R×C weight against a plain copy; last line is JSON.")
    static final class EditBench implements Callable<Integer> {
        @CommandLine.Mixin Common common;
        @Option(names = "--rows", defaultValue = "768", description = "Rows R of the weight (default: ${DEFAULT-VALUE}).") int rows;
        @Option(names = "--cols", defaultValue = "3072", description = "Columns C of the weight (default: ${DEFAULT-VALUE}).") int cols;
        @Option(names = "--rank", defaultValue = "8", description = "Rank of the edit (default: ${DEFAULT-VALUE}).") int rank;
        @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) | cuda.") String device;

        @Override
        public Integer call() {
            Placement placement = Placement.parse(device, "fp32");
            Checks.atLeast("--rows", rows, 1);
            Checks.atLeast("--cols", cols, 1);
            Checks.atLeast("--rank", rank, 1);
            Checks.fitsMemory("--rows " + rows + " --cols " + cols + ": the weight, its copy and snapshot", 4.0 * 3 * rows * (double) cols);
            common.applyThreads();
            var out = sealjvm.seal.diagnostics.EditBenchmark.run(placement, rows, cols, rank, Math.max(common.iters, 20), common.warmupMs);
            System.out.println(String.format(Locale.ROOT, "edit %dx%d rank %d threads=%d: apply %.3f ms, revert %.3f ms, copy %.3f ms",
                    rows, cols, rank, out.get("threads").intValue(), out.get("apply_ms").doubleValue(), out.get("revert_ms").doubleValue(),
                    out.get("copy_ms").doubleValue()));
            System.out.println(out);
            return 0;
        }
    }

    /** {@code seal bench reinforce}: SEAL episodes (K rollouts each) of a fresh generator, nothing written to disk. */
    @Command(name = "reinforce", mixinStandardHelpOptions = true,
            description = "Time SEAL training episodes (sample K edits, score them, REINFORCE update); last line is JSON with rollouts_per_s.")
    static final class ReinforceBench implements Callable<Integer> {
        @Option(names = "--task", defaultValue = "facts", description = "facts (default) | spam (needs the corpus or --data sample).") String task;
        @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face GPT-2 directory (default: the bundled model).") java.nio.file.Path model;
        @Option(names = "--targets", defaultValue = "h.1.attn.c_proj", description = "Linears to edit (default: ${DEFAULT-VALUE}).") String targets;
        @Option(names = "--samples", defaultValue = "8", description = "Rollouts (edits) per episode, K (default: ${DEFAULT-VALUE}).") int samples;
        @Option(names = "--episodes", defaultValue = "10", description = "Timed episodes (default: ${DEFAULT-VALUE}).") int episodes;
        @Option(names = "--warmup", defaultValue = "2", description = "Untimed episodes first (default: ${DEFAULT-VALUE}).") int warmup;
        @Option(names = "--data", defaultValue = "sample", description = "spam: full (the corpus) | sample (the committed sample) (default: ${DEFAULT-VALUE}).") String data;
        @Option(names = "--threads", description = "Kernel threads (default: the number of cores).") Integer threads;
        @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) | cuda.") String device;
        @Option(names = "--precision", defaultValue = "fp32", description = "cuda GEMMs: fp32 | tf32 | bf16 (default: ${DEFAULT-VALUE}).") String precision;

        @Override
        public Integer call() throws Exception {
            Placement placement = Placement.parse(device, precision);
            Checks.atLeast("--samples", samples, 2);
            Checks.atLeast("--episodes", episodes, 1);
            Checks.atLeast("--warmup", warmup, 0);
            if (threads != null) Checks.atLeast("--threads", threads, 1);
            if (threads != null) Parallel.setThreads(threads);
            java.nio.file.Path modelDir = model != null ? model : SealCli.defaultModel();
            var c = sealjvm.seal.TrainConfig.builder(sealjvm.seal.TrainConfig.TaskName.parse(task), modelDir.toAbsolutePath().toString())
                    .targets(targets).samples(samples).episodes(warmup + episodes).lrSchedule(sealjvm.seal.TrainConfig.Schedule.CONSTANT)
                    .data(sealjvm.seal.TrainConfig.DataSource.parse(data)).build();
            java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("seal-bench-reinforce");
            try (var setup = sealjvm.seal.Setup.create(c, SealCli.home(), tmp, placement)) {
                var loop = new sealjvm.seal.SealLoop(c, setup, sealjvm.seal.SealLoop.initialState(c, setup));
                for (int i = 0; i < warmup; i++) loop.episode();
                double[] ms = new double[episodes];
                for (int i = 0; i < episodes; i++) {
                    long t0 = System.nanoTime();
                    loop.episode();
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                Arrays.sort(ms);
                double med = Stats.median(ms);
                String dev = deviceJson(placement, setup.backend().deviceName());
                System.out.println(String.format(Locale.ROOT, "reinforce task=%s model=%s K=%d %s: median %.1f ms per episode, %.1f rollouts/s",
                        task, modelDir.getFileName(), samples, device, med, samples / med * 1000));
                System.out.println("{\"bench\":\"reinforce\",\"task\":\"" + task + "\",\"model\":\"" + modelDir.getFileName() + "\",\"samples\":" + samples
                        + ",\"threads\":" + Parallel.threads() + dev + ",\"iters\":" + episodes + ",\"median_ms\":" + num(med) + ",\"min_ms\":" + num(ms[0])
                        + ",\"rollouts_per_s\":" + num(samples / med * 1000) + "}");
            } finally {
                try (var files = java.nio.file.Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
            return 0;
        }
    }
}
