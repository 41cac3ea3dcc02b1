package sealjvm.seal.diagnostics;

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
import sealjvm.gpt2.cuda.DeviceAdapters;
import sealjvm.gpt2.cuda.DeviceLinearHook;
import sealjvm.gpt2.cuda.DeviceMergedEdits;
import sealjvm.seal.edit.BatchedAdapters;
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
        if (!Files.isDirectory(fixtures)) {
            throw new IllegalArgumentException(fixtures + ": no fixture models there (the bundle leaves them out): pass --fixtures "
                    + "<checkout>/weights/fixtures/models or set SEAL_DATA_HOME=<checkout>");
        }
        ObjectNode out = JSON.createObjectNode().put("check", "fixture_logits").put("tolerance", tolerance);
        var per = out.putArray("models");
        boolean ok = true;
        double worstAll = 0;
        List<String> bad = new ArrayList<>();
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
                double worst = Math.max(vsTorch, Math.max(vsCpu, decode));
                worstAll = Math.max(worstAll, worst);
                if (!good) bad.add(d.getFileName() + " max abs " + worst + " > " + tolerance);
                per.addObject().put("model", d.getFileName().toString()).put("max_abs_vs_pytorch", vsTorch)
                        .put("max_abs_vs_cpu", vsCpu).put("max_abs_decode_vs_prefill", decode).put("ok", good);
            }
        }
        return out.put("figure", worstAll).put("figure_is", "max abs logit difference, worst of vs PyTorch / vs CPU / decode")
                .put("message", String.join("; ", bad)).put("ok", ok);
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
             DeviceMergedEdits merged = new DeviceMergedEdits(gpu)) {
            Edit edit = randomEdit(m.config, "h.*.attn.c_attn,h.*.mlp.c_fc,h.*.mlp.c_proj", 8, 11, arena);
            float[] before = gpu.all.toArray();
            DeviceMergedEdits.Applied applied = merged.apply(edit.factors());
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
                    .put("mismatch_vs_cpu_apply", cpuMismatch).put("mismatch_after_revert", revertMismatch)
                    .put("figure", cpuMismatch + revertMismatch).put("figure_is", "parameters not bit-equal (vs CPU apply + after revert)")
                    .put("message", ok ? "" : changed == 0 ? "the edit changed nothing" : cpuMismatch + " differ from the CPU's apply, "
                            + revertMismatch + " differ after revert").put("ok", ok);
        }
    }

    /** K edits as batched adapters in one forward equal each edit merged, forwarded alone. */
    public static ObjectNode adaptersEqualMerged(CudaDevice dev, double tolerance) {
        int K = 3, n = 2, T = 9;
        try (Gpt2Model m = smallModel(); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev);
             DeviceMergedEdits merged = new DeviceMergedEdits(gpu)) {
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
            try (var cache = gpu.newCache((1 + K) * n, T); var ad = new DeviceAdapters(gpu.device, BatchedAdapters.of(edits, editOfRow))) {
                batched = gpu.hidden(cache, ids, T, arena, ad);
            }
            int C = m.config.nEmbd();
            double worst = 0;
            for (int j = 0; j <= K; j++) {
                DeviceMergedEdits.Applied a = j == 0 ? null : merged.apply(edits.get(j - 1).factors());
                Tensor h;
                try (var cache = gpu.newCache(n, T)) {
                    h = gpu.hidden(cache, seqs, T, arena, DeviceLinearHook.NONE);
                }
                if (a != null) merged.revert(a);
                for (long i = 0; i < h.size(); i++) worst = Math.max(worst, Math.abs(h.get(i) - batched.get((long) j * n * T * C + i)));
            }
            boolean ok = worst <= tolerance;
            return JSON.createObjectNode().put("check", "batched_adapters_equal_merged").put("edits", K).put("max_abs_hidden", worst)
                    .put("tolerance", tolerance).put("figure", worst).put("figure_is", "max abs hidden-state difference")
                    .put("message", ok ? "" : "max abs " + worst + " > " + tolerance).put("ok", ok);
        }
    }

    /**
     * {@code cycles} merged apply/revert cycles: no driver allocation after the first, the allocator's own live bytes and
     * blocks exactly as before, the weights bit-exact. The driver's free memory ({@code cuMemGetInfo}) is reported as a
     * figure only: on a real GPU, shared or not, it moves without any leak of ours.
     */
    public static ObjectNode allocatorNoLeak(CudaDevice dev, int cycles) {
        try (Gpt2Model m = smallModel(); Arena arena = Arena.ofShared(); CudaGpt2 gpu = new CudaGpt2(m, dev);
             DeviceMergedEdits merged = new DeviceMergedEdits(gpu)) {
            Edit edit = randomEdit(m.config, "h.*.mlp.c_fc", 8, 3, arena);
            float[] before = gpu.all.toArray();
            var factors = edit.factors();
            merged.revert(merged.apply(factors));               // first cycle: the allocator fills its cache
            dev.synchronize();
            DeviceAllocator.Stats s0 = dev.allocator().stats();
            long free0 = dev.memInfo()[0];
            for (int i = 0; i < cycles; i++) merged.revert(merged.apply(factors));
            dev.synchronize();
            DeviceAllocator.Stats s1 = dev.allocator().stats();
            long free1 = dev.memInfo()[0];
            long mismatch = countBitMismatch(gpu.all.toArray(), before);
            boolean ok = s1.driverAllocs() == s0.driverAllocs() && s1.liveBytes() == s0.liveBytes() && s1.liveBlocks() == s0.liveBlocks()
                    && mismatch == 0;
            String why = ok ? "" : String.join("; ", java.util.stream.Stream.of(
                    s1.driverAllocs() != s0.driverAllocs() ? (s1.driverAllocs() - s0.driverAllocs()) + " driver allocations during the cycles" : null,
                    s1.liveBytes() != s0.liveBytes() ? "allocator live bytes " + s0.liveBytes() + " -> " + s1.liveBytes() : null,
                    s1.liveBlocks() != s0.liveBlocks() ? "allocator live blocks " + s0.liveBlocks() + " -> " + s1.liveBlocks() : null,
                    mismatch != 0 ? mismatch + " weights differ after the cycles" : null).filter(x -> x != null).toList());
            return JSON.createObjectNode().put("check", "allocator_no_leak").put("cycles", cycles)
                    .put("driver_allocs_during_cycles", s1.driverAllocs() - s0.driverAllocs()).put("live_bytes_before", s0.liveBytes())
                    .put("live_bytes_after", s1.liveBytes()).put("live_blocks_before", s0.liveBlocks()).put("live_blocks_after", s1.liveBlocks())
                    .put("device_free_bytes_delta", free1 - free0).put("device_free_bytes_delta_note", "figure only: the driver's free"
                            + " memory also moves with other processes; not part of ok")
                    .put("mismatch_after_cycles", mismatch).put("figure", s1.liveBytes() - s0.liveBytes())
                    .put("figure_is", "allocator live bytes after - before").put("message", why).put("ok", ok);
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
            boolean ok = worst <= 1e-5;
            return JSON.createObjectNode().put("check", "adamw_kernel").put("max_rel_vs_cpu", worst).put("figure", worst)
                    .put("figure_is", "max relative difference vs the CPU formula").put("message", ok ? "" : "max rel " + worst + " > 1e-5")
                    .put("ok", ok);
        }
    }

    /** One named check on an open device. */
    @FunctionalInterface
    public interface Check {
        ObjectNode run(CudaDevice dev) throws Exception;
    }

    /** A check and the name its JSON line carries (also when it throws). */
    public record Named(String name, Check check) {}

    /** The device checks, in the order {@link #run} runs them; the fixtures folder is {@code weights/fixtures/models}. */
    public static List<Named> checks(Path fixtures, int cycles) {
        return List.of(
                new Named("fixture_logits", d -> fixtureLogits(d, fixtures, 1e-4)),
                new Named("merged_apply_revert", GpuChecks::mergedExact),
                new Named("batched_adapters_equal_merged", d -> adaptersEqualMerged(d, 1e-4)),
                new Named("allocator_no_leak", d -> allocatorNoLeak(d, cycles)),
                new Named("adamw_kernel", GpuChecks::adamMatchesCpu));
    }

    /** Every device check's JSON object, each run separately (a throwing check gives a failed object; the rest still run). */
    public static List<ObjectNode> all(CudaDevice dev, Path fixtures, int cycles) {
        List<ObjectNode> out = new ArrayList<>();
        for (Named c : checks(fixtures, cycles)) out.add(runOne(c, dev));
        return out;
    }

    /**
     * The CUDA libraries this JVM loaded and whether they can work together: the driver (its location; the toolkit's stub
     * or a driver without a device is a failure, where the gpu-tagged tests would only skip), its version, NVRTC (location,
     * version; one of a newer CUDA major than the driver is refused) and cuBLAS. Needs no device.
     */
    public static ObjectNode environment() {
        ObjectNode out = JSON.createObjectNode().put("check", "environment");
        List<String> problems = new ArrayList<>();
        out.put("driver_library", sealjvm.bindings.NativeLibraries.location("cuda").orElse(null));
        out.put("driver_is_stub", sealjvm.bindings.NativeLibraries.cudaIsStub());
        sealjvm.bindings.NativeLibraries.cudaProblem().ifPresent(problems::add);
        int driver = -1;
        if (sealjvm.bindings.NativeLibraries.find("cuda").isPresent() && !sealjvm.bindings.NativeLibraries.cudaIsStub()) {
            try {
                driver = sealjvm.bindings.Cuda.driverVersion();
                out.put("driver_version", driver).put("driver_cuda", sealjvm.bindings.Nvrtc.driverVersionString(driver));
            } catch (RuntimeException e) {
                problems.add("cuDriverGetVersion: " + e.getMessage());
            }
        }
        out.put("nvrtc_library", sealjvm.bindings.NativeLibraries.location("nvrtc").orElse(null));
        if (sealjvm.bindings.NativeLibraries.find("nvrtc").isPresent()) {
            try {
                int[] v = sealjvm.bindings.Nvrtc.version();
                out.put("nvrtc_version", v[0] + "." + v[1]);
                if (driver > 0) {
                    String why = sealjvm.bindings.Nvrtc.incompatibility(driver, v[0], v[1],
                            sealjvm.bindings.NativeLibraries.location("nvrtc").orElse("nvrtc"));
                    if (why != null) problems.add(why);
                    String note = sealjvm.bindings.Nvrtc.minorVersionNote(driver, v[0], v[1]);
                    if (note != null) out.put("note", note);
                }
            } catch (RuntimeException e) {
                problems.add("nvrtcVersion: " + e.getMessage());
            }
        } else {
            problems.add(sealjvm.bindings.NativeLibraries.cudaProblem().isPresent() ? "no NVRTC library found" : unavailable("nvrtc"));
        }
        out.put("cublas_library", sealjvm.bindings.NativeLibraries.location("cublas").orElse(null));
        if (sealjvm.bindings.NativeLibraries.find("cublas").isEmpty()) {
            problems.add(sealjvm.bindings.NativeLibraries.cudaProblem().isPresent() ? "no cuBLAS library found" : unavailable("cublas"));
        }
        return out.put("figure", driver).put("figure_is", "cuDriverGetVersion").put("message", String.join("; ", problems))
                .put("ok", problems.isEmpty());
    }

    private static String unavailable(String library) {
        try {
            sealjvm.bindings.NativeLibraries.require(library);
            return library + " found";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /**
     * {@code seal gpu-check}: the environment, opening the device, then every check of {@link #checks}, each run and
     * reported separately as one JSON line to {@code out} (name, ok, message, figure, seconds); a check that cannot run
     * (the device did not open) is reported failed with the reason. The device is closed at the end. True when all passed.
     */
    public static boolean run(Path fixtures, int cycles, java.util.function.Supplier<CudaDevice> open,
                              java.util.function.Consumer<ObjectNode> out) {
        boolean ok = true;
        ObjectNode env;
        try {
            env = environment();
        } catch (RuntimeException e) {
            env = failed("environment", e);
        }
        out.accept(env);
        ok &= env.get("ok").booleanValue();
        CudaDevice dev = null;
        String notRun = null;
        long t0 = System.nanoTime();
        try {
            dev = open.get();
            out.accept(JSON.createObjectNode().put("check", "open_device").put("device", dev.describe()).put("kernels", dev.kernelSource())
                    .put("figure", dev.ccMajor * 10 + dev.ccMinor).put("figure_is", "compute capability").put("message", "")
                    .put("seconds", seconds(t0)).put("ok", true));
        } catch (Throwable e) {
            ObjectNode f = failed("open_device", e).put("seconds", seconds(t0));
            out.accept(f);
            ok = false;
            notRun = "not run: the device did not open (see open_device)";
        }
        try {
            for (Named c : checks(fixtures, cycles)) {
                ObjectNode r = dev == null ? JSON.createObjectNode().put("check", c.name()).putNull("figure").put("message", notRun).put("ok", false)
                        : runOne(c, dev);
                out.accept(r);
                ok &= r.get("ok").booleanValue();
            }
        } finally {
            if (dev != null) {
                try {
                    dev.close();
                } catch (RuntimeException e) {
                    out.accept(failed("close_device", e));
                    ok = false;
                }
            }
        }
        return ok;
    }

    /** Runs one check; its object gets {@code seconds}, a thrown exception becomes a failed object with the message. */
    static ObjectNode runOne(Named c, CudaDevice dev) {
        long t0 = System.nanoTime();
        ObjectNode r;
        try {
            r = c.check().run(dev);
            if (!r.has("message")) r.put("message", "");
        } catch (Throwable e) {
            r = failed(c.name(), e);
        }
        return r.put("seconds", seconds(t0));
    }

    private static ObjectNode failed(String name, Throwable e) {
        StackTraceElement[] st = e.getStackTrace();
        String where = st.length > 0 ? " at " + st[0] : "";
        return JSON.createObjectNode().put("check", name).putNull("figure")
                .put("message", e.getClass().getSimpleName() + ": " + e.getMessage() + where).put("ok", false);
    }

    private static double seconds(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
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
