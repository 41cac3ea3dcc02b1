package sealjvm.bench.peers;

/**
 * One inference engine holding the model of a {@code bench/peers/export.py} directory. A step is set up once with
 * {@link #prepare} (the context goes into the engine's KV cache, untimed) and then {@link #run} is repeated: each
 * run appends the same tokens after the same context, so every timed run does the same work.
 */
interface Peer extends AutoCloseable {
    /** What runs, for the table's header: engine, version, kernels, threads. */
    String describe();

    /** Fills the KV cache with {@code context} (may be empty); the following runs compute the logits of {@code tokens} after it. */
    void prepare(int[] context, int[] tokens) throws Exception;

    /** One timed step: the logits (tokens, vocab) of the prepared tokens, left in the engine's own output. */
    void run() throws Exception;

    /** The logits of the last run, (tokens, vocab) row-major, copied out for checking. */
    float[] logits() throws Exception;

    @Override
    void close() throws Exception;
}
