package sealjvm.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.RandomInit;
import sealjvm.gpt2.cuda.CudaGpt2;
import sealjvm.gpt2.cuda.DeviceLinearHook;
import sealjvm.seal.edit.DeviceEdits;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.LowRankDelta;
import sealjvm.seal.edit.Target;
import sealjvm.tensor.LowRank;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.tensor.cuda.DeviceAllocator;
import sealjvm.tensor.cuda.DeviceTensor;

/**
 * The GPU acceptance checks, runnable from the bundle ({@code bin/seal gpu-check}) on a host without Java
 * tooling, and from the {@code gpu}-tagged JUnit tests. Each returns one JSON object with {@code "ok"}.
 * References are never the GPU itself: PyTorch's logits (the fixtures) and the CPU engine.
 */
public final class GpuChecks {
    private GpuChecks() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** GPU logits vs PyTorch's (the fixtures' logits.npy) and vs the CPU, prefill and one-token decode. */
    public static ObjectNode fixtureLogits(CudaDevice dev, Path fixtures, double tolerance) throws IOException {
        ObjectNode out = JSON.createObjectNode().put("check", "fixture_logits").put("tolerance", tolerance);
        var per = out.putArray("models");
        boolean ok = true;
        List<Path> dirs;
        try (Stream<Path> s = Files.list(fixtures)) {
            dirs = s.filter(d -> Files.exists(d.resolve("reference.json")) && Files.exists(d.resolve("logits.npy"))).sorted().toList();
        }
        if (dirs.isEmpty()) throw new IllegalArgumentException(fixtures + ": no fixture model folders (reference.json + logits.npy)");
        for (Path d : dirs) {
            JsonNode ref = JSON.readTree(d.resolve("reference.json").toFile());
            int[][] ids = new int[ref.get("input_ids").size()][];
            for (int b = 0; b < ids.length; b++) {
                JsonNode row = ref.get("input_ids").get(b);
                ids[b] = new int[row.size()];
                for (int t = 0; t < ids[b].length; t++) ids[b][t] = row.get(t).intValue();
            }
            try (Gpt2Model m = Gpt2Model.load(d); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev)) {
                Tensor expected = Npy.read(d.resolve("logits.npy"), arena);
                Tensor cpu = m.logits(ids, arena);
                Tensor cuda = gpu.logits(ids, arena);
                double vsTorch = maxAbsDiff(cuda, expected), vsCpu = maxAbsDiff(cuda, cpu);
                double decode = decodeDiff(gpu, ids, cuda, arena);
                boolean good = vsTorch <= tolerance && vsCpu <= tolerance && decode <= tolerance;
                ok &= good;
                per.addObject().put("model", d.getFileName().toString()).put("max_abs_vs_pytorch", vsTorch)
                        .put("max_abs_vs_cpu", vsCpu).put("max_abs_decode_vs_prefill", decode).put("ok", good);
            }
        }
        return out.put("ok", ok);
    }

    // Prefill T-1 tokens, then decode the last one through the KV cache; compare with the prefill's last position.
    private static double decodeDiff(CudaGpt2 gpu, int[][] ids, Tensor full, Arena arena) {
        int B = ids.length, T = ids[0].length, V = gpu.config.vocabSize();
        if (T < 2) return 0;
        int[] head = new int[B * (T - 1)], last = new int[B];
        for (int b = 0; b < B; b++) {
            System.arraycopy(ids[b], 0, head, b * (T - 1), T - 1);
            last[b] = ids[b][T - 1];
        }
        try (CudaGpt2.Cache cache = gpu.newCache(B, T); DeviceTensor l1 = gpu.device.allocateUninitialized(B, T - 1, V);
             DeviceTensor l2 = gpu.device.allocateUninitialized(B, 1, V)) {
            gpu.forward(cache, head, T - 1, l1, DeviceLinearHook.NONE);
            gpu.forward(cache, last, 1, l2, DeviceLinearHook.NONE);
            float[] step = l2.toArray();
            double worst = 0;
            for (int b = 0; b < B; b++) for (int v = 0; v < V; v++) {
                worst = Math.max(worst, Math.abs(step[b * V + v] - full.get(((long) b * T + T - 1) * V + v)));
            }
            return worst;
        }
    }

    /**
     * Merged apply on the device gives the CPU's bits (same fma order), and revert restores every parameter
     * bit for bit.
     */
    public static ObjectNode mergedExact(CudaDevice dev) {
        try (Gpt2Model m = smallModel(); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev);
             DeviceEdits.Merged merged = new DeviceEdits.Merged(gpu)) {
            Edit edit = randomEdit(m.config, "h.*.attn.c_attn,h.*.mlp.c_fc,h.*.mlp.c_proj", 8, 11, arena);
            float[] before = gpu.all.toArray();
            DeviceEdits.Merged.Applied applied = merged.apply(edit);
            float[] gpuEdited = gpu.all.toArray();
            // The CPU engine's merged apply on the host copy of the same weights.
            Tensor snap = Tensor.allocate(arena, Math.toIntExact(m.params.all.size()));
            for (LowRankDelta d : edit.deltas()) {
                Tensor w = m.params.get(d.target().weightName());
                LowRank.applyWithSnapshot(w, d.a(), d.b(), d.scale(), null);
            }
            long cpuMismatch = countBitMismatch(gpuEdited, m.params.all.toArray());
            long changed = countBitMismatch(gpuEdited, before);
            merged.revert(applied);
            long revertMismatch = countBitMismatch(gpu.all.toArray(), before);
            boolean ok = cpuMismatch == 0 && revertMismatch == 0 && changed > 0;
            return JSON.createObjectNode().put("check", "merged_apply_revert").put("params", before.length).put("changed_by_edit", changed)
                    .put("mismatch_vs_cpu_apply", cpuMismatch).put("mismatch_after_revert", revertMismatch).put("ok", ok);
        }
    }

    /** K edits as batched adapters in one forward equal each edit merged, forwarded alone. */
    public static ObjectNode adaptersEqualMerged(CudaDevice dev, double tolerance) {
        int K = 3, n = 2, T = 9;
        try (Gpt2Model m = smallModel(); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev);
             DeviceEdits.Merged merged = new DeviceEdits.Merged(gpu)) {
            List<Edit> edits = new ArrayList<>();
            for (int k = 0; k < K; k++) edits.add(randomEdit(m.config, "h.*.attn.c_attn,h.*.mlp.c_proj", 4, 100 + k, arena));
            SplittableRandom r = new SplittableRandom(5);
            int[] seqs = r.ints((long) n * T, 0, m.config.vocabSize()).toArray();
            int[] ids = new int[(1 + K) * n * T], editOfRow = new int[(1 + K) * n];
            for (int j = 0; j <= K; j++) {
                System.arraycopy(seqs, 0, ids, j * n * T, n * T);
                for (int i = 0; i < n; i++) editOfRow[j * n + i] = j - 1;
            }
            Tensor batched;
            try (var cache = gpu.newCache((1 + K) * n, T); var ad = new DeviceEdits.Adapters(gpu, edits, editOfRow)) {
                batched = gpu.hidden(cache, ids, T, arena, ad);
            }
            int C = m.config.nEmbd();
            double worst = 0;
            for (int j = 0; j <= K; j++) {
                DeviceEdits.Merged.Applied a = j == 0 ? null : merged.apply(edits.get(j - 1));
                Tensor h;
                try (var cache = gpu.newCache(n, T)) {
                    h = gpu.hidden(cache, seqs, T, arena, DeviceLinearHook.NONE);
                }
                if (a != null) merged.revert(a);
                for (long i = 0; i < h.size(); i++) worst = Math.max(worst, Math.abs(h.get(i) - batched.get((long) j * n * T * C + i)));
            }
            return JSON.createObjectNode().put("check", "batched_adapters_equal_merged").put("edits", K).put("max_abs_hidden", worst)
                    .put("tolerance", tolerance).put("ok", worst <= tolerance);
        }
    }

    /** {@code cycles} merged apply/revert cycles: no driver allocation after the first, no bytes kept, no device memory lost. */
    public static ObjectNode allocatorNoLeak(CudaDevice dev, int cycles) {
        try (Gpt2Model m = smallModel(); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev);
             DeviceEdits.Merged merged = new DeviceEdits.Merged(gpu)) {
            Edit edit = randomEdit(m.config, "h.*.mlp.c_fc", 8, 3, arena);
            float[] before = gpu.all.toArray();
            merged.revert(merged.apply(edit));               // first cycle: the allocator fills its cache
            dev.synchronize();
            DeviceAllocator.Stats s0 = dev.allocator().stats();
            long free0 = dev.memInfo()[0];
            for (int i = 0; i < cycles; i++) merged.revert(merged.apply(edit));
            dev.synchronize();
            DeviceAllocator.Stats s1 = dev.allocator().stats();
            long free1 = dev.memInfo()[0];
            long mismatch = countBitMismatch(gpu.all.toArray(), before);
            boolean ok = s1.driverAllocs() == s0.driverAllocs() && s1.liveBytes() == s0.liveBytes() && free1 == free0 && mismatch == 0;
            return JSON.createObjectNode().put("check", "allocator_no_leak").put("cycles", cycles)
                    .put("driver_allocs_during_cycles", s1.driverAllocs() - s0.driverAllocs()).put("live_bytes_before", s0.liveBytes())
                    .put("live_bytes_after", s1.liveBytes()).put("device_free_bytes_delta", free1 - free0)
                    .put("mismatch_after_cycles", mismatch).put("ok", ok);
        }
    }

    /** The AdamW kernel against the same float formula on the CPU (sealjvm.gpt2.train.AdamW's). */
    public static ObjectNode adamMatchesCpu(CudaDevice dev) {
        int n = 10_000;
        SplittableRandom r = new SplittableRandom(9);
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian(); g[i] = (float) r.nextGaussian() * 0.1f;
            m[i] = (float) r.nextGaussian() * 0.01f; v[i] = (float) Math.abs(r.nextGaussian()) * 0.001f;
        }
        float b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, lr = 1e-3f, keep = 1 - lr * 0.1f;
        int step = 3;
        float stepSize = (float) (lr / (1 - Math.pow(b1, step))), bc2Sqrt = (float) Math.sqrt(1 - Math.pow(b2, step));
        try (DeviceTensor dp = dev.allocateUninitialized(n); DeviceTensor dg = dev.allocateUninitialized(n);
             DeviceTensor dm = dev.allocateUninitialized(n); DeviceTensor dv = dev.allocateUninitialized(n)) {
            dp.copyFrom(p); dg.copyFrom(g); dm.copyFrom(m); dv.copyFrom(v);
            dev.ops().adamw(dp, dg, dm, dv, keep, b1, b2, eps, stepSize, bc2Sqrt);
            float[] gp = dp.toArray();
            double worst = 0;
            for (int i = 0; i < n; i++) {
                float mj = b1 * m[i] + (1 - b1) * g[i], vj = b2 * v[i] + (1 - b2) * g[i] * g[i];
                float want = p[i] * keep - stepSize * (mj / ((float) Math.sqrt(vj) / bc2Sqrt + eps));
                worst = Math.max(worst, Math.abs(gp[i] - want) / Math.max(1e-6, Math.abs(want)));
            }
            return JSON.createObjectNode().put("check", "adamw_kernel").put("max_rel_vs_cpu", worst).put("ok", worst <= 1e-5);
        }
    }

    /** Every check; the fixtures folder is {@code weights/fixtures/models} of the data home. */
    public static List<ObjectNode> all(CudaDevice dev, Path fixtures, int cycles) throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        out.add(fixtureLogits(dev, fixtures, 1e-4));
        out.add(mergedExact(dev));
        out.add(adaptersEqualMerged(dev, 1e-4));
        out.add(allocatorNoLeak(dev, cycles));
        out.add(adamMatchesCpu(dev));
        return out;
    }

    static Gpt2Model smallModel() {
        Gpt2Model m = Gpt2Model.create(new Gpt2Config(64, 4, 2, 32, 211, 1e-5f, "gelu_new"), true);
        RandomInit.fill(m.params, 42);
        return m;
    }

    static Edit randomEdit(Gpt2Config c, String targets, int rank, long seed, Arena arena) {
        SplittableRandom r = new SplittableRandom(seed);
        List<LowRankDelta> ds = new ArrayList<>();
        for (Target t : Target.parse(targets, c)) {
            Tensor a = Tensor.allocate(arena, t.in(), rank), b = Tensor.allocate(arena, rank, t.out());
            for (long i = 0; i < a.size(); i++) a.set(i, (float) (r.nextGaussian() * 0.1));
            for (long i = 0; i < b.size(); i++) b.set(i, (float) (r.nextGaussian() * 0.1));
            ds.add(new LowRankDelta(t, a, b, 2f * rank));
        }
        return new Edit(ds);
    }

    static double maxAbsDiff(Tensor a, Tensor b) {
        if (a.size() != b.size()) throw new IllegalArgumentException("sizes differ: " + a + " vs " + b);
        double w = 0;
        for (long i = 0; i < a.size(); i++) {
            double d = Math.abs(a.get(i) - b.get(i));
            if (!(d <= w)) w = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        }
        return w;
    }

    static long countBitMismatch(float[] a, float[] b) {
        long n = 0;
        for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) n++;
        return n;
    }
}
