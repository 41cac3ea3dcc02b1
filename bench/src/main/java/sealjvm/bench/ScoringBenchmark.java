package sealjvm.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.RandomInit;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;

/**
 * The SEAL reward's scoring head on the bundled model's shape (C = 128, V = 50257): {@code tokenLogProbs} of the
 * forgetting term's 744 rows (8 edits × 93 positions, after the 93 rows of the unedited block), with the head packed
 * per call and inside a {@code pinHead} scope (as a SEAL run holds one), where the rows are scored without writing
 * their logits ({@code Matmul.rowLogSumExp}, each row's max guessed from the columns kept from earlier calls). Random
 * rows have a different max column each, which the pinned head cannot keep (it guesses badly, then takes the logits
 * path); {@code ...PinnedEdits} scores rows as a SEAL run does, 93 positions under 8 small edits, whose max columns it
 * keeps.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ScoringBenchmark {
    static final int ROWS = 744, BEFORE = 93;

    @Param("0")
    public int threads;

    private Gpt2Model model;
    private Arena arena;
    private Tensor rows;
    private int[] targets;
    private double[] logp;
    private boolean[] top1;
    private Gpt2Model.HeadPin pin;

    @Setup
    public void setup(org.openjdk.jmh.infra.BenchmarkParams params) {
        if (threads > 0) Parallel.setThreads(threads);
        Gpt2Config config = new Gpt2Config(128, 4, 4, 256, 50257, 1e-5f, "gelu_new");
        model = Gpt2Model.create(config, true);
        RandomInit.fill(model.params, 1);
        arena = Arena.ofShared();
        SplittableRandom r = new SplittableRandom(2);
        rows = MatmulBenchmark.random(arena, r, ROWS, config.nEmbd());
        if (params.getBenchmark().endsWith("Edits")) {   // the first 93 rows, each copy perturbed by 1e-3 of their scale
            int C = config.nEmbd();
            for (int i = BEFORE; i < ROWS; i++) {
                for (int c = 0; c < C; c++) rows.set((long) i * C + c, rows.get((long) (i % BEFORE) * C + c) * (1 + 1e-3f * (float) r.nextGaussian()));
            }
        }
        targets = r.ints(ROWS, 0, config.vocabSize()).toArray();
        logp = new double[ROWS];
        top1 = new boolean[ROWS];
        if (params.getBenchmark().contains("Pinned")) pin = model.pinHead();
    }

    @TearDown
    public void tearDown() {
        if (pin != null) pin.close();
        arena.close();
        model.close();
    }

    @Benchmark
    public double[] forgettingRows744() { model.tokenLogProbs(rows, targets, logp, top1, BEFORE); return logp; }

    @Benchmark
    public double[] forgettingRows744Pinned() { model.tokenLogProbs(rows, targets, logp, top1, BEFORE); return logp; }

    @Benchmark
    public double[] forgettingRows744PinnedEdits() { model.tokenLogProbs(rows, targets, logp, top1, BEFORE); return logp; }
}
