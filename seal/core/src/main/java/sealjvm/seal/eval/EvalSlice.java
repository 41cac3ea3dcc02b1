package sealjvm.seal.eval;

/**
 * Which eval episodes an eval reads: {@code count} consecutive ones from {@code first}. By default the run's training
 * seed picks the slice — seed 1 the first {@code count}, seed 2 the next, and so on, wrapping after {@code splitSize /
 * count} slices — so that runs of consecutive seeds are judged on different passages and their results can be pooled
 * with each passage used once ({@link EvalPool}); a slice given explicitly overrides it. A count left to the default is
 * at most a third of the split ({@link #defaultCount}), so that the three seeds of the acceptance protocol read three
 * disjoint slices even where the method's usual count does not fit three times (200 of {@code lm}'s 593 mails, of the
 * facts split's 400 passages).
 */
public record EvalSlice(int first, int count) {
    public EvalSlice {
        if (first < 0 || count < 1) throw new IllegalArgumentException("eval slice: first " + first + ", count " + count);
    }

    /** Seeds whose default slices are disjoint: the acceptance protocol's three training seeds. */
    public static final int POOLED_SEEDS = 3;

    /**
     * The count an eval reads when none is given: the method's {@code usual} count, capped at a third of the split
     * (when that third holds two episodes or more, the fewest an interval needs) and at the split.
     */
    public static int defaultCount(int usual, int splitSize) {
        int third = splitSize / POOLED_SEEDS;
        return Math.max(1, Math.min(third >= 2 ? third : splitSize, usual));
    }

    /** One past the last episode. */
    public int end() { return first + count; }

    /**
     * The slice for {@code requested} episodes (capped at the split) of a split of {@code splitSize}: from
     * {@code firstEpisode} when it is given, else by {@code runSeed} as above. The error names {@code --first-episode}.
     */
    public static EvalSlice of(Integer firstEpisode, int requested, int splitSize, long runSeed) {
        if (requested < 1) throw new IllegalArgumentException("--episodes must be >= 1, got " + requested);
        if (splitSize < 1) throw new IllegalArgumentException("the eval split is empty");
        if (firstEpisode != null) {
            if (firstEpisode < 0 || firstEpisode >= splitSize) {
                throw new IllegalArgumentException("--first-episode " + firstEpisode + ": the eval split has episodes 0.." + (splitSize - 1));
            }
            return new EvalSlice(firstEpisode, Math.min(requested, splitSize - firstEpisode));
        }
        int n = Math.min(requested, splitSize);
        int slices = splitSize / n;
        return new EvalSlice((int) Math.floorMod(runSeed - 1, (long) slices) * n, n);
    }
}
