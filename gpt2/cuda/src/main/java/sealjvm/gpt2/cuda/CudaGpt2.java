package sealjvm.gpt2.cuda;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Names;
import sealjvm.gpt2.Gpt2Params;
import sealjvm.gpt2.LowRankAdapters;
import sealjvm.tensor.Device;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.tensor.cuda.CudaOps;
import sealjvm.tensor.cuda.DeviceTensor;

/**
 * The CUDA {@link Gpt2Backend}: a {@link Gpt2Model} on the GPU: every parameter copied into one device allocation with the same offsets as
 * {@link Gpt2Params#all} (so names, edits and snapshots carry over), and the forward of {@link Gpt2Model}
 * step for step with {@link CudaOps}. Prefill and KV-cache decode are the same call, as on the CPU.
 * One activation workspace serves every call, so the forward methods are synchronized.
 */
public final class CudaGpt2 implements Gpt2Backend {
    /** One block's parameters on the device. */
    public record Block(DeviceTensor ln1W, DeviceTensor ln1B, DeviceTensor attnW, DeviceTensor attnB,
                        DeviceTensor attnProjW, DeviceTensor attnProjB, DeviceTensor ln2W, DeviceTensor ln2B,
                        DeviceTensor fcW, DeviceTensor fcB, DeviceTensor fcProjW, DeviceTensor fcProjB) {}

    public final Gpt2Model host;
    public final Gpt2Config config;
    public final CudaDevice device;
    public final DeviceTensor all;
    public final DeviceTensor wte, wpe, lnfW, lnfB, lmHead;
    public final List<Block> blocks;
    private final Map<String, DeviceTensor> byName;
    private final String[][] linearNames;
    private final CudaOps ops;
    private Workspace ws;
    private boolean closed;

    /** Copies {@code model}'s parameters to {@code device}. Later host-side changes need {@link #upload()}. */
    public CudaGpt2(Gpt2Model model, CudaDevice device) {
        model.params.requireF32("the CUDA backend");
        this.host = model;
        this.config = model.config;
        this.device = device;
        this.ops = device.ops();
        Gpt2Params p = model.params;
        this.all = device.upload(p.all);
        Map<String, DeviceTensor> m = new LinkedHashMap<>();
        long off = 0;
        for (var e : p.byName().entrySet()) {
            m.put(e.getKey(), all.slice(off, e.getValue().shape()));
            off += e.getValue().size();
        }
        this.byName = Collections.unmodifiableMap(m);
        wte = m.get(Gpt2Names.WTE);
        wpe = m.get(Gpt2Names.WPE);
        lnfW = m.get(Gpt2Names.LN_F_WEIGHT);
        lnfB = m.get(Gpt2Names.LN_F_BIAS);
        lmHead = p.tied ? wte : m.get(Gpt2Names.LM_HEAD);
        List<Block> bs = new ArrayList<>();
        linearNames = new String[config.nLayer()][];
        for (int l = 0; l < config.nLayer(); l++) {
            Gpt2Names.Block n = Gpt2Names.block(l);
            bs.add(new Block(m.get(n.ln1W()), m.get(n.ln1B()), m.get(n.attnW()), m.get(n.attnB()), m.get(n.attnProjW()), m.get(n.attnProjB()),
                    m.get(n.ln2W()), m.get(n.ln2B()), m.get(n.fcW()), m.get(n.fcB()), m.get(n.fcProjW()), m.get(n.fcProjB())));
            linearNames[l] = n.linearWeights();
        }
        blocks = List.copyOf(bs);
    }

    @Override
    public Device device() { return Device.CUDA; }

    @Override
    public String deviceName() { return device.name; }

    @Override
    public Gpt2Config config() { return config; }

    @Override
    public synchronized Tensor hidden(int[] ids, int batch, int T, LowRankAdapters adapters, Arena out) {
        try (Cache cache = newCache(batch, T)) {
            if (adapters == LowRankAdapters.NONE) return hidden(cache, ids, T, out, DeviceLinearHook.NONE);
            try (DeviceAdapters hook = new DeviceAdapters(device, adapters)) {
                return hidden(cache, ids, T, out, hook);
            }
        }
    }

    @Override
    public Decoder decoder(int batch, int capacity) {
        Cache cache = newCache(batch, capacity);
        return new Decoder() {
            private DeviceTensor logits;     // (B, T, V) of the last append; grown on demand
            private DeviceTensor last;
            private int lastT;

            @Override public int length() { return cache.length(); }
            @Override public void truncate(int n) { cache.truncate(n); }

            @Override
            public void append(int[] ids, int T) {
                int V = config.vocabSize();
                if (logits == null || logits.size() < (long) batch * T * V) {
                    if (logits != null) logits.close();
                    logits = device.allocateUninitialized(batch, T, V);
                }
                last = logits.slice(0, batch, T, V);
                forward(cache, ids, T, last, DeviceLinearHook.NONE);
                lastT = T;
            }

            @Override
            public float[] lastLogits(int b) {
                int V = config.vocabSize();
                return last.slice(((long) b * lastT + lastT - 1) * V, V).toArray();
            }

            @Override
            public void close() {
                if (logits != null) logits.close();
                cache.close();
            }
        };
    }

    @Override
    public void synchronize() { device.synchronize(); }

    @Override
    public double timeMillis(Runnable work) { return device.timeMillis(work); }

    /** Copies the host parameters to the device again (after the host model changed). */
    public void upload() { all.copyFrom(host.params.all); }

    /** The device view of parameter {@code name} (Hugging Face name without {@code transformer.}). */
    public DeviceTensor param(String name) {
        DeviceTensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return t;
    }

    /** Keys and values on the device: k[l], v[l] (B, H, capacity, hd) — heads outermost, as the batched GEMMs read them. */
    public final class Cache implements AutoCloseable {
        final DeviceTensor[] k, v;
        public final int batch, capacity;
        int length;

        Cache(int batch, int capacity) {
            if (capacity > config.nPositions()) {
                throw new IllegalArgumentException("KV cache of " + capacity + " positions exceeds n_positions=" + config.nPositions());
            }
            this.batch = batch;
            this.capacity = capacity;
            k = new DeviceTensor[config.nLayer()];
            v = new DeviceTensor[config.nLayer()];
            int H = config.nHead(), hd = config.nEmbd() / H;
            for (int l = 0; l < config.nLayer(); l++) {
                k[l] = device.allocateUninitialized(batch, H, capacity, hd);
                v[l] = device.allocateUninitialized(batch, H, capacity, hd);
            }
        }

        public int length() { return length; }

        public void truncate(int n) {
            if (n < 0 || n > length) throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + n);
            length = n;
        }

        public void reset() { length = 0; }

        @Override
        public void close() {
            for (int l = 0; l < k.length; l++) { k[l].close(); v[l].close(); }
        }
    }

    public Cache newCache(int batch, int capacity) { return new Cache(batch, capacity); }

    /** ids (B,T) -> logits (B,T,V) on the host, in {@code out}: the device twin of {@link Gpt2Model#logits}. */
    public synchronized Tensor logits(int[][] ids, Arena out) {
        int B = ids.length, T = ids[0].length;
        int[] flat = new int[B * T];
        for (int b = 0; b < B; b++) {
            if (ids[b].length != T) throw new IllegalArgumentException("sequence " + b + " has " + ids[b].length + " tokens, sequence 0 has " + T);
            System.arraycopy(ids[b], 0, flat, b * T, T);
        }
        try (Cache cache = newCache(B, T); DeviceTensor logits = device.allocateUninitialized(B, T, config.vocabSize())) {
            forward(cache, flat, T, logits, DeviceLinearHook.NONE);
            return logits.toHost(out);
        }
    }

    /** Appends T tokens to every sequence of the cache; writes their logits (B,T,V) into {@code logits}. */
    public synchronized void forward(Cache cache, int[] ids, int T, DeviceTensor logits, DeviceLinearHook hook) {
        if (logits.size() != (long) cache.batch * T * config.vocabSize()) {
            throw new IllegalArgumentException("logits " + logits + " is not (" + cache.batch + "," + T + "," + config.vocabSize() + ")");
        }
        DeviceTensor h = hiddenInto(cache, ids, T, hook);
        ops.matmulTransposed(logits, h, lmHead, null);             // (B,T,C) -> (B,T,V)
    }

    /** ln_f(x) (B,T,C) of T new tokens per sequence, copied into {@code out} on the device. */
    public synchronized void hidden(Cache cache, int[] ids, int T, DeviceTensor out, DeviceLinearHook hook) {
        out.copyFrom(hiddenInto(cache, ids, T, hook));
    }

    /** {@link #hidden} with the result on the host. */
    public synchronized Tensor hidden(Cache cache, int[] ids, int T, Arena out, DeviceLinearHook hook) {
        return hiddenInto(cache, ids, T, hook).toHost(out).view(cache.batch, T, config.nEmbd());
    }

    // The forward of Gpt2Model.hiddenInto, on the device; returns the workspace's x (valid until the next call).
    private DeviceTensor hiddenInto(Cache cache, int[] ids, int T, DeviceLinearHook hook) {
        int B = cache.batch, C = config.nEmbd(), H = config.nHead(), pos0 = cache.length, V = config.vocabSize();
        if (T < 1) throw new IllegalArgumentException("need at least one token per sequence");
        if (ids.length != B * T) throw new IllegalArgumentException(ids.length + " ids for a batch of " + B + " x " + T);
        if (pos0 + T > cache.capacity) throw new IllegalArgumentException("KV cache holds " + cache.capacity + " positions; " + (pos0 + T) + " needed");
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= V) throw new IllegalArgumentException("token id " + ids[i] + " at " + i + " outside [0, " + V + ")");
        }
        Workspace w = workspace(B * T, CudaOps.attentionScratch(B, H, T, pos0));
        DeviceTensor x = w.x.slice(0, B, T, C), ln = w.ln.slice(0, B, T, C), qkv = w.qkv.slice(0, B, T, 3 * C);
        DeviceTensor att = w.att.slice(0, B, T, C), proj = w.proj.slice(0, B, T, C), fc = w.fc.slice(0, B, T, 4 * C);
        float eps = config.layerNormEpsilon();
        boolean fused = hook == DeviceLinearHook.NONE;

        w.ids.copyFromInts(ids);
        ops.embedding(x, w.ids, B, T, wte, wpe, pos0);                          // (B,T) -> (B,T,C)
        for (int l = 0; l < config.nLayer(); l++) {
            Block p = blocks.get(l);
            String[] names = linearNames[l];
            ops.layernorm(ln, x, p.ln1W(), p.ln1B(), eps);
            ops.matmul(qkv, ln, p.attnW(), p.attnB());                           // (B,T,C) -> (B,T,3C)
            hook.afterLinear(names[0], ln, qkv);
            ops.attention(att, qkv, cache.k[l], cache.v[l], B, T, C, H, cache.capacity, pos0, w.q, w.o, w.scores);
            if (fused) {
                ops.matmulResidual(x, att, p.attnProjW(), p.attnProjB());        // x += att · W + b
            } else {
                ops.matmul(proj, att, p.attnProjW(), p.attnProjB());
                hook.afterLinear(names[1], att, proj);
                ops.add(x, x, proj);
            }
            ops.layernorm(ln, x, p.ln2W(), p.ln2B(), eps);
            if (fused) {
                ops.matmulGelu(fc, ln, p.fcW(), p.fcB());                        // (B,T,C) -> gelu (B,T,4C)
                ops.matmulResidual(x, fc, p.fcProjW(), p.fcProjB());             // x += fc · W + b
            } else {
                ops.matmul(fc, ln, p.fcW(), p.fcB());
                hook.afterLinear(names[2], ln, fc);
                ops.gelu(fc);
                ops.matmul(proj, fc, p.fcProjW(), p.fcProjB());
                hook.afterLinear(names[3], fc, proj);
                ops.add(x, x, proj);
            }
        }
        ops.layernorm(x, x, lnfW, lnfB, eps);
        cache.length = pos0 + T;
        return x;
    }

    /** Activation buffers kept between calls (grown on demand), so a decode loop allocates nothing. */
    private static final class Workspace implements AutoCloseable {
        final int rows;
        final long scoreCap;
        final DeviceTensor x, ln, qkv, q, o, att, proj, fc, scores, ids;

        Workspace(CudaDevice d, int rows, long scoreCap, int C) {
            this.rows = rows;
            this.scoreCap = scoreCap;
            x = d.allocateUninitialized(rows * C);
            ln = d.allocateUninitialized(rows * C);
            qkv = d.allocateUninitialized(rows * 3 * C);
            q = d.allocateUninitialized(rows * C);
            o = d.allocateUninitialized(rows * C);
            att = d.allocateUninitialized(rows * C);
            proj = d.allocateUninitialized(rows * C);
            fc = d.allocateUninitialized(rows * 4 * C);
            scores = d.allocateUninitialized(Math.toIntExact(Math.max(1, scoreCap)));
            ids = d.allocateUninitialized(rows);
        }

        @Override
        public void close() {
            for (DeviceTensor t : new DeviceTensor[] {x, ln, qkv, q, o, att, proj, fc, scores, ids}) t.close();
        }
    }

    private Workspace workspace(int rows, long scores) {
        if (ws == null || ws.rows < rows || ws.scoreCap < scores) {
            int r = ws == null ? rows : Math.max(rows, ws.rows);
            long s = ws == null ? scores : Math.max(scores, ws.scoreCap);
            if (ws != null) ws.close();
            ws = new Workspace(device, r, s, config.nEmbd());
        }
        return ws;
    }

    /**
     * log p(target_i) and top-1 flags for rows (n,C) of final hidden states given on the host: the LM head and a
     * log-softmax per row on the device, 1024 rows at a time (the logits never exceed 1024 × V floats).
     */
    public synchronized void tokenLogProbs(Tensor rows, int[] targets, double[] logp, boolean[] top1) {
        int n = rows.dim(0), C = config.nEmbd(), V = config.vocabSize(), chunk = Math.min(1024, Math.max(1, n));
        if (rows.dim(1) != C || targets.length != n || logp.length != n || top1.length != n) {
            throw new IllegalArgumentException("tokenLogProbs: rows " + rows + ", " + targets.length + " targets, outputs " + logp.length);
        }
        for (int t : targets) if (t < 0 || t >= V) throw new IllegalArgumentException("target token " + t + " outside [0, " + V + ")");
        try (DeviceTensor h = device.allocateUninitialized(chunk, C); DeviceTensor logits = device.allocateUninitialized(chunk, V);
             DeviceTensor tg = device.allocateUninitialized(chunk); DeviceTensor lp = device.allocateUninitialized(chunk);
             DeviceTensor top = device.allocateUninitialized(chunk)) {
            for (int i0 = 0; i0 < n; i0 += chunk) {
                int m = Math.min(chunk, n - i0);
                DeviceTensor hm = h.slice(0, m, C), lm = logits.slice(0, m, V);
                hm.copyFrom(rows.slice((long) i0 * C, m, C));
                tg.copyFromInts(java.util.Arrays.copyOfRange(targets, i0, i0 + m));
                ops.matmulTransposed(lm, hm, lmHead, null);
                ops.rowLogProb(lp, top, lm, tg, m);
                float[] l = lp.toArray();
                int[] t1 = top.toIntArray();
                for (int i = 0; i < m; i++) {
                    logp[i0 + i] = l[i];
                    top1[i0 + i] = t1[i] != 0;
                }
            }
        }
    }

    /** Frees the device copy; the host model and the device stay open. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (ws != null) ws.close();
        ws = null;
        all.close();
    }
}
