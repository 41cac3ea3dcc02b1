package sealjvm.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.KVCache;
import sealjvm.gpt2.RandomInit;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * The whole GPT-2-124M-shaped forward (12 layers, 768, 12 heads, 50257 vocabulary, tied head) on random weights
 * made in-process: prefill of 128 tokens (logits of all 128), and one decode step with 127 positions cached.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ForwardBenchmark {
    static final int PAST = 127, T = 128;

    @Param("0")
    public int threads;

    /** How the weight matrices are held: F32 (packed on every product) or F32_PACKED (packed once, the same logits). */
    @Param({"F32", "F32_PACKED"})
    public WeightFormat weights;

    private Gpt2Model model;
    private Arena arena;
    private KVCache prefillCache, decodeCache;
    private int[] prompt, next;
    private Tensor logits128, logits1;

    @Setup
    public void setup() {
        if (threads > 0) Parallel.setThreads(threads);
        Gpt2Config config = new Gpt2Config(768, 12, 12, 1024, 50257, 1e-5f, "gelu_new");
        model = Gpt2Model.create(config, true, weights);
        try (Gpt2Model wide = Gpt2Model.create(config, true)) {
            RandomInit.fill(wide.params, 1);
            for (var e : model.params.byName().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
            for (var e : model.params.packed().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
        }
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(2);
        prompt = r.ints(T, 0, 50257).toArray();
        next = new int[] {prompt[PAST]};
        prefillCache = model.newCache(1, T, arena);
        decodeCache = model.newCache(1, PAST + 1, arena);
        model.forward(decodeCache, java.util.Arrays.copyOf(prompt, PAST), PAST, arena);
        logits128 = Tensor.allocate(arena, 1, T, 50257);
        logits1 = Tensor.allocate(arena, 1, 1, 50257);
    }

    @TearDown
    public void tearDown() {
        arena.close();
        model.close();
    }

    @Benchmark
    public Tensor prefill128() {
        prefillCache.reset();
        model.forwardInto(prefillCache, prompt, T, logits128);
        return logits128;
    }

    @Benchmark
    public Tensor decodeOneWithCache127() {
        decodeCache.truncate(PAST);
        model.forwardInto(decodeCache, next, 1, logits1);
        return logits1;
    }
}
