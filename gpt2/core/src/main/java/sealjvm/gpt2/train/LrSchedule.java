package sealjvm.gpt2.train;

/**
 * Linear warmup to {@code max} over {@code warmup} steps, then a cosine decay to {@code min} at {@code total}
 * (nanoGPT's schedule). Step s is 0-based: lr(s) = max·(s+1)/warmup during warmup, then
 * min + ½·(max − min)·(1 + cos(π·(s − warmup)/(total − warmup))), and min after {@code total}.
 */
public record LrSchedule(double max, double min, int warmup, int total) {
    public LrSchedule {
        if (!(max > 0) || min < 0 || min > max) throw new IllegalArgumentException("learning rates: max " + max + ", min " + min);
        if (warmup < 0 || total < 1 || warmup > total) throw new IllegalArgumentException("warmup " + warmup + " / total " + total + " steps");
    }

    public double at(int step) {
        if (step < warmup) return max * (step + 1) / warmup;
        if (step >= total) return min;
        double progress = (double) (step - warmup) / (total - warmup);
        return min + 0.5 * (max - min) * (1 + Math.cos(Math.PI * progress));
    }
}
