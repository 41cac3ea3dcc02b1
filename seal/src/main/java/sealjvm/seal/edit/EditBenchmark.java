package sealjvm.seal.edit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import sealjvm.tensor.LowRank;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;

/**
 * {@code bench edit}: MERGED apply (W += s·A·B with the fused snapshot) and revert (copy back), timed
 * against a plain copy of the same bytes in the same run, on a R×C weight with rank-r factors.
 * apply_revert_gbps counts 4·R·C·4 bytes (apply: read W, write snapshot, write W; revert: read the
 * snapshot, write W — the minimum traffic is 5·R·C·4; the contract counts 4); copy_gbps counts 2·R·C·4.
 */
public final class EditBenchmark {
    private EditBenchmark() {}

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
            double ta = median(apply), tr = median(revert), tc = median(cp);
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

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
