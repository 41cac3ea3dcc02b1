package sealjvm.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.PackedMatmul;
import sealjvm.tensor.PanelMatrix;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * Matmul on GPT-2-small shapes. {@code shape} is MxKxN; a trailing T is the tied-head form A·Wᵀ with W (N,K);
 * {@code weights} F32 packs W on every call, F32_PACKED once in setup ({@link PanelMatrix}, the same bits).
 * GFLOP/s = 2·M·K·N / (ms/op · 1e6).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBenchmark {
    @Param({"128x768x2304", "128x768x3072", "128x3072x768", "1x768x50257T", "128x768x50257T"})
    public String shape;

    /** Kernel threads; 0 = the number of cores. */
    @Param("0")
    public int threads;

    @Param({"F32", "F32_PACKED"})
    public WeightFormat weights;

    private Arena arena;
    private Tensor a, w, b, out;
    private PanelMatrix panels;
    private boolean transposed;

    @Setup
    public void setup() {
        if (threads > 0) Parallel.setThreads(threads);
        transposed = shape.endsWith("T");
        String[] d = shape.replace("T", "").split("x");
        int m = Integer.parseInt(d[0]), k = Integer.parseInt(d[1]), n = Integer.parseInt(d[2]);
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(1);
        a = random(arena, r, m, k);
        w = transposed ? random(arena, r, n, k) : random(arena, r, k, n);
        b = transposed ? null : random(arena, r, n);
        out = Tensor.allocate(arena, m, n);
        if (weights == WeightFormat.F32_PACKED) {
            panels = PanelMatrix.allocate(arena, w.dim(0), w.dim(1), transposed ? PanelMatrix.Product.TRANSPOSED : PanelMatrix.Product.PLAIN);
            panels.copyFrom(w);
        } else if (weights != WeightFormat.F32) {
            throw new IllegalArgumentException("MatmulBenchmark times F32 and F32_PACKED; DecodeWeightsBenchmark the 16-bit and Q8_0 formats");
        }
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public Tensor matmul() {
        if (panels != null) {
            if (transposed) PackedMatmul.matmulTransposed(out, a, panels, b);
            else PackedMatmul.matmul(out, a, panels, b);
        } else if (transposed) {
            Matmul.matmulTransposed(out, a, w, b);
        } else {
            Matmul.matmul(out, a, w, b);
        }
        return out;
    }

    static Tensor random(Arena arena, SplittableRandom r, int... shape) {
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) t.set(i, (float) r.nextGaussian());
        return t;
    }
}
