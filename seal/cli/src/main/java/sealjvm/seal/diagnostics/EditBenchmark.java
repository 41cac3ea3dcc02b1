package sealjvm.seal.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import sealjvm.gpt2.cuda.CudaBackendProvider;
import sealjvm.seal.Stats;
import sealjvm.tensor.LowRank;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Tensor;

/**
 * {@code bench edit}: MERGED apply (W += s·A·B with the fused snapshot) and revert (copy back), timed
 * against a plain copy of the same bytes in the same run, on a R×C weight with rank-r factors.
 * apply_revert_gbps counts 4·R·C·4 bytes (apply: read W, write snapshot, write W; revert: read the
 * snapshot, write W — the minimum traffic is 5·R·C·4; the contract counts 4); copy_gbps counts 2·R·C·4.
 */
public final class EditBenchmark {
    private EditBenchmark() {}

    /** On the placement's device: {@link #run(int, int, int, int, long)} on the CPU, {@link #runCuda} on CUDA. */
    public static ObjectNode run(Placement placement, int rows, int cols, int rank, int iterations, long warmupMs) {
        return switch (placement.device()) {
            case CPU -> run(rows, cols, rank, iterations, warmupMs);
            case CUDA -> runCuda(CudaBackendProvider.device(placement.precision()), rows, cols, rank, iterations);
        };
    }

    public static ObjectNode run(int rows, int cols, int rank, int iterations, long warmupMs) {
        if (rows < 1 || cols < 1 || rank < 1 || iterations < 1) throw new IllegalArgumentException("--rows, --cols, --rank and iterations must be >= 1");
        try (Arena arena = Arena.ofShared()) {
            var r = new SplittableRandom(1);
            Tensor w = Tensor.allocate(arena, rows, cols), snap = Tensor.allocate(arena, rows, cols), copy = Tensor.allocate(arena, rows, cols);
            Tensor a = Tensor.allocate(arena, rows, rank), b = Tensor.allocate(arena, rank, cols);
            for (long i = 0; i < w.size(); i++) w.set(i, (float) (r.nextGaussian() * 0.02));
            for (long i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
            for (long i = 0; i < b.size(); i++) b.set(i, (float) (r.nextGaussian() * 0.01));
            MemorySegment original = arena.allocate(w.byteSize());
            original.copyFrom(w.segment());

            double[] apply = new double[iterations], revert = new double[iterations], cp = new double[iterations];
            long warmUntil = System.nanoTime() + warmupMs * 1_000_000;
            for (int it = -3; it < iterations; it++) {
                if (it == -1 && System.nanoTime() < warmUntil) it = -2;  // warm up (JIT) for at least warmupMs
                long t0 = System.nanoTime();
                LowRank.applyWithSnapshot(w, a, b, 0.5f, snap);
                long t1 = System.nanoTime();
                LowRank.copy(w, snap);
                long t2 = System.nanoTime();
                LowRank.copy(copy, w);
                long t3 = System.nanoTime();
                if (it >= 0) { apply[it] = t1 - t0; revert[it] = t2 - t1; cp[it] = t3 - t2; }
            }
            boolean exact = original.mismatch(w.segment()) == -1;
            double bytes = (double) rows * cols * 4;
            double ta = Stats.median(apply), tr = Stats.median(revert), tc = Stats.median(cp);
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("rows", rows);
            out.put("cols", cols);
            out.put("rank", rank);
            out.put("threads", Parallel.threads());
            out.put("iterations", iterations);
            out.put("apply_ms", ta / 1e6);
            out.put("revert_ms", tr / 1e6);
            out.put("copy_ms", tc / 1e6);
            out.put("apply_revert_gbps", 4 * bytes / (ta + tr));
            out.put("copy_gbps", 2 * bytes / tc);
            out.put("ratio", (4 * bytes / (ta + tr)) / (2 * bytes / tc));
            out.put("revert_exact", exact);
            return out;
        }
    }

    /**
     * The same measurement on a CUDA device: the fused apply kernel (snapshot + W += s·A·B), the revert (device copy
     * of the snapshot) and a plain device copy of the same bytes, each timed with CUDA events over
     * {@code iterations} back-to-back runs (launch overhead included, as a SEAL loop pays it).
     */
    public static ObjectNode runCuda(sealjvm.tensor.cuda.CudaDevice dev, int rows, int cols, int rank, int iterations) {
        if (rows < 1 || cols < 1 || rank < 1 || iterations < 1) throw new IllegalArgumentException("--rows, --cols, --rank and iterations must be >= 1");
        try (Arena arena = Arena.ofShared()) {
            var r = new SplittableRandom(1);
            Tensor w = Tensor.allocate(arena, rows, cols), a = Tensor.allocate(arena, rows, rank), b = Tensor.allocate(arena, rank, cols);
            for (long i = 0; i < w.size(); i++) w.set(i, (float) (r.nextGaussian() * 0.02));
            for (long i = 0; i < a.size(); i++) a.set(i, (float) r.nextGaussian());
            for (long i = 0; i < b.size(); i++) b.set(i, (float) (r.nextGaussian() * 0.01));
            var ops = dev.ops();
            try (var dw = dev.upload(w); var da = dev.upload(a); var db = dev.upload(b);
                 var snap = dev.allocateUninitialized(rows, cols); var other = dev.allocateUninitialized(rows, cols)) {
                for (int i = 0; i < 3; i++) { ops.lowRankApply(dw, da, db, 0.5f, snap); ops.copy(dw, snap); ops.copy(other, dw); }
                dev.synchronize();
                double ta = dev.timeMillis(() -> { for (int i = 0; i < iterations; i++) { ops.lowRankApply(dw, da, db, 0.5f, snap); ops.copy(dw, snap); } });
                double tApplyOnly = dev.timeMillis(() -> { for (int i = 0; i < iterations; i++) ops.lowRankApply(other, da, db, 0.5f, snap); });
                double tRevertOnly = dev.timeMillis(() -> { for (int i = 0; i < iterations; i++) ops.copy(other, snap); });
                double tc = dev.timeMillis(() -> { for (int i = 0; i < iterations; i++) ops.copy(other, dw); });
                boolean exact = java.util.Arrays.equals(dw.toArray(), w.toArray());
                double bytes = (double) rows * cols * 4;
                double perApplyRevert = ta / iterations * 1e6, perApply = tApplyOnly / iterations * 1e6, perCopy = tc / iterations * 1e6; // ns
                double perRevert = tRevertOnly / iterations * 1e6;
                ObjectNode out = new ObjectMapper().createObjectNode();
                out.put("device", "cuda");
                out.put("gpu", dev.name);
                out.put("rows", rows);
                out.put("cols", cols);
                out.put("rank", rank);
                out.put("threads", 0);
                out.put("iterations", iterations);
                out.put("apply_ms", perApply / 1e6);
                out.put("revert_ms", perRevert / 1e6);
                out.put("apply_revert_ms", perApplyRevert / 1e6);
                out.put("copy_ms", perCopy / 1e6);
                out.put("apply_revert_gbps", 4 * bytes / perApplyRevert);
                out.put("copy_gbps", 2 * bytes / perCopy);
                out.put("ratio", (4 * bytes / perApplyRevert) / (2 * bytes / perCopy));
                out.put("revert_exact", exact);
                return out;
            }
        }
    }

}
