package sealjvm.bench.peers;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.KVCache;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * Our engine: {@code Gpt2Model.load} of the directory with its weight matrices held as a given format (F32_PACKED: packed
 * once at load, as ONNX Runtime does; F32: packed on every product), {@code forwardInto} a preallocated logits tensor
 * (the decode loop's entry point).
 */
final class OursPeer implements Peer {
    private final Gpt2Model model;
    private final Arena arena = Arena.ofShared();
    private final KVCache cache;
    private Arena stepArena;
    private Tensor logits;
    private int past;
    private int[] tokens;

    OursPeer(Path dir, int threads, int capacity, WeightFormat format) {
        Parallel.setThreads(threads);
        model = Gpt2Model.load(dir, format);
        cache = model.newCache(1, capacity, arena);
    }

    @Override
    public String describe() { return "SEAL on the JVM (Vector API), weights " + model.weightFormat() + ", " + Parallel.threads() + " threads"; }

    @Override
    public void prepare(int[] context, int[] tokens) {
        if (stepArena != null) stepArena.close();
        stepArena = Arena.ofShared();
        cache.reset();
        if (context.length > 0) model.forwardInto(cache, context, context.length, Tensor.allocate(stepArena, 1, context.length, model.config.vocabSize()));
        past = context.length;
        this.tokens = tokens;
        logits = Tensor.allocate(stepArena, 1, tokens.length, model.config.vocabSize());
    }

    @Override
    public void run() {
        cache.truncate(past);
        model.forwardInto(cache, tokens, tokens.length, logits);
    }

    @Override
    public float[] logits() { return logits.toArray(); }

    @Override
    public void close() {
        if (stepArena != null) stepArena.close();
        arena.close();
        model.close();
    }
}
