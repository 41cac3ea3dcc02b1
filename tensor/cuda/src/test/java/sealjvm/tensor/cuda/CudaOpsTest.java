package sealjvm.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.LowRank;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Tensor;

/**
 * Every device op against the CPU engine (itself checked against PyTorch). Tagged gpu: skips without a CUDA
 * driver; CI runs it against the CPU emulator of the driver (tools/cuda-emulator), a GPU host for real.
 */
@Tag("gpu")
class CudaOpsTest {
    static CudaDevice dev;
    static Arena arena;

    @BeforeAll
    static void open() {
        Assumptions.assumeTrue(CudaDevice.available(), "no CUDA driver");
        dev = CudaDevice.open();
        arena = Arena.ofShared();
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
        if (arena != null) arena.close();
    }

    static Tensor random(long seed, float scale, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.allocate(arena, shape);
        for (long i = 0; i < t.size(); i++) t.set(i, (float) (r.nextGaussian() * scale));
        return t;
    }

    static void assertClose(Tensor want, float[] got, double tol, String what) {
        assertEquals(want.size(), got.length, what + ": size");
        double worst = 0;
        long at = -1;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - want.get(i)) / Math.max(1.0, Math.abs(want.get(i)));
            if (!(d <= worst)) { worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d; at = i; }
        }
        assertTrue(worst <= tol, what + ": worst error " + worst + " at " + at + " (tolerance " + tol + ")");
    }

    @Test
    void matmulsMatchTheCpu() {
        int M = 37, K = 70, N = 45;   // odd sizes: no tile-multiple luck
        Tensor x = random(1, 1, M, K), w = random(2, 0.1f, K, N), b = random(3, 1, N), wt = random(4, 0.1f, N, K), res = random(5, 1, M, N);
        try (DeviceTensor dx = dev.upload(x); DeviceTensor dw = dev.upload(w); DeviceTensor db = dev.upload(b); DeviceTensor dwt = dev.upload(wt); DeviceTensor out = dev.allocate(M, N)) {
            Tensor want = Tensor.allocate(arena, M, N);
            Matmul.matmul(want, x, w, b);
            dev.ops().matmul(out, dx, dw, db);
            assertClose(want, out.toArray(), 1e-5, "matmul");

            Matmul.matmulGelu(want, x, w, b);
            dev.ops().matmulGelu(out, dx, dw, db);
            assertClose(want, out.toArray(), 1e-5, "matmulGelu");

            want.copyFrom(res);
            out.copyFrom(res);
            Matmul.matmulResidual(want, x, w, b);
            dev.ops().matmulResidual(out, dx, dw, db);
            assertClose(want, out.toArray(), 1e-5, "matmulResidual");

            Matmul.matmulTransposed(want, x, wt, null);
            dev.ops().matmulTransposed(out, dx, dwt, null);
            assertClose(want, out.toArray(), 1e-5, "matmulTransposed");
        }
    }

    @Test
    void layernormGeluAddEmbedding() {
        int N = 13, C = 72;
        Tensor x = random(6, 2, N, C), w = random(7, 1, C), b = random(8, 1, C);
        try (DeviceTensor dx = dev.upload(x); DeviceTensor dw = dev.upload(w); DeviceTensor db = dev.upload(b); DeviceTensor out = dev.allocate(N, C)) {
            Tensor want = Tensor.allocate(arena, N, C);
            Kernels.layernorm(want, x, w, b, 1e-5f);
            dev.ops().layernorm(out, dx, dw, db, 1e-5f);
            assertClose(want, out.toArray(), 1e-5, "layernorm");
            dev.ops().layernorm(dx, dx, dw, db, 1e-5f);                 // in place, as ln_f runs
            assertClose(want, dx.toArray(), 1e-5, "layernorm in place");

            Kernels.gelu(want, x);
            out.copyFrom(x);
            dev.ops().gelu(out);
            assertClose(want, out.toArray(), 1e-6, "gelu");

            Tensor y = random(9, 1, N, C);
            Kernels.add(want, x, y);
            try (DeviceTensor dy = dev.upload(y)) {
                dx.copyFrom(x);
                dev.ops().add(out, dx, dy);
                assertClose(want, out.toArray(), 0, "add");
            }
        }
        int V = 50, P = 16, B = 2, T = 5, pos0 = 3;
        Tensor wte = random(10, 1, V, C), wpe = random(11, 1, P, C);
        int[] ids = new SplittableRandom(12).ints(B * T, 0, V).toArray();
        Tensor want = Tensor.allocate(arena, B, T, C);
        Kernels.embedding(want, ids, B, T, wte, wpe, pos0);
        try (DeviceTensor dwte = dev.upload(wte); DeviceTensor dwpe = dev.upload(wpe); DeviceTensor dids = dev.allocate(B * T); DeviceTensor out = dev.allocate(B, T, C)) {
            dids.copyFromInts(ids);
            dev.ops().embedding(out, dids, B, T, dwte, dwpe, pos0);
            assertClose(want, out.toArray(), 0, "embedding");
        }
    }

    @Test
    void attentionMatchesTheCpuForPrefillAndDecode() {
        int B = 2, H = 3, hd = 8, C = H * hd, cap = 12;
        for (int[] tp : new int[][] {{7, 0}, {1, 6}, {4, 5}}) {   // (T, pos0): prefill, one decode step, a chunk after a prefix
            int T = tp[0], pos0 = tp[1], L = pos0 + T;
            // CPU reference: q (B,T,C); k, v (B,L,C) over all positions seen.
            Tensor kAll = random(20 + T, 1, B, L, C), vAll = random(30 + T, 1, B, L, C), q = random(40 + T, 1, B, T, C);
            Tensor want = Tensor.allocate(arena, B, T, C);
            Kernels.attention(want, q, kAll, vAll, H, pos0);
            // Device: the past positions go through the cache as an earlier call would have left them.
            Tensor qkv = Tensor.allocate(arena, B, T, 3 * C);
            for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) for (int c = 0; c < C; c++) {
                long row = ((long) b * T + t) * 3 * C;
                qkv.set(row + c, q.get(((long) b * T + t) * C + c));
                qkv.set(row + C + c, kAll.get(((long) b * L + pos0 + t) * C + c));
                qkv.set(row + 2 * C + c, vAll.get(((long) b * L + pos0 + t) * C + c));
            }
            Tensor kc = Tensor.allocate(arena, B, H, cap, hd), vc = Tensor.allocate(arena, B, H, cap, hd);
            for (int b = 0; b < B; b++) for (int p = 0; p < pos0; p++) for (int c = 0; c < C; c++) {
                long dst = (((long) b * H + c / hd) * cap + p) * hd + c % hd;
                kc.set(dst, kAll.get(((long) b * L + p) * C + c));
                vc.set(dst, vAll.get(((long) b * L + p) * C + c));
            }
            try (DeviceTensor dqkv = dev.upload(qkv); DeviceTensor dk = dev.upload(kc); DeviceTensor dv = dev.upload(vc); DeviceTensor out = dev.allocate(B, T, C);
                 DeviceTensor sq = dev.allocate(B * T * C); DeviceTensor so = dev.allocate(B * T * C); DeviceTensor scores = dev.allocate(B * H * T * L)) {
                dev.ops().attention(out, dqkv, dk, dv, B, T, C, H, cap, pos0, sq, so, scores);
                assertClose(want, out.toArray(), 1e-5, "attention T=" + T + " pos0=" + pos0);
                for (int chunk : new int[] {1, 3}) {   // queries a few at a time, as long prefills run
                    dk.copyFrom(kc);
                    dv.copyFrom(vc);
                    out.zero();
                    dev.ops().attention(out, dqkv, dk, dv, B, T, C, H, cap, pos0, sq, so, scores, chunk);
                    assertClose(want, out.toArray(), 1e-5, "attention T=" + T + " pos0=" + pos0 + " in query chunks of " + chunk);
                }
            }
        }
    }

    @Test
    void lowRankApplyGivesTheCpuBitsAndRevertIsExact() {
        int in = 40, out = 300, r = 6;
        Tensor w = random(50, 0.05f, in, out), a = random(51, 1, in, r), b = random(52, 0.1f, r, out);
        try (DeviceTensor dw = dev.upload(w); DeviceTensor da = dev.upload(a); DeviceTensor db = dev.upload(b); DeviceTensor snap = dev.allocate(in, out)) {
            float[] original = w.toArray();
            dev.ops().lowRankApply(dw, da, db, 0.75f, snap);
            LowRank.applyWithSnapshot(w, a, b, 0.75f, null);
            float[] got = dw.toArray(), want = w.toArray();
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "element " + i + " differs from the CPU's bits");
            }
            dev.ops().copy(dw, snap);
            float[] back = dw.toArray();
            for (int i = 0; i < back.length; i++) assertEquals(Float.floatToRawIntBits(original[i]), Float.floatToRawIntBits(back[i]), "revert " + i);
        }
    }

    @Test
    void rowLogProbMatchesLogSumExp() {
        int n = 5, V = 1000;
        Tensor logits = random(60, 3, n, V);
        int[] targets = {0, 999, 17, 500, 3};
        logits.set(2L * V + 17, 50f);          // row 2: the target is the top-1
        float[] lse = new float[n];
        Kernels.logSumExp(lse, logits);
        try (DeviceTensor dl = dev.upload(logits); DeviceTensor dt = dev.allocate(n); DeviceTensor lp = dev.allocate(n); DeviceTensor top = dev.allocate(n)) {
            dt.copyFromInts(targets);
            dev.ops().rowLogProb(lp, top, dl, dt, n);
            float[] got = lp.toArray();
            int[] t1 = top.toIntArray();
            for (int i = 0; i < n; i++) {
                float want = logits.get((long) i * V + targets[i]) - lse[i];
                assertEquals(want, got[i], 1e-4, "log p row " + i);
                assertEquals(i == 2 ? 1 : 0, t1[i], "top-1 flag row " + i);
            }
        }
    }

    @Test
    void allocatorReusesBlocksAndShapesAreChecked() {
        DeviceAllocator.Stats s0 = dev.allocator().stats();
        for (int i = 0; i < 100; i++) {
            try (DeviceTensor t = dev.allocateUninitialized(1000, 3)) { assertTrue(t.ptr() != 0); }
        }
        DeviceAllocator.Stats s1 = dev.allocator().stats();
        assertTrue(s1.driverAllocs() - s0.driverAllocs() <= 1, "100 same-size allocations reached the driver " + (s1.driverAllocs() - s0.driverAllocs()) + " times");
        assertEquals(s0.liveBytes(), s1.liveBytes());
        assertEquals(s0.liveBlocks(), s1.liveBlocks());
        try (DeviceTensor a = dev.allocate(3, 4); DeviceTensor b = dev.allocate(5, 4); DeviceTensor c = dev.allocate(3, 5)) {
            assertThrows(IllegalArgumentException.class, () -> dev.ops().matmul(c, a, b, null));
        }
    }
}
