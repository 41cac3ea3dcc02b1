package sealjvm.gpt2;

import java.util.SplittableRandom;
import sealjvm.tensor.Tensor;

/** GPT-2-style random parameters made in-process (benchmarks, tests): N(0, 0.02) weights, layernorm gain 1, bias 0. */
public final class RandomInit {
    private RandomInit() {}

    /** Fills every parameter of {@code p}, deterministically from {@code seed}. */
    public static void fill(Gpt2Params p, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        for (var e : p.byName().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            SplittableRandom r = root.split();
            if (name.contains("ln_") && name.endsWith(".weight")) {
                t.fill(1f);
            } else if (name.endsWith(".bias")) {
                t.fill(0f);
            } else {
                long n = t.size();
                for (long i = 0; i < n; i++) t.set(i, (float) (r.nextGaussian() * 0.02));
            }
        }
    }
}
