package sealjvm.seal.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of a mean over units that come in clusters (the questions of one passage, say): whole
 * clusters are resampled with replacement and the statistic is Σ values / Σ units of the resample, so units of one
 * cluster — which share their passage and are not independent — move together, as they do between samples.
 */
public final class ClusteredBootstrap {
    public static final int RESAMPLES = 10_000;

    private ClusteredBootstrap() {}

    /** The 95% interval of the mean over all units; {@code clusters[c]} holds the values of cluster c's units. */
    public static double[] ci95(double[][] clusters, long seed) {
        return interval(clusters, seed, RESAMPLES, 0.95);
    }

    /** The central {@code level} interval from {@code resamples} cluster resamples, seeded. */
    public static double[] interval(double[][] clusters, long seed, int resamples, double level) {
        return interval(clusters, new int[clusters.length], seed, resamples, level);
    }

    /**
     * The 95% interval when the clusters come from separate strata (runs of different seeds, each judged on its own
     * passages): each resample draws every stratum's clusters from that stratum only, as many as it has, so the
     * design (so many passages per run) is kept. {@code stratum[c]} is cluster c's stratum, 0..S−1.
     */
    public static double[] ci95(double[][] clusters, int[] stratum, long seed) {
        return interval(clusters, stratum, seed, RESAMPLES, 0.95);
    }

    /** As {@link #ci95(double[][], int[], long)} with the resamples and level given; one stratum is the plain bootstrap. */
    public static double[] interval(double[][] clusters, int[] stratum, long seed, int resamples, double level) {
        int n = clusters.length;
        if (n == 0) throw new IllegalArgumentException("bootstrap of no clusters");
        if (stratum.length != n) throw new IllegalArgumentException("bootstrap: " + stratum.length + " strata labels for " + n + " clusters");
        double[] sum = new double[n];
        int[] count = new int[n];
        for (int c = 0; c < n; c++) {
            for (double v : clusters[c]) sum[c] += v;
            count[c] = clusters[c].length;
        }
        int strata = 0;
        for (int s : stratum) {
            if (s < 0) throw new IllegalArgumentException("bootstrap: stratum " + s);
            strata = Math.max(strata, s + 1);
        }
        int[][] members = new int[strata][];
        int[] size = new int[strata];
        for (int s : stratum) size[s]++;
        for (int s = 0; s < strata; s++) members[s] = new int[size[s]];
        int[] fill = new int[strata];
        for (int c = 0; c < n; c++) members[stratum[c]][fill[stratum[c]]++] = c;
        SplittableRandom rng = new SplittableRandom(seed ^ 0xB007L);
        double[] stats = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            double s = 0;
            long k = 0;
            for (int[] m : members) {
                for (int i = 0; i < m.length; i++) {
                    int c = m[rng.nextInt(m.length)];
                    s += sum[c];
                    k += count[c];
                }
            }
            stats[b] = k == 0 ? 0 : s / k;
        }
        Arrays.sort(stats);
        int lo = (int) Math.floor((1 - level) / 2 * resamples), hi = (int) Math.ceil((1 + level) / 2 * resamples) - 1;
        return new double[] {stats[lo], stats[Math.min(resamples - 1, hi)]};
    }

    /** The mean over all units of all clusters. */
    public static double mean(double[][] clusters) {
        double s = 0;
        long k = 0;
        for (double[] c : clusters) {
            for (double v : c) s += v;
            k += c.length;
        }
        return k == 0 ? Double.NaN : s / k;
    }
}
