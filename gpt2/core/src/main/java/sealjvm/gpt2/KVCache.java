package sealjvm.gpt2;

import java.lang.foreign.Arena;
import sealjvm.tensor.Tensor;

/**
 * Keys and values of every layer for the positions seen so far, for incremental decoding.
 * k[l], v[l]: (B, capacity, C). {@link #length()} positions are filled, the same for every sequence.
 */
public final class KVCache {
    final Tensor[] k, v;
    final int batch, capacity;
    int length;

    KVCache(Gpt2Config c, int batch, int capacity, Arena arena) {
        if (capacity > c.nPositions()) {
            throw new IllegalArgumentException("KV cache of " + capacity + " positions exceeds n_positions=" + c.nPositions());
        }
        this.batch = batch;
        this.capacity = capacity;
        k = new Tensor[c.nLayer()];
        v = new Tensor[c.nLayer()];
        for (int l = 0; l < c.nLayer(); l++) {
            k[l] = Tensor.allocate(arena, batch, capacity, c.nEmbd());
            v[l] = Tensor.allocate(arena, batch, capacity, c.nEmbd());
        }
    }

    public int length() { return length; }
    public int capacity() { return capacity; }
    public int batch() { return batch; }

    /** Keep only the first {@code n} positions (e.g. to rerun a decode step from the same context). */
    public void truncate(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + n);
        length = n;
    }

    /** Forget everything: the next forward starts at position 0. */
    public void reset() { length = 0; }
}
