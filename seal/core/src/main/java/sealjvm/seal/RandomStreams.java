package sealjvm.seal;

import java.util.SplittableRandom;

/**
 * Independent random streams derived from a seed and an index (SplitMix64's finalizer over both), so that every
 * episode, sample and fine-tune draws from its own stream and a resumed run replays exactly.
 */
public final class RandomStreams {
    private RandomStreams() {}

    /** A seed for stream {@code i} of {@code seed}. */
    public static long mix(long seed, long i) {
        long z = seed * 0x9E3779B97F4A7C15L + (i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The random stream of one episode. */
    public static SplittableRandom episode(long seed, long episode) { return new SplittableRandom(mix(seed, episode)); }
}
