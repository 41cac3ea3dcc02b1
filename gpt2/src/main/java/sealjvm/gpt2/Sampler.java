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
        Integer[] order = new Integer[V];
        for (int i = 0; i < V; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a])); // best first; ties keep id order
        int keep = options.topK() > 0 ? Math.min(options.topK(), V) : V;
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

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
