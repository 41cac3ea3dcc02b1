package sealjvm.gpt2;

import java.lang.foreign.Arena;
import sealjvm.tensor.Device;
import sealjvm.tensor.Tensor;

/**
 * What the rest of the engine needs from a GPT-2 forward, whatever computes it: hidden states (with low-rank adapters),
 * logits, token log-probabilities and KV-cached decoding. {@link Gpt2Model} is the CPU implementation; a GPU one comes
 * from a {@link Gpt2BackendProvider} on the class path. Chosen once, by {@link Gpt2Backends#open}. Results always come
 * back as host tensors or arrays; device memory never leaves the backend.
 */
public interface Gpt2Backend extends AutoCloseable {
    /** Where this backend computes. */
    Device device();

    /** A human-readable name of the device (e.g. the GPU's). */
    String deviceName();

    Gpt2Config config();

    /** ids (B,T) -> logits (B,T,V), allocated in {@code out}. All sequences must have the same length. */
    Tensor logits(int[][] ids, Arena out);

    /**
     * The final hidden states ln_f(x) (B,T,C) of {@code ids} (B·T ids, sequence-major) from position 0, allocated in
     * {@code out}. With {@code adapters} other than {@link LowRankAdapters#NONE}, sequence b runs with adapter
     * {@code adapters.editOfRow()[b]} added after each targeted linear.
     */
    Tensor hidden(int[] ids, int batch, int T, LowRankAdapters adapters, Arena out);

    /**
     * log p(target_i) and whether target_i is the top-1 prediction (ties count), for rows (n,C) of final hidden states:
     * the LM head on just those rows, then a log-softmax per row.
     */
    void tokenLogProbs(Tensor rows, int[] targets, double[] logp, boolean[] top1);

    /**
     * {@link #tokenLogProbs(Tensor, int[], double[], boolean[])} for rows that follow {@code before} rows of a batch
     * scored elsewhere (or not at all): each row's result is, bit for bit, what one call on the whole batch gives it.
     * The CPU head needs this to line its row chunks up with the whole batch's; a backend whose rows come out the same
     * whatever shares their call ignores it (the default).
     */
    default void tokenLogProbs(Tensor rows, int[] targets, double[] logp, boolean[] top1, int before) {
        tokenLogProbs(rows, targets, logp, top1);
    }

    /** A KV cache of {@code capacity} positions for {@code batch} sequences, decoded step by step. */
    Decoder decoder(int batch, int capacity);

    /** Waits until all queued work is done (a no-op where work is synchronous). */
    default void synchronize() {}

    /** Milliseconds {@code work} takes on this backend (device time where the device queues work). */
    default double timeMillis(Runnable work) {
        long t0 = System.nanoTime();
        work.run();
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Frees what this backend holds (for the CPU backend: the model itself). */
    @Override
    void close();

    /** Incremental decoding over one KV cache: each {@link #append} adds T positions to every sequence. */
    interface Decoder extends AutoCloseable {
        /** Positions in the cache. */
        int length();

        /** Forgets every position from {@code n} on. */
        void truncate(int n);

        /** Appends T tokens per sequence (B·T ids, sequence-major); their logits stay with the decoder until the next append. */
        void append(int[] ids, int T);

        /** The logits (V) of the last appended position of sequence {@code b}, on the host. */
        float[] lastLogits(int b);

        @Override
        void close();
    }
}
