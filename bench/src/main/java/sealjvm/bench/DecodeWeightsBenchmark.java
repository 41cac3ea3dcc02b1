package sealjvm.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.KVCache;
import sealjvm.gpt2.RandomInit;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * One decode step (T=1, 127 positions cached) of a GPT-2-124M-shaped model with its weight matrices held as F32,
 * F16, BF16 or Q8_0, beside two memory-bandwidth references run in the same JVM: a parallel read of a 512 MiB buffer
 * (what a decode step does to its weights) and a parallel copy of a 256 MiB buffer. Bytes per step and bandwidth
 * are printed at setup so the fraction of bandwidth is (param bytes / step time) / read bandwidth.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DecodeWeightsBenchmark {
    static final int PAST = 127;
    static final Gpt2Config GPT2_124M = new Gpt2Config(768, 12, 12, 1024, 50257, 1e-5f, "gelu_new");

    @State(Scope.Benchmark)
    public static class Model {
        @Param({"F32", "F32_PACKED", "F16", "BF16", "Q8_0"})
        public WeightFormat format;
        @Param("0")
        public int threads;

        Gpt2Model model;
        Arena arena;
        KVCache cache;
        int[] next;
        Tensor logits;

        @Setup
        public void setup() {
            if (threads > 0) Parallel.setThreads(threads);
            model = Gpt2Model.create(GPT2_124M, true, format);
            if (format == WeightFormat.F32) {
                RandomInit.fill(model.params, 1);
            } else {
                // The same random weights as the F32 run, packed, rounded to the 16-bit format or quantized to Q8_0.
                try (Gpt2Model wide = Gpt2Model.create(GPT2_124M, true)) {
                    RandomInit.fill(wide.params, 1);
                    for (var e : model.params.byName().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
                    for (var e : model.params.packed().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
                }
            }
            System.out.printf("%n%s: %.1f MiB of parameters resident%n", format, model.params.byteSize() / 1048576.0);
            arena = Arena.ofShared();
            int[] prompt = new SplittableRandom(2).ints(PAST + 1, 0, 50257).toArray();
            next = new int[] {prompt[PAST]};
            cache = model.newCache(1, PAST + 1, arena);
            model.forward(cache, java.util.Arrays.copyOf(prompt, PAST), PAST, arena);
            logits = Tensor.allocate(arena, 1, 1, 50257);
        }

        @TearDown
        public void tearDown() {
            arena.close();
            model.close();
        }
    }

    @State(Scope.Benchmark)
    public static class Buffers {
        static final long READ_BYTES = 512L << 20, COPY_BYTES = 256L << 20, CHUNK = 4L << 20;
        Arena arena;
        MemorySegment big, src, dst;

        @Setup
        public void setup() {
            arena = Arena.ofShared();
            big = arena.allocate(READ_BYTES, 64);
            src = arena.allocate(COPY_BYTES, 64);
            dst = arena.allocate(COPY_BYTES, 64);
            big.fill((byte) 1);
            src.fill((byte) 2);
            dst.fill((byte) 3);
        }

        @TearDown
        public void tearDown() { arena.close(); }
    }

    @Benchmark
    public Tensor decodeStep(Model m) {
        m.cache.truncate(PAST);
        m.model.forwardInto(m.cache, m.next, 1, m.logits);
        return m.logits;
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Reads 512 MiB (far larger than the caches) in 4 MiB chunks over the kernel pool, summing floats. */
    @Benchmark
    public float readBuffer512MiB(Buffers b) {
        int chunks = (int) (Buffers.READ_BYTES / Buffers.CHUNK);
        float[] sums = new float[chunks];
        Parallel.forChunks(chunks, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                long base = c * Buffers.CHUNK, step = 4L * S.vectorByteSize();
                for (long o = 0; o < Buffers.CHUNK; o += step) {
                    a0 = a0.add(FloatVector.fromMemorySegment(S, b.big, base + o, ByteOrder.LITTLE_ENDIAN));
                    a1 = a1.add(FloatVector.fromMemorySegment(S, b.big, base + o + S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
                    a2 = a2.add(FloatVector.fromMemorySegment(S, b.big, base + o + 2L * S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
                    a3 = a3.add(FloatVector.fromMemorySegment(S, b.big, base + o + 3L * S.vectorByteSize(), ByteOrder.LITTLE_ENDIAN));
                }
                sums[c] = a0.add(a1).add(a2).add(a3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            }
        });
        float s = 0;
        for (float x : sums) s += x;
        return s;
    }

    /** Copies 256 MiB in 4 MiB chunks over the kernel pool (reads 256 MiB, writes 256 MiB). */
    @Benchmark
    public MemorySegment copyBuffer256MiB(Buffers b) {
        int chunks = (int) (Buffers.COPY_BYTES / Buffers.CHUNK);
        Parallel.forChunks(chunks, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) MemorySegment.copy(b.src, c * Buffers.CHUNK, b.dst, c * Buffers.CHUNK, Buffers.CHUNK);
        });
        return b.dst;
    }
}
