package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.util.concurrent.Callable;
import java.util.Locale;
import java.util.SplittableRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.seal.Stats;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.PackedMatmul;
import sealjvm.tensor.PackedMatrix;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/** {@code seal bench matmul}: out (M,N) = A (M,K) · W (K,N) + b, or the tied-head form A · Wᵀ with W (N,K). */
@Command(name = "matmul", mixinStandardHelpOptions = true, description = "Time one matrix product on random data.")
final class BenchMatmulCommand implements Callable<Integer> {
    @CommandLine.Mixin BenchTiming timing;
    @Option(names = "--m", required = true, description = "Rows M of the input.") int m;
    @Option(names = "--k", required = true, description = "Inner dimension K.") int k;
    @Option(names = "--n", required = true, description = "Columns N of the output.") int n;
    @Option(names = "--transposed", description = "W stored (N,K), as the tied LM head (wte).") boolean transposed;
    @Option(names = "--bias", description = "Add a bias row.") boolean bias;
    @Mixin SeedOption seed;
    @Mixin WeightsOption weights;

    @Override
    public Integer call() {
        Checks.atLeast("--m", m, 1);
        Checks.atLeast("--k", k, 1);
        Checks.atLeast("--n", n, 1);
        Checks.fitsMemory("--m " + m + " --k " + k + " --n " + n + ": the three matrices", 4.0 * ((double) m * k + (double) k * n + 2.0 * m * n));
        int threads = timing.applyThreads();
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom r = new SplittableRandom(seed.seed);
            Tensor a = random(arena, r, m, k);
            Tensor w = transposed ? random(arena, r, n, k) : random(arena, r, k, n);
            Tensor b = bias ? random(arena, r, n) : null;
            Tensor out = Tensor.allocate(arena, m, n);
            PackedMatrix held = weights.format == WeightFormat.F32 ? null : PackedMatrix.allocate(arena, w.dim(0), w.dim(1), weights.format, transposed);
            if (held != null) held.copyFrom(w);   // packed (rounded, quantized) once, before the timing
            double[] ms = timing.time(() -> {
                if (held != null && transposed) PackedMatmul.matmulTransposed(out, a, held, b);
                else if (held != null) PackedMatmul.matmul(out, a, held, b);
                else if (transposed) Matmul.matmulTransposed(out, a, w, b);
                else Matmul.matmul(out, a, w, b);
            });
            double med = Stats.median(ms);
            double flops = 2.0 * m * k * n;
            double bytes = 4.0 * ((double) m * k + (double) m * n) + (held == null ? 4.0 * k * n : held.byteSize());
            System.out.println(String.format(Locale.ROOT, "matmul %dx%d · %s weights=%s threads=%d: median %.3f ms, min %.3f ms",
                    m, k, transposed ? "(" + n + "x" + k + ")ᵀ" : k + "x" + n, weights.format, threads, med, ms[0]));
            ObjectNode json = BenchJson.result("matmul");
            json.put("m", m).put("k", k).put("n", n).put("transposed", transposed)
                    .put("weights", weights.format.name().toLowerCase(Locale.ROOT)).put("threads", threads).put("iters", ms.length)
                    .put("median_ms", BenchJson.num(med)).put("min_ms", BenchJson.num(ms[0]))
                    .put("gflops", BenchJson.num(flops / med / 1e6)).put("gbps", BenchJson.num(bytes / med / 1e6));
            System.out.println(BenchJson.write(json));
        }
        return 0;
    }

    static Tensor random(Arena arena, SplittableRandom r, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) t.set(i, (float) r.nextGaussian());
        return t;
    }
}
