package sealjvm.seal;

import java.util.Arrays;

/** The small statistics the loop and its evaluations report, each summed in index order. */
public final class Stats {
    private Stats() {}

    /** The mean; 0 for no values. */
    public static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return a.length == 0 ? 0 : s / a.length;
    }

    /** The sample standard deviation (n − 1); 0 for fewer than two values. */
    public static double std(double[] a) {
        double m = mean(a), s = 0;
        for (double x : a) s += (x - m) * (x - m);
        return a.length < 2 ? 0 : Math.sqrt(s / (a.length - 1));
    }

    /** The median (the mean of the middle two for an even count). */
    public static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    public static boolean allFinite(double[] a) {
        for (double x : a) if (!Double.isFinite(x)) return false;
        return true;
    }
}
