package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.tensor.AtomicFiles;
import sealjvm.tensor.Device;
import sealjvm.tensor.PackedMatmul;
import sealjvm.tensor.PackedMatrix;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * GPT-2 (Radford et al. 2019) as Hugging Face's GPT2LMHeadModel computes it, readable in one sitting.
 *
 * <pre>
 * x = wte[ids] + wpe[pos]
 * for each block:  x += c_proj(attention(c_attn(ln_1(x))));  x += mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))
 * logits = ln_f(x) · lm_headᵀ
 * </pre>
 * Every forward goes through a {@link KVCache}: a full forward is a decode step of T tokens at position 0.
 * This is the CPU {@link Gpt2Backend}; the parameters live here whichever backend computes.
 *
 * <p>Loaded with another {@link WeightFormat} the weight matrices stay packed ({@link PackedMatmul}): F32_PACKED in
 * the kernels' panels (the same logits, without packing on every product); 16-bit or Q8_0, widened or dequantized
 * in registers, half or about 0.28× the bytes per decode step. Inference only (training, merged edits, saving and
 * the CUDA backend refuse such a model).
 */
public final class Gpt2Model implements Gpt2Backend {
    public final Gpt2Config config;
    public final Gpt2Params params;
    private final Arena arena;

    /** Weight names of each block's linears, in forward order, as hooks see them. */
    private final String[][] linearNames;

    public Gpt2Model(Gpt2Config config, Gpt2Params params, Arena arena) {
        this.config = config;
        this.params = params;
        this.arena = arena;
        linearNames = new String[config.nLayer()][];
        for (int l = 0; l < config.nLayer(); l++) linearNames[l] = Gpt2Names.block(l).linearWeights();
    }

    /** Loads a Hugging Face GPT-2 directory: config.json + model.safetensors, every parameter widened to float32. */
    public static Gpt2Model load(Path dir) {
        return load(dir, WeightFormat.F32);
    }

    /**
     * Loads a Hugging Face GPT-2 directory with its weight matrices held as {@code format}: F32 widens everything
     * (trainable); F16 or BF16 keeps the matrices in 16 bits for inference (exact when the file stores that format,
     * else rounded to nearest even once at load); Q8_0 quantizes them once at load (int8 per 32 along k, a float32
     * scale each); biases, layernorms and wpe stay float32.
     */
    public static Gpt2Model load(Path dir, WeightFormat format) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir + ": " + (Files.isSymbolicLink(dir) && !Files.exists(dir) ? "a symbolic link that does not resolve (dangling, or a loop)"
                    : Files.exists(dir) ? "not a directory" : "not found") + " (expected a Hugging Face GPT-2 model directory)");
        }
        Gpt2Config config = Gpt2Config.read(dir.resolve("config.json"));
        Path file = dir.resolve("model.safetensors");
        if (!Files.exists(file)) {
            String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                    ? " (only pytorch_model.bin is there: download model.safetensors, which the Hub has for every GPT-2 size)" : "";
            throw new ModelFormatException(file + ": " + (Files.isSymbolicLink(file) ? "a symbolic link that does not resolve (dangling, or a loop)" : "not found") + hint);
        }
        if (Files.isDirectory(file)) throw new ModelFormatException(file + ": is a directory, not a safetensors file");
        Arena arena = Arena.ofShared();
        try (SafeTensors st = SafeTensors.open(file)) {
            boolean tied = !st.contains(Gpt2Names.LM_HEAD) && !st.contains("transformer." + Gpt2Names.LM_HEAD);
            Gpt2Params params;
            try {
                params = Gpt2Params.allocate(config, tied, arena, format);
            } catch (ModelFormatException e) {
                throw new ModelFormatException(dir.resolve("config.json") + ": " + e.getMessage(), e);
            }
            Set<String> unused = new LinkedHashSet<>(st.names());
            for (var e : params.byName().entrySet()) {
                String stored = storedName(st, file, config, e.getKey(), e.getValue().shape());
                st.readInto(stored, e.getValue());
                String bad = Finite.describeFirst(e.getValue());
                if (bad != null) throw new ModelFormatException(file + ": tensor '" + stored + "' has a non-finite value: " + bad);
                unused.remove(stored);
            }
            for (var e : params.packed().entrySet()) {
                PackedMatrix dst = e.getValue();
                String stored = storedName(st, file, config, e.getKey(), dst.shape());
                // Through float32 one tensor at a time: exact for F16 -> F16 and BF16 -> BF16, rounded (or quantized) once otherwise.
                try (Arena tmp = Arena.ofConfined()) {
                    Tensor wide = st.readF32(stored, tmp);
                    String bad = Finite.describeFirst(wide);
                    if (bad != null) throw new ModelFormatException(file + ": tensor '" + stored + "' has a non-finite value: " + bad);
                    dst.copyFrom(wide);
                    for (long i = 0; i < dst.size(); i++) {
                        if (!Float.isFinite(dst.get(i))) {
                            throw new ModelFormatException(file + ": tensor '" + stored + "' value " + wide.get(i) + " at index " + i
                                    + " overflows " + format + " (load it as F32 or BF16)");
                        }
                    }
                }
                unused.remove(stored);
            }
            // The causal-mask buffers of older exports carry no parameters.
            unused.removeIf(n -> n.endsWith(".attn.bias") || n.endsWith(".attn.masked_bias"));
            if (!unused.isEmpty()) {
                System.err.println("warning: " + file + ": ignoring " + unused.size() + " unexpected tensor(s): " + unused);
            }
            return new Gpt2Model(config, params, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    // The name tensor `name` has in the file (with or without the transformer. prefix), its shape checked against config.json.
    private static String storedName(SafeTensors st, Path file, Gpt2Config config, String name, int[] want) {
        String stored = st.contains(name) ? name : "transformer." + name;
        if (!st.contains(stored)) throw new ModelFormatException(file + ": missing tensor '" + name + "'");
        int[] shape = st.info(stored).orElseThrow().shape();
        if (!Arrays.equals(shape, want)) {
            throw new ModelFormatException(file + ": tensor '" + stored + "' has shape " + Arrays.toString(shape)
                    + " but config.json (n_embd=" + config.nEmbd() + ", n_layer=" + config.nLayer() + ", n_positions="
                    + config.nPositions() + ", vocab_size=" + config.vocabSize() + ") says " + Arrays.toString(want));
        }
        return stored;
    }

    /** How the weight matrices are held (F32, or F16/BF16 for inference only). */
    public WeightFormat weightFormat() { return params.format; }

    /**
     * Writes this model as a Hugging Face GPT-2 directory: config.json and model.safetensors, names as
     * {@code GPT2LMHeadModel.save_pretrained} writes them ({@code transformer.} prefix; {@code lm_head.weight} only
     * when untied), stored as {@code storage} (F32, F16 or BF16). Each file is written atomically.
     */
    public void save(Path dir, sealjvm.gpt2.safetensors.DType storage) throws java.io.IOException {
        params.requireF32("save");
        Files.createDirectories(dir);
        var tensors = new java.util.LinkedHashMap<String, Tensor>();
        for (var e : params.byName().entrySet()) {
            tensors.put(e.getKey().equals(Gpt2Names.LM_HEAD) ? e.getKey() : "transformer." + e.getKey(), e.getValue());
        }
        sealjvm.gpt2.safetensors.SafeTensorsWriter.write(dir.resolve("model.safetensors"), tensors, java.util.Map.of("format", "pt"), storage);
        String dtype = switch (storage) { case F16 -> "float16"; case BF16 -> "bfloat16"; default -> "float32"; };
        var json = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        json.put("activation_function", config.activationFunction());
        json.putArray("architectures").add("GPT2LMHeadModel");
        json.put("bos_token_id", Gpt2Tokenizer.GPT2_EOT_ID).put("eos_token_id", Gpt2Tokenizer.GPT2_EOT_ID).put("layer_norm_epsilon", (double) config.layerNormEpsilon());
        json.put("model_type", "gpt2").put("n_ctx", config.nPositions()).put("n_embd", config.nEmbd()).put("n_head", config.nHead())
                .put("n_layer", config.nLayer()).put("n_positions", config.nPositions()).put("tie_word_embeddings", params.tied)
                .put("torch_dtype", dtype).put("vocab_size", config.vocabSize());
        byte[] bytes = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        try {
            AtomicFiles.write(dir.resolve("config.json"), bytes);
        } catch (java.io.IOException e) {   // "No space left on device" names no file: say which
            throw AtomicFiles.named(dir.resolve("config.json"), e);
        }
    }

    /** A model with the given parameters (e.g. made in-process for tests and benchmarks). */
    public static Gpt2Model create(Gpt2Config config, boolean tied) {
        return create(config, tied, WeightFormat.F32);
    }

    /** A zero-filled model whose weight matrices are held as {@code format}. */
    public static Gpt2Model create(Gpt2Config config, boolean tied, WeightFormat format) {
        Arena arena = Arena.ofShared();
        return new Gpt2Model(config, Gpt2Params.allocate(config, tied, arena, format), arena);
    }

    public KVCache newCache(int batch, int capacity, Arena where) { return new KVCache(config, batch, capacity, where); }

    @Override
    public Device device() { return Device.CPU; }

    @Override
    public String deviceName() { return "cpu"; }

    @Override
    public Gpt2Config config() { return config; }

    @Override
    public Tensor hidden(int[] ids, int batch, int T, LowRankAdapters adapters, Arena out) {
        try (Arena tmp = Arena.ofShared()) {
            KVCache cache = newCache(batch, T, tmp);
            return hidden(cache, ids, T, out, adapters == LowRankAdapters.NONE ? LinearHook.NONE : adapters);
        }
    }

    @Override
    public void tokenLogProbs(Tensor rows, int[] targets, double[] logp, boolean[] top1) {
        tokenLogProbs(rows, targets, logp, top1, 0);
    }

    private final Object headPinLock = new Object();
    private int headPins;                 // open pinHead scopes
    private Matmul.Packed pinnedHead;     // the float32 head packed by the first tokenLogProbs of the open scopes
    private MaxColumns pinnedMaxima;      // the columns lately rows' maxima, for the scopes' calls (with pinnedHead)

    /** A {@link #pinHead} scope; closing it twice closes it once. */
    public interface HeadPin extends AutoCloseable {
        @Override void close();
    }

    /**
     * Opens a scope in which {@link #tokenLogProbs} packs the float32 head once and reuses the panels, where each call
     * would pack it again (at the bundled model's size, 5 % of a SEAL training episode): for a caller that scores many
     * batches of a model whose weights it leaves as they are, as a SEAL run does with its frozen model. The caller
     * must not write the head (wte) while a scope is open: the calls would mix the old panels with the new values.
     * Inside a scope a call of at least {@link #ROWS_WITHOUT_LOGITS} tiled rows is scored without writing its logits
     * (the same bits), each row's max guessed from the columns that were the maxima of the scope's earlier rows.
     * Scopes nest; the panels and the columns are dropped when the last one closes.
     */
    public HeadPin pinHead() {
        synchronized (headPinLock) { headPins++; }
        return new HeadPin() {
            private boolean open = true;

            @Override
            public void close() {
                synchronized (headPinLock) {
                    if (!open) return;
                    open = false;
                    if (--headPins == 0) {
                        pinnedHead = null;
                        pinnedMaxima = null;
                    }
                }
            }
        };
    }

    // The pinned head's panels (packed now if no call has yet), or null outside a pinHead scope.
    private Matmul.Packed pinnedHead() {
        synchronized (headPinLock) {
            if (headPins == 0) return null;
            if (pinnedHead == null) {
                pinnedHead = Matmul.packTransposed(params.lmHead);
                pinnedMaxima = new MaxColumns(params.lmHead);
            }
            return pinnedHead;
        }
    }

    /** The pinned head's MaxColumns, or null outside a pinHead scope (or before its first call). */
    MaxColumns pinnedMaxima() {
        synchronized (headPinLock) { return pinnedMaxima; }
    }

    /** Rows per chunk of the LM head's batch: the unit of the path rule below. */
    static final int HEAD_CHUNK = 64;

    /**
     * Rows through the head at a time: the logits buffer (HEAD_ROWS × V) is reused, never R × V. The forgetting term's
     * 744 rows on a Zen 4 (32 MiB L3), one JVM, 20 rounds: 64 rows 78.5 ms, 96–160 rows 74.5–75.4, 192 rows 91.4.
     */
    static final int HEAD_ROWS = 128;

    /**
     * Fewest tiled rows that a pinned head scores without their logits ({@link #scoreWithoutLogits}): each thread reads
     * the whole head there, where the logits path splits it, which costs more than it saves below about this many
     * (16 rows: 2.3 against 2.1 ms, 36 rows: 4.7 against 5.4 ms on a Zen 4, the bundled model's head).
     */
    static final int ROWS_WITHOUT_LOGITS = 32;

    /**
     * The batch's rows fall in chunks of {@link #HEAD_CHUNK} counted from its first row, and the rows of a chunk of
     * fewer than 4 take the matrix-vector path (lane-partial sums, not the tiles' fma chains, so other bits), the
     * others the tiles: with {@code before} rows of the batch left out of this call, each row here takes the path it
     * took in the whole batch, whatever pieces the call runs them in.
     */
    @Override
    public void tokenLogProbs(Tensor rows, int[] targets, double[] logp, boolean[] top1, int before) {
        int R = targets.length, C = config.nEmbd(), V = config.vocabSize();
        if (R == 0) return;
        if (rows.dim(0) != R || rows.dim(1) != C || logp.length != R || top1.length != R || before < 0) {
            throw new IllegalArgumentException("tokenLogProbs: rows " + rows + ", " + R + " targets, outputs " + logp.length + ", " + before + " before");
        }
        int end = before + R;
        // Every row takes the path of its chunk of the whole batch: the tiles, or the matrix-vector path for a last
        // chunk of under 4 rows. The tiled rows then go through the head HEAD_ROWS at a time, a piece of under 4 rows
        // padded with copies of its last row (their results dropped): a row's logits do not depend on its neighbours.
        int lastStart = (end - 1) / HEAD_CHUNK * HEAD_CHUNK;
        boolean vectorTail = end - lastStart < Matmul.GEMM_MIN_ROWS;
        int tiledEnd = vectorTail ? Math.max(lastStart, before) : end;
        // Over several pieces the float32 head is packed once, not once per piece (a reward's forgetting term scores
        // hundreds of rows), and inside a pinHead scope once for all calls: the same panels, so the same logits.
        Matmul.Packed packed = null;
        int p0 = before;
        if (params.lmHeadPacked == null) {
            packed = pinnedHead();
            MaxColumns maxima = pinnedMaxima();
            if (packed != null && maxima != null && tiledEnd - before >= ROWS_WITHOUT_LOGITS && maxima.worthGuessing()
                    && scoreWithoutLogits(rows, targets, logp, top1, tiledEnd - before, packed, maxima)) {
                p0 = tiledEnd;
            }
            if (packed == null && tiledEnd - before > HEAD_ROWS) packed = Matmul.packTransposed(params.lmHead);
        }
        if (p0 == end) return;
        try (Arena tmp = Arena.ofShared()) {
            Tensor logits = Tensor.allocate(tmp, Math.min(HEAD_ROWS, Math.max(end - p0, Matmul.GEMM_MIN_ROWS)), V);
            Tensor pad = Tensor.allocate(tmp, Matmul.GEMM_MIN_ROWS, C);
            while (p0 < end) {
                int p1 = p0 < tiledEnd ? Math.min(p0 + HEAD_ROWS, tiledEnd) : end;   // this call's rows [p0, p1) of the batch
                int i0 = p0 - before, n = p1 - p0;
                int m = p0 < tiledEnd ? Math.max(n, Matmul.GEMM_MIN_ROWS) : n;
                Tensor h = rows.slice((long) i0 * C, n, C);
                if (m > n) {
                    for (int i = 0; i < m; i++) pad.row(i).copyFrom(h.row(Math.min(i, n - 1)));
                    h = pad;
                }
                Tensor ln = logits.slice(0, m, V);
                if (packed != null) Matmul.matmulTransposed(ln, h, packed);   // (m,C) -> (m,V)
                else head(ln, h);
                float[] l = new float[m];
                Kernels.logSumExp(l, ln);
                for (int i = 0; i < n; i++) {
                    Tensor row = ln.row(i);
                    float target = row.get(targets[i0 + i]);
                    logp[i0 + i] = (double) target - l[i];
                    top1[i0 + i] = Kernels.noneAbove(row, target);   // top-1: no logit above the target's (ties count)
                }
                p0 = p1;
            }
        }
    }

    /**
     * Rows [0, n) of a tokenLogProbs call, all tiled, through the pinned head without their logits
     * ({@link Matmul#rowLogSumExp}): each row's max guessed from the columns that were lately rows' maxima, a row
     * guessed wrong run again with its max, now known. The values the logits path gives, bit for bit; false, with
     * nothing written, if a row is exact neither way (a NaN or ±∞ in it, or a max of zero: the logits path then gives
     * its values).
     */
    private boolean scoreWithoutLogits(Tensor rows, int[] targets, double[] logp, boolean[] top1, int n, Matmul.Packed head,
                                       MaxColumns maxima) {
        int C = config.nEmbd();
        Tensor h = rows.slice(0, n, C);
        int[] tg = Arrays.copyOf(targets, n);
        MaxColumns.Guess guess = maxima.guess(h);
        Matmul.RowStats st = Matmul.rowLogSumExp(h, head, guess.values(), tg, false);
        float[] lse = st.lse().clone();
        int misses = 0;
        for (int i = 0; i < n; i++) if (!st.exact()[i]) misses++;
        int[] maxAt = new int[n];
        Arrays.fill(maxAt, -1);
        if (misses > 0) {
            int[] at = new int[misses];
            for (int i = 0, m = 0; i < n; i++) if (!st.exact()[i]) at[m++] = i;
            float[] g = new float[misses];
            int[] t = new int[misses];
            try (Arena tmp = Arena.ofShared()) {
                Tensor again = Tensor.allocate(tmp, misses, C);
                for (int m = 0; m < misses; m++) {
                    again.row(m).copyFrom(h.row(at[m]));
                    g[m] = st.max()[at[m]];
                    t[m] = tg[at[m]];
                }
                Matmul.RowStats st2 = Matmul.rowLogSumExp(again, head, g, t, true);
                for (int m = 0; m < misses; m++) {
                    if (!st2.exact()[m]) return false;
                    lse[at[m]] = st2.lse()[m];
                    maxAt[at[m]] = st2.guessAt()[m];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            float target = st.picked()[i];
            logp[i] = (double) target - lse[i];
            top1[i] = st.max()[i] <= target;   // no logit above the target's: the max is one of them (no NaN here)
        }
        maxima.update(guess, st.exact(), maxAt);
        return true;
    }

    @Override
    public Decoder decoder(int batch, int capacity) {
        return decoder(batch, capacity, LinearHook.NONE);
    }

    /** {@link #decoder(int, int)} with a hook after every block linear of each append (e.g. adapters kept beside the weights). */
    public Decoder decoder(int batch, int capacity, LinearHook hook) {
        Arena arena = Arena.ofShared();
        KVCache cache = newCache(batch, capacity, arena);
        return new Decoder() {
            private Tensor logits;       // (B, T, V) of the last append; grown on demand
            private Arena logitsArena;
            private int lastT;

            @Override public int length() { return cache.length; }
            @Override public void truncate(int n) { cache.truncate(n); }

            @Override
            public void append(int[] ids, int T) {
                long need = (long) batch * T * config.vocabSize();
                if (logits == null || logits.size() < need) {
                    if (logitsArena != null) logitsArena.close();
                    logitsArena = Arena.ofShared();
                    logits = Tensor.allocate(logitsArena, batch, T, config.vocabSize());
                }
                forwardInto(cache, ids, T, logits.slice(0, batch, T, config.vocabSize()), hook);
                lastT = T;
            }

            @Override
            public float[] lastLogits(int b) {
                int V = config.vocabSize();
                return logits.slice(((long) b * lastT + lastT - 1) * V, V).toArray();
            }

            @Override
            public void close() {
                if (logitsArena != null) logitsArena.close();
                arena.close();
            }
        };
    }

    /** ids (B,T) -> logits (B,T,V), allocated in {@code out}. All sequences must have the same length. */
    public Tensor logits(int[][] ids, Arena out) {
        int B = ids.length;
        if (B == 0) throw new IllegalArgumentException("empty batch");
        int T = ids[0].length;
        int[] flat = new int[B * T];
        for (int b = 0; b < B; b++) {
            if (ids[b].length != T) {
                throw new IllegalArgumentException("sequence " + b + " has " + ids[b].length + " tokens, sequence 0 has " + T
                        + " (a batch must be rectangular)");
            }
            System.arraycopy(ids[b], 0, flat, b * T, T);
        }
        try (Arena tmp = Arena.ofShared()) {
            KVCache cache = newCache(B, T, tmp);
            return forward(cache, flat, T, out);
        }
    }

    /**
     * Appends T tokens to every sequence of the cache and returns their logits (B,T,V) in {@code out}.
     * ids holds B·T ids, sequence-major.
     */
    public Tensor forward(KVCache cache, int[] ids, int T, Arena out) {
        return forward(cache, ids, T, out, LinearHook.NONE);
    }

    /** {@link #forward(KVCache, int[], int, Arena)} with a hook after every block linear (e.g. adapters). */
    public Tensor forward(KVCache cache, int[] ids, int T, Arena out, LinearHook hook) {
        Tensor logits = Tensor.allocate(out, cache.batch, T, config.vocabSize());
        forwardInto(cache, ids, T, logits, hook);
        return logits;
    }

    /**
     * As {@link #forward(KVCache, int[], int, Arena)}, writing the logits (B,T,V) into {@code logits}.
     * Allocates nothing once the model has seen a step of this size: the decode loop's entry point.
     */
    public void forwardInto(KVCache cache, int[] ids, int T, Tensor logits) {
        forwardInto(cache, ids, T, logits, LinearHook.NONE);
    }

    /** {@link #forwardInto(KVCache, int[], int, Tensor)} with a hook after every block linear. */
    public void forwardInto(KVCache cache, int[] ids, int T, Tensor logits, LinearHook hook) {
        if (logits.size() != (long) cache.batch * T * config.vocabSize()) {
            throw new IllegalArgumentException("logits " + logits + " is not (" + cache.batch + "," + T + "," + config.vocabSize() + ")");
        }
        Workspace ws = takeWorkspace();
        try {
            ws.ensure(cache.batch * T);
            Tensor h = ws.x.slice(0, cache.batch, T, config.nEmbd());
            hiddenInto(cache, ids, T, h, ws, hook);
            head(logits, h);                                                  // (B,T,C) -> (B,T,V)
        } finally {
            returnWorkspace(ws);
        }
    }

    /**
     * The final hidden states ln_f(x) (B,T,C) of T new tokens per sequence, allocated in {@code out};
     * advances the cache by T.
     */
    public Tensor hidden(KVCache cache, int[] ids, int T, Arena out) {
        return hidden(cache, ids, T, out, LinearHook.NONE);
    }

    /** {@link #hidden(KVCache, int[], int, Arena)} with a hook after every block linear (e.g. adapters). */
    public Tensor hidden(KVCache cache, int[] ids, int T, Arena out, LinearHook hook) {
        Tensor x = Tensor.allocate(out, cache.batch, T, config.nEmbd());
        Workspace ws = takeWorkspace();
        try {
            hiddenInto(cache, ids, T, x, ws, hook);
        } finally {
            returnWorkspace(ws);
        }
        return x;
    }

    private void hiddenInto(KVCache cache, int[] ids, int T, Tensor x, Workspace ws, LinearHook hook) {
        int B = cache.batch, C = config.nEmbd(), pos0 = cache.length;
        if (T < 1) throw new IllegalArgumentException("need at least one token per sequence");
        if (ids.length != B * T) throw new IllegalArgumentException(ids.length + " ids for a batch of " + B + " x " + T);
        if (pos0 + T > config.nPositions()) {
            throw new IllegalArgumentException("sequence of " + (pos0 + T) + " tokens is longer than n_positions=" + config.nPositions());
        }
        if (pos0 + T > cache.capacity) {
            throw new IllegalArgumentException("KV cache holds " + cache.capacity + " positions; " + (pos0 + T) + " needed");
        }
        if (params.wtePacked == null) Kernels.embedding(x, ids, B, T, params.wte, params.wpe, pos0);    // (B,T) -> (B,T,C)
        else embeddingPacked(x, ids, B, T, params.wtePacked, params.wpe, pos0);
        layers(cache, T, x, ws, hook, 0, config.nLayer());
        Kernels.layernorm(x, x, params.lnfW, params.lnfB, config.layerNormEpsilon());
        cache.length = pos0 + T;
    }

    /**
     * The final hidden states (copies·n, T, C) of {@code copies} copies of the same n sequences (ids: n·T, from
     * position 0), copy j being rows j·n..j·n+n−1, where {@code adapters} touch no layer below {@code from}: those
     * layers run once for the n sequences and their output is copied to every copy. Each row is computed alone, so
     * this is {@link #hidden(int[], int, int, LowRankAdapters, Arena)} of the repeated batch, bit for bit, minus
     * (copies−1)·n sequences' worth of the first {@code from} layers.
     */
    public Tensor hiddenRepeated(int[] ids, int n, int copies, int T, LowRankAdapters adapters, int from, Arena out) {
        int C = config.nEmbd(), B = n * copies;
        if (ids.length != n * T || copies < 1 || from < 0 || from > config.nLayer()) {
            throw new IllegalArgumentException(ids.length + " ids for " + n + " x " + T + ", " + copies + " copies, from layer " + from);
        }
        if (T < 1 || T > config.nPositions()) throw new IllegalArgumentException("sequences of " + T + " tokens; n_positions=" + config.nPositions());
        // The batch's forward runs every linear through the hook (unfused); so do the shared layers, whose hook is a no-op.
        LinearHook hook = adapters == LowRankAdapters.NONE ? LinearHook.NONE : adapters;
        LinearHook shared = hook == LinearHook.NONE ? LinearHook.NONE : (name, inp, o) -> {};
        Tensor x = Tensor.allocate(out, B, T, C);
        Workspace ws = takeWorkspace();
        try (Arena tmp = Arena.ofShared()) {
            ws.ensure(B * T);
            Tensor x0 = x.slice(0, n, T, C);                                  // copy 0's rows hold the shared prefix
            KVCache small = newCache(n, T, tmp);
            if (params.wtePacked == null) Kernels.embedding(x0, ids, n, T, params.wte, params.wpe, 0);
            else embeddingPacked(x0, ids, n, T, params.wtePacked, params.wpe, 0);
            layers(small, T, x0, ws, shared, 0, from);
            long per = (long) n * T * C;
            for (int j = 1; j < copies; j++) x.slice(j * per, n, T, C).copyFrom(x0);
            KVCache cache = newCache(B, T, tmp);                              // layers from.. only: their own K, V
            layers(cache, T, x, ws, hook, from, config.nLayer());
            Kernels.layernorm(x, x, params.lnfW, params.lnfB, config.layerNormEpsilon());
        } finally {
            returnWorkspace(ws);
        }
        return x;
    }

    // Blocks l0..l1-1 of the forward on the residual stream x (B,T,C) at the cache's position; the cache's length is left alone.
    private void layers(KVCache cache, int T, Tensor x, Workspace ws, LinearHook hook, int l0, int l1) {
        int B = cache.batch, C = config.nEmbd(), pos0 = cache.length;
        ws.ensure(B * T);
        Tensor ln = ws.ln.slice(0, B, T, C);
        Tensor qkv = ws.qkv.slice(0, B, T, 3 * C);
        Tensor q = ws.q.slice(0, B, T, C);
        Tensor att = ws.att.slice(0, B, T, C);
        Tensor fc = ws.fc.slice(0, B, T, 4 * C);
        float eps = config.layerNormEpsilon();

        boolean fused = hook == LinearHook.NONE;   // a hook must see each linear's output before GELU/residual
        for (int l = l0; l < l1; l++) {
            Gpt2Params.Block p = params.blocks.get(l);
            Gpt2Params.PackedBlock h = params.packedBlocks.isEmpty() ? null : params.packedBlocks.get(l);
            String[] names = linearNames[l];
            Kernels.layernorm(ln, x, p.ln1W(), p.ln1B(), eps);
            if (h == null) Matmul.matmul(qkv, ln, p.attnW(), p.attnB());    // (B,T,C) -> (B,T,3C)
            else PackedMatmul.matmul(qkv, ln, h.attnW(), p.attnB());
            hook.afterLinear(names[0], ln, qkv);
            splitQkv(qkv, q, cache.k[l], cache.v[l], pos0);                  // q (B,T,C); k,v -> cache
            Kernels.attention(att, q, cache.k[l], cache.v[l], config.nHead(), pos0);
            Tensor proj = q;                                                 // q is free once attention is done
            if (fused) {
                if (h == null) Matmul.matmulResidual(x, att, p.attnProjW(), p.attnProjB()); // x += att · W + b
                else PackedMatmul.matmulResidual(x, att, h.attnProjW(), p.attnProjB());
            } else {
                if (h == null) Matmul.matmul(proj, att, p.attnProjW(), p.attnProjB());      // (B,T,C) -> (B,T,C)
                else PackedMatmul.matmul(proj, att, h.attnProjW(), p.attnProjB());
                hook.afterLinear(names[1], att, proj);
                Kernels.add(x, x, proj);
            }
            Kernels.layernorm(ln, x, p.ln2W(), p.ln2B(), eps);
            if (fused) {
                if (h == null) {
                    Matmul.matmulGelu(fc, ln, p.fcW(), p.fcB());             // (B,T,C) -> gelu (B,T,4C)
                    Matmul.matmulResidual(x, fc, p.fcProjW(), p.fcProjB());  // x += fc · W + b
                } else {
                    PackedMatmul.matmulGelu(fc, ln, h.fcW(), p.fcB());
                    PackedMatmul.matmulResidual(x, fc, h.fcProjW(), p.fcProjB());
                }
            } else {
                if (h == null) Matmul.matmul(fc, ln, p.fcW(), p.fcB());     // (B,T,C) -> (B,T,4C)
                else PackedMatmul.matmul(fc, ln, h.fcW(), p.fcB());
                hook.afterLinear(names[2], ln, fc);
                Kernels.gelu(fc, fc);
                if (h == null) Matmul.matmul(proj, fc, p.fcProjW(), p.fcProjB()); // (B,T,4C) -> (B,T,C)
                else PackedMatmul.matmul(proj, fc, h.fcProjW(), p.fcProjB());
                hook.afterLinear(names[3], fc, proj);
                Kernels.add(x, x, proj);
            }
        }
    }

    // logits (R,V) = h (R,C) · lm_headᵀ, in whichever format the head is held
    private void head(Tensor logits, Tensor h) {
        if (params.lmHeadPacked == null) Matmul.matmulTransposed(logits, h, params.lmHead, null);
        else PackedMatmul.matmulTransposed(logits, h, params.lmHeadPacked, null);
    }

    // x (B,T,C) = wte[ids] + wpe[pos0..pos0+T): Kernels.embedding with the token rows widened from 16 bits or dequantized
    private static void embeddingPacked(Tensor x, int[] ids, int B, int T, PackedMatrix wte, Tensor wpe, int pos0) {
        int V = wte.dim(0), C = wte.dim(1), P = wpe.dim(0);
        if (ids.length != B * T || x.size() != (long) B * T * C) {
            throw new IllegalArgumentException("embedding of " + ids.length + " ids (B=" + B + ", T=" + T + ") into " + x);
        }
        if (pos0 < 0 || pos0 + T > P) throw new IllegalArgumentException("positions " + pos0 + ".." + (pos0 + T - 1) + " exceed n_positions=" + P);
        for (int id : ids) {
            if (id < 0 || id >= V) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + V + ")");
        }
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long dst = ((long) b * T + t) * C, tok = (long) ids[b * T + t] * C, pos = (long) (pos0 + t) * C;
                for (int c = 0; c < C; c++) x.set(dst + c, wte.get(tok + c) + wpe.get(pos + c));
            }
        }
    }

    /** Activation buffers of one forward, kept between calls so that decoding allocates nothing. */
    private final class Workspace {
        private Arena arena;
        private int rows;
        Tensor x, ln, qkv, q, att, fc;

        void ensure(int n) {
            if (n <= rows) return;
            if (arena != null) arena.close();
            int C = config.nEmbd();
            arena = Arena.ofShared();
            rows = n;
            x = Tensor.allocate(arena, n * C);
            ln = Tensor.allocate(arena, n * C);
            qkv = Tensor.allocate(arena, n * 3 * C);
            q = Tensor.allocate(arena, n * C);
            att = Tensor.allocate(arena, n * C);
            fc = Tensor.allocate(arena, n * 4 * C);
        }

        void free() {
            if (arena != null) arena.close();
            arena = null;
            rows = 0;
        }
    }

    // One workspace is kept; a second concurrent forward gets a temporary one.
    private final java.util.concurrent.atomic.AtomicReference<Workspace> spare = new java.util.concurrent.atomic.AtomicReference<>();

    private Workspace takeWorkspace() {
        Workspace w = spare.getAndSet(null);
        return w != null ? w : new Workspace();
    }

    private void returnWorkspace(Workspace w) {
        if (!spare.compareAndSet(null, w)) w.free();
    }

    // qkv (B,T,3C) -> q (B,T,C), and k, v into rows pos0..pos0+T-1 of the caches (B,cap,C)
    private static void splitQkv(Tensor qkv, Tensor q, Tensor kc, Tensor vc, int pos0) {
        int B = q.dim(0), T = q.dim(1), C = q.dim(2), cap = kc.dim(1);
        long row = 4L * C;
        MemorySegment src = qkv.segment();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long s = ((long) b * T + t) * 3 * row;
                long d = ((long) b * cap + pos0 + t) * row;
                MemorySegment.copy(src, s, q.segment(), ((long) b * T + t) * row, row);
                MemorySegment.copy(src, s + row, kc.segment(), d, row);
                MemorySegment.copy(src, s + 2 * row, vc.segment(), d, row);
            }
        }
    }

    private boolean closed;

    /** Frees the parameters and workspace; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Workspace w = spare.getAndSet(null);
        if (w != null) w.free();
        arena.close();
    }
}
