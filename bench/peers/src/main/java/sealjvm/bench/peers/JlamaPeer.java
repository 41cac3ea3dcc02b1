package sealjvm.bench.peers;

import com.github.tjake.jlama.math.VectorMath;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.LayerNorm;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.FloatBufferTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperations;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Jlama, float32 weights and float32 working memory (no quantization), in one of its two kernel sets: native
 * ({@code jlama-native}'s libjlama through FFM) or pure Vector API ({@code jlama.force_panama_tensor_operations}).
 * Jlama's generation path computes the logits of the last token only (and softmaxes them); here the logits of every
 * new token come from the same pieces it uses for that one: its output layernorm, then its own
 * {@code dotProductChunk} against the tied {@code wte}, split over the vocabulary by {@code VectorMath.pchunk}.
 * One token goes through {@code forward(token, pos, ...)}, its decode path; more through {@code batchForward}.
 *
 * <p>Jlama's F32 GEMM (native and Vector API alike) splits a call into register tiles and recurses on the leftover
 * rows and columns, but never computes the corner where both are left over: with rows not a multiple of the tile
 * height (3 in the Vector API kernels, 5 in libjlama) and columns not a multiple of the tile width (4 or 5), that
 * corner of the output keeps whatever was there. Its own layers are called with column chunks of {@code pchunk}: one
 * column wide in the Vector API kernels (no corner), six wide for a 768-wide layer in libjlama (so a native prefill
 * of 127 or 128 tokens leaves corners in its own layers, and the checks report it wrong; that is Jlama's code and is
 * left alone). The head is ours to split: for several rows it is handed out in column chunks whose widths are
 * multiples of {@link #TILE_WIDTHS}, and the last {@code V mod TILE_WIDTHS} columns go one row at a time (one row
 * never leaves a corner). The chunks run on Jlama's pool as {@code pchunk} runs them, but are cut here:
 * {@code pchunk} adds only {@code length % chunkSize} to its last chunk, which drops the tail whenever
 * {@code length / chunkSize} exceeds its split count. Each element is still one of Jlama's dot products;
 * {@code plainHead} hands out {@code pchunk}'s chunks of the whole vocabulary instead, which shows the corner fault.
 */
final class JlamaPeer implements Peer {
    static final String NATIVE = "Native SIMD Operations";
    /** A multiple of every tile width of Jlama's F32 kernels (4 in the Vector API ones, up to 5 in libjlama). */
    static final int TILE_WIDTHS = 20;

    private final boolean plainHead;
    private final AbstractModel model;
    private final TensorOperations ops;
    private final AbstractTensor wte;
    private final LayerNorm lnf;
    private final KvBufferCache kvCache;
    private final int C, V;
    private KvBufferCache.KvBuffer kv;
    private FloatBufferTensor logits, tailRow;
    private int past;
    private int[] tokens;

    /** Must be made before any other Jlama class is used in this JVM: the kernel choice is read once. */
    JlamaPeer(Path dir, int threads, boolean nativeKernels, boolean plainHead) {
        this.plainHead = plainHead;
        System.setProperty("jlama.force_panama_tensor_operations", Boolean.toString(!nativeKernels));
        PhysicalCoreExecutor.overrideThreadCount(threads);
        if (nativeKernels) {
            // Jlama falls back to its Vector API kernels with a log line only (and logs nowhere without an SLF4J
            // binding): load the native ones the way it does first, so that a failure names its cause.
            try {
                Class.forName("com.github.tjake.jlama.tensor.operations.NativeSimdTensorOperations").getConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null ? e.getCause() : e;
                throw new CannotRun("Jlama's native kernels did not load: " + cause);
            }
        }
        ops = TensorOperationsProvider.get();
        if (nativeKernels != NATIVE.equals(ops.name())) {
            throw new CannotRun("Jlama picked \"" + ops.name() + "\" instead of its " + (nativeKernels ? "native" : "Vector API") + " kernels");
        }
        model = ModelSupport.loadModel(dir.toFile(), DType.F32, DType.F32);
        wte = model.getWeights().load("wte.weight");
        lnf = new LayerNorm(model, model.getWeights().load("ln_f.bias"), model.getWeights().load("ln_f.weight"));
        kvCache = new KvBufferCache(model);
        C = model.getConfig().embeddingLength;
        V = model.getConfig().vocabularySize;
        tailRow = new FloatBufferTensor(1, V);
    }

    @Override
    public String describe() {
        return "Jlama (" + ops.name() + ", F32 weights and working memory), " + PhysicalCoreExecutor.instance.get().getCoreCount() + " threads";
    }

    @Override
    public void prepare(int[] context, int[] tokens) {
        if (kv != null) kv.close();
        kv = kvCache.getKvBuffer(UUID.randomUUID());
        if (context.length > 0) model.batchForward(context, 0, kv).close();
        past = context.length;
        this.tokens = tokens;
        logits = new FloatBufferTensor(tokens.length, V);
    }

    @Override
    public void run() {
        AbstractTensor h = tokens.length == 1 ? model.forward(tokens[0], past, kv, Optional.empty()) : model.batchForward(tokens, past, kv);
        try (AbstractTensor x = lnf.forward(h)) {
            if (tokens.length == 1 || plainHead) {
                VectorMath.pchunk(0, V, (start, size) -> ops.dotProductChunk(logits, x, wte, 0, C, start, size));
            } else {
                int W = TILE_WIDTHS, units = V / W, whole = units * W;
                int splits = ops.parallelSplitSize() == 1 ? units : Math.min(units, ops.parallelSplitSize());
                PhysicalCoreExecutor.instance.get().execute(() -> IntStream.range(0, splits).parallel().forEach(i -> {
                    int from = (int) ((long) i * units / splits) * W, to = (int) ((long) (i + 1) * units / splits) * W;
                    ops.dotProductChunk(logits, x, wte, 0, C, from, to - from);
                }));
                for (int t = 0; whole < V && t < tokens.length; t++) {
                    ops.dotProductChunk(tailRow, x.slice(t), wte, 0, C, whole, V - whole);
                    for (int v = whole; v < V; v++) logits.set(tailRow.get(0, v), t, v);
                }
            }
        }
        h.close();
    }

    @Override
    public float[] logits() {
        float[] out = new float[tokens.length * V];
        for (int t = 0; t < tokens.length; t++) {
            for (int v = 0; v < V; v++) out[t * V + v] = logits.get(t, v);
        }
        return out;
    }

    @Override
    public void close() {
        if (kv != null) kv.close();
        kvCache.close();
        model.close();
    }
}
