package sealjvm.gpt2;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits: greedy (temperature 0) or sampled after temperature,
 * top-k and then top-p (nucleus) filtering, the order Hugging Face's generate applies them in.
 * Seeded, so the same seed and model give the same text.
 */
public final class Sampler {
    /** temperature 0 = greedy; topK 0 = off; topP 1 = off. */
    public record Options(float temperature, int topK, float topP, long seed) {
        public Options {
            if (!(temperature >= 0) || !Float.isFinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
            if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
            if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }

        public static Options greedy() { return new Options(0f, 0, 1f, 0L); }
    }

    private final Options options;
    private final SplittableRandom rng;

    public Sampler(Options options) {
        this.options = options;
        this.rng = new SplittableRandom(options.seed());
    }

    /** The next token id given the logits of the last position. */
    public int next(float[] logits) {
        if (options.temperature() == 0f) return argmax(logits);
        int V = logits.length;
        int keep = options.topK() > 0 ? Math.min(options.topK(), V) : V;
        Integer[] order = keep < V ? topK(logits, keep) : new Integer[V];
        if (keep == V) {
            for (int i = 0; i < V; i++) order[i] = i;
            Arrays.sort(order, BEST_FIRST(logits)); // best first; ties keep id order
        }
        double max = logits[order[0]] / (double) options.temperature();
        double[] p = new double[keep];
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            p[i] = Math.exp(logits[order[i]] / (double) options.temperature() - max);
            sum += p[i];
        }
        if (options.topP() < 1f) {
            // smallest prefix whose probability mass reaches top-p (at least one token)
            double cum = 0;
            int n = 0;
            while (n < keep) {
                cum += p[n] / sum;
                n++;
                if (cum >= options.topP()) break;
            }
            keep = n;
            sum = 0;
            for (int i = 0; i < keep; i++) sum += p[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < keep; i++) {
            u -= p[i];
            if (u < 0) return order[i];
        }
        return order[keep - 1];
    }

    private static java.util.Comparator<Integer> BEST_FIRST(float[] logits) {
        return (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b);
    }

    /** The k best ids, best first (ties: lower id first) — what a full sort's first k would be, in O(V log k). */
    static Integer[] topK(float[] logits, int k) {
        java.util.PriorityQueue<Integer> worstFirst = new java.util.PriorityQueue<>(k + 1, BEST_FIRST(logits).reversed());
        for (int i = 0; i < logits.length; i++) {
            if (worstFirst.size() < k) { worstFirst.add(i); continue; }
            int w = worstFirst.peek();
            if (logits[i] > logits[w]) { worstFirst.poll(); worstFirst.add(i); }  // equal logits: the lower id stays
        }
        Integer[] out = worstFirst.toArray(new Integer[0]);
        Arrays.sort(out, BEST_FIRST(logits));
        return out;
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
