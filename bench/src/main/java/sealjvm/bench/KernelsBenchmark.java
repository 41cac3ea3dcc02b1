package sealjvm.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;

/**
 * Layernorm, GELU and causal attention on GPT-2-small shapes (C=768, 12 heads): prefill T=128, decode at position 127;
 * the log-sum-exp of 64 rows of logits over the 50257-token vocabulary (the scoring head's).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelsBenchmark {
    static final int T = 128, C = 768, H = 12;

    @Param("0")
    public int threads;

    private Arena arena;
    private Tensor x, ln, w, b, fc, q, k, v, att, q1, att1, logits;
    private final float[] lse = new float[64];

    @Setup
    public void setup() {
        if (threads > 0) Parallel.setThreads(threads);
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(1);
        x = MatmulBenchmark.random(arena, r, T, C);
        ln = Tensor.allocate(arena, T, C);
        w = MatmulBenchmark.random(arena, r, C);
        b = MatmulBenchmark.random(arena, r, C);
        fc = MatmulBenchmark.random(arena, r, T, 4 * C);
        q = MatmulBenchmark.random(arena, r, 1, T, C);
        k = MatmulBenchmark.random(arena, r, 1, T, C);
        v = MatmulBenchmark.random(arena, r, 1, T, C);
        att = Tensor.allocate(arena, 1, T, C);
        q1 = MatmulBenchmark.random(arena, r, 1, 1, C);
        att1 = Tensor.allocate(arena, 1, 1, C);
        logits = MatmulBenchmark.random(arena, r, 64, 50257);
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public Tensor layernorm128() { Kernels.layernorm(ln, x, w, b, 1e-5f); return ln; }

    @Benchmark
    public Tensor gelu128x3072() { Kernels.gelu(fc, fc); return fc; }

    @Benchmark
    public Tensor attentionPrefill128() { Kernels.attention(att, q, k, v, H, 0); return att; }

    @Benchmark
    public Tensor attentionDecodeAt127() { Kernels.attention(att1, q1, k, v, H, T - 1); return att1; }

    @Benchmark
    public float[] logSumExp64xVocab() { Kernels.logSumExp(lse, logits); return lse; }
}
