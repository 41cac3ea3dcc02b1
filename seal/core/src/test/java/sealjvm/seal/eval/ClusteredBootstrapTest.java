package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Coverage on synthetic clustered data with a known mean: units within a cluster share a cluster effect, so the
 * clustered interval must cover the true mean about 95% of the time, where an interval that resamples units as if
 * independent covers it far less often.
 */
class ClusteredBootstrapTest {
    static double[][] sample(SplittableRandom rng, int clusters, double mean) {
        double[][] out = new double[clusters][];
        for (int c = 0; c < clusters; c++) {
            double effect = rng.nextGaussian();   // shared by the cluster's units
            out[c] = new double[2 + rng.nextInt(3)];
            for (int u = 0; u < out[c].length; u++) out[c][u] = mean + effect + 0.3 * rng.nextGaussian();
        }
        return out;
    }

    @Test
    void clusteredIntervalsCoverTheTrueMeanAndUnitIntervalsDoNot() {
        SplittableRandom rng = new SplittableRandom(42);
        int trials = 300, clustered = 0, naive = 0;
        for (int t = 0; t < trials; t++) {
            double[][] x = sample(rng, 40, 1.5);
            double[] ci = ClusteredBootstrap.interval(x, t, 1000, 0.95);
            if (ci[0] <= 1.5 && 1.5 <= ci[1]) clustered++;
            int n = 0;
            for (double[] c : x) n += c.length;
            double[][] units = new double[n][];
            int k = 0;
            for (double[] c : x) for (double v : c) units[k++] = new double[] {v};
            double[] ui = ClusteredBootstrap.interval(units, t, 1000, 0.95);
            if (ui[0] <= 1.5 && 1.5 <= ui[1]) naive++;
        }
        double cov = (double) clustered / trials, covNaive = (double) naive / trials;
        assertTrue(cov > 0.90 && cov < 0.99, "clustered coverage " + cov);
        assertTrue(covNaive < 0.85, "unit-level coverage " + covNaive + " should fall short on clustered data");
    }

    @Test
    void meanIsOverUnitsAndIntervalIsOrdered() {
        double[][] x = {{1, 2, 3}, {10}};
        assertEquals(4.0, ClusteredBootstrap.mean(x), 1e-12);
        double[] ci = ClusteredBootstrap.ci95(x, 1);
        assertTrue(ci[0] <= ci[1] && ci[0] >= 2 && ci[1] <= 10);
    }

    @Test
    void oneStratumIsThePlainBootstrapBitForBit() {
        double[][] x = sample(new SplittableRandom(5), 30, 0.2);
        double[] plain = ClusteredBootstrap.ci95(x, 9);
        double[] strat = ClusteredBootstrap.ci95(x, new int[x.length], 9);
        assertEquals(plain[0], strat[0], 0.0);
        assertEquals(plain[1], strat[1], 0.0);
    }

    @Test
    void strataWithDifferentMeansGiveANarrowerIntervalThanPoolingThemBlindly() {
        // Two runs whose episodes differ by a run effect: resampling within each run keeps each run's share, so the
        // run effect adds no spread; resampling the union lets the share move and widens the interval.
        SplittableRandom rng = new SplittableRandom(3);
        double[][] a = sample(rng, 50, 0.0), b = sample(rng, 50, 6.0);
        double[][] x = new double[100][];
        int[] stratum = new int[100];
        for (int c = 0; c < 50; c++) {
            x[c] = a[c];
            x[50 + c] = b[c];
            stratum[50 + c] = 1;
        }
        double[] blind = ClusteredBootstrap.ci95(x, 1), strat = ClusteredBootstrap.ci95(x, stratum, 1);
        double mean = ClusteredBootstrap.mean(x);
        assertTrue(strat[0] <= mean && mean <= strat[1], "the interval holds the mean");
        assertTrue(strat[1] - strat[0] < 0.8 * (blind[1] - blind[0]), "stratified " + (strat[1] - strat[0]) + " against " + (blind[1] - blind[0]));
    }

    @Test
    void badStrataLabelsAreRefused() {
        double[][] x = {{1}, {2}};
        assertThrows(IllegalArgumentException.class, () -> ClusteredBootstrap.ci95(x, new int[] {0}, 1));
        assertThrows(IllegalArgumentException.class, () -> ClusteredBootstrap.ci95(x, new int[] {0, -1}, 1));
    }
}
