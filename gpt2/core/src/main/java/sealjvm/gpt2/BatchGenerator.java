package sealjvm.gpt2;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several prompts continued together: prompts of the same token length share one batched decoder (one forward per
 * step), each row with its own slot of the KV cache and its own sampler; a row that reaches the stop id is finished
 * (its later samples are discarded) and the batch stops when every row has. Prompts of different lengths form separate
 * batches (the forward has no padding mask). Runs on any {@link Gpt2Backend}; a {@link LinearHook} (e.g. adapters kept
 * beside the weights) runs after every block linear of the CPU forward, so it needs the CPU {@link Gpt2Model}.
 */
public final class BatchGenerator {
    private BatchGenerator() {}

    /** One prompt's continuation: the new ids (ending with the stop id if it was reached) and its timings. */
    public record Row(int[] ids, long firstTokenNanos, long totalNanos) {
        public double tokensPerSecond() { return totalNanos == 0 ? 0 : ids.length / (totalNanos / 1e9); }
    }

    /** Called with (row, new id) as soon as a row's token is chosen. */
    public interface TokenListener { void accept(int row, int id); }

    /**
     * Continues every prompt by up to {@code maxNewTokens} tokens; {@code samplers[i]} draws row i's tokens.
     * Timings are measured from the start of the row's batch: the first token's (prefill included) and the last's.
     */
    public static List<Row> generate(Gpt2Backend model, List<int[]> prompts, int maxNewTokens, Sampler[] samplers, int stopId,
                                     LinearHook hook, TokenListener onToken) {
        if (samplers.length != prompts.size()) throw new IllegalArgumentException(samplers.length + " samplers for " + prompts.size() + " prompts");
        if (hook != LinearHook.NONE && !(model instanceof Gpt2Model)) throw new IllegalArgumentException("a linear hook runs in the CPU forward only");
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        int P = model.config().nPositions();
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) throw new IllegalArgumentException("prompt " + (i + 1) + " is empty: give at least one token");
            if (p.length + maxNewTokens > P) {
                throw new IllegalArgumentException("prompt " + (i + 1) + " of " + p.length + " tokens + " + maxNewTokens + " new tokens exceeds the model's n_positions=" + P);
            }
            byLength.computeIfAbsent(p.length, k -> new ArrayList<>()).add(i);
        }
        Row[] rows = new Row[prompts.size()];
        for (List<Integer> group : byLength.values()) {
            int B = group.size(), T0 = prompts.get(group.get(0)).length;
            int[][] out = new int[B][maxNewTokens];
            int[] n = new int[B];
            long[] first = new long[B], last = new long[B];
            boolean[] done = new boolean[B];
            long t0 = System.nanoTime();
            int capacity = T0 + maxNewTokens;
            try (Gpt2Backend.Decoder decoder = hook == LinearHook.NONE ? model.decoder(B, capacity)
                    : ((Gpt2Model) model).decoder(B, capacity, hook)) {
                int[] step = new int[B * T0];
                for (int b = 0; b < B; b++) System.arraycopy(prompts.get(group.get(b)), 0, step, b * T0, T0);
                int T = T0;
                for (int s = 0; s < maxNewTokens; s++) {
                    int[] next = new int[B];
                    decoder.append(step, T);   // (B,T) -> logits (B,T,V); only each row's last position is read
                    for (int b = 0; b < B; b++) {
                        if (done[b]) { next[b] = stopId < 0 ? 0 : stopId; continue; }
                        int id = samplers[group.get(b)].next(decoder.lastLogits(b));
                        next[b] = id;
                        out[b][n[b]++] = id;
                        long now = System.nanoTime() - t0;
                        if (n[b] == 1) first[b] = now;
                        last[b] = now;
                        onToken.accept(group.get(b), id);
                        if (id == stopId) done[b] = true;
                    }
                    boolean all = true;
                    for (boolean d : done) all &= d;
                    if (all) break;
                    step = next;
                    T = 1;
                }
            }
            for (int b = 0; b < B; b++) rows[group.get(b)] = new Row(Arrays.copyOf(out[b], n[b]), first[b], last[b]);
        }
        return List.of(rows);
    }
}
