package sealjvm.seal.rollout;

/** How an episode's samples are cut into groups for workers: contiguous, sizes differing by at most one. */
public final class Partitions {
    private Partitions() {}

    /** Samples 0..n-1 in {@code min(parts, n)} contiguous ascending groups. */
    public static int[][] split(int n, int parts) {
        if (n < 1 || parts < 1) throw new IllegalArgumentException("need n >= 1 and parts >= 1, got " + n + " and " + parts);
        int p = Math.min(parts, n);
        int[][] out = new int[p][];
        for (int g = 0, next = 0; g < p; g++) {
            int size = n / p + (g < n % p ? 1 : 0);
            out[g] = new int[size];
            for (int j = 0; j < size; j++) out[g][j] = next++;
        }
        return out;
    }
}
