package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static final float[] LOGITS = {1f, 5f, 3f, 4f, -2f, 4.5f};

    int[] draws(Sampler.Options o, int n) {
        Sampler s = new Sampler(o);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = s.next(LOGITS);
        return out;
    }

    @Test
    void greedyPicksTheArgmax() {
        assertEquals(1, new Sampler(Sampler.Options.greedy()).next(LOGITS));
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        var a = new Sampler.Options(1.5f, 0, 1f, 7);
        assertArrayEquals(draws(a, 200), draws(a, 200));
        assertFalse(java.util.Arrays.equals(draws(a, 200), draws(new Sampler.Options(1.5f, 0, 1f, 8), 200)));
    }

    @Test
    void topKKeepsOnlyTheKBest() {
        Set<Integer> seen = new HashSet<>();
        for (int id : draws(new Sampler.Options(10f, 2, 1f, 1), 500)) seen.add(id);
        assertEquals(Set.of(1, 5), seen); // logits 5 and 4.5
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // softmax at T=1: p(1)=.50, p(5)=.30, p(3)=.18, ... : top-p .6 keeps {1, 5}
        Set<Integer> seen = new HashSet<>();
        for (int id : draws(new Sampler.Options(1f, 0, 0.6f, 3), 1000)) seen.add(id);
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void frequenciesFollowTheSoftmax() {
        int n = 20000;
        int[] counts = new int[LOGITS.length];
        for (int id : draws(new Sampler.Options(1f, 0, 1f, 11), n)) counts[id]++;
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        for (int i = 0; i < LOGITS.length; i++) {
            double p = Math.exp(LOGITS[i]) / z;
            assertEquals(p, counts[i] / (double) n, 4 * Math.sqrt(p * (1 - p) / n) + 1e-3, "token " + i);
        }
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Options(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Options(1f, -3, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Options(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler.Options(1f, 0, 1.5f, 0));
    }
}
