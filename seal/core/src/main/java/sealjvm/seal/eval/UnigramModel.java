package sealjvm.seal.eval;

/**
 * The baseline a language model must beat: add-one (Laplace) smoothed unigram frequencies,
 * p(w) = (count(w) + 1) / (N + V), N the training tokens, V the vocabulary size. Every token,
 * seen or not, gets a non-zero probability, so its perplexity is always finite.
 */
public final class UnigramModel {
    private final long[] counts;
    private final long total;

    private UnigramModel(long[] counts, long total) {
        this.counts = counts;
        this.total = total;
    }

    /** Counts of {@code ids} over a vocabulary of {@code vocabSize} tokens. */
    public static UnigramModel fit(int[] ids, int vocabSize) {
        long[] counts = new long[vocabSize];
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            counts[id]++;
        }
        return new UnigramModel(counts, ids.length);
    }

    /** A model from a count table (index: token id). */
    public static UnigramModel ofCounts(long[] counts) {
        long total = 0;
        for (long c : counts) total += c;
        return new UnigramModel(counts.clone(), total);
    }

    public int vocabSize() { return counts.length; }

    /** log p(id) = log((count + 1) / (N + V)). */
    public double logProb(int id) {
        return Math.log((counts[id] + 1.0) / ((double) total + counts.length));
    }

    /**
     * Perplexity on the positions {@link Perplexity#isTarget} picks for windows of {@code context}, so
     * that it is comparable with {@link Perplexity#evaluate} on the same stream.
     */
    public Perplexity.Result evaluate(int[] ids, int context) {
        double sum = 0;
        long predicted = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!Perplexity.isTarget(i, context)) continue;
            if (ids[i] < 0 || ids[i] >= counts.length) throw new IllegalArgumentException("token id " + ids[i] + " is outside the vocabulary [0, " + counts.length + ")");
            sum -= logProb(ids[i]);
            predicted++;
        }
        return Perplexity.Result.of(ids.length, predicted, sum, context);
    }
}
