package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class EvalSliceTest {
    @Test
    void consecutiveSeedsGetDisjointSlicesThatCoverTheSplitThenWrap() {
        BitSet used = new BitSet();
        for (long seed = 1; seed <= 4; seed++) {
            EvalSlice s = EvalSlice.of(null, 100, 400, seed);
            assertEquals(100, s.count());
            for (int i = s.first(); i < s.end(); i++) {
                assertTrue(!used.get(i), "episode " + i + " used twice (seed " + seed + ")");
                used.set(i);
            }
        }
        assertEquals(400, used.cardinality());
        assertEquals(0, EvalSlice.of(null, 100, 400, 1).first());
        assertEquals(EvalSlice.of(null, 100, 400, 1), EvalSlice.of(null, 100, 400, 5), "a fifth seed wraps to the first slice");
        assertEquals(0, EvalSlice.of(null, 100, 400, 0).first() % 100);
        assertTrue(EvalSlice.of(null, 100, 400, Long.MIN_VALUE).end() <= 400);
    }

    @Test
    void aSliceThatDoesNotDivideTheSplitStaysInsideIt() {
        // 150 of 400: two slices (0..149, 150..299); the last 100 episodes are read only by an explicit slice.
        assertEquals(0, EvalSlice.of(null, 150, 400, 1).first());
        assertEquals(150, EvalSlice.of(null, 150, 400, 2).first());
        assertEquals(0, EvalSlice.of(null, 150, 400, 3).first());
        assertEquals(new EvalSlice(0, 400), EvalSlice.of(null, 1000, 400, 2), "more than the split: all of it");
    }

    @Test
    void anExplicitFirstEpisodeIsKeptAndTheCountCapped() {
        assertEquals(new EvalSlice(350, 50), EvalSlice.of(350, 100, 400, 3));
        assertEquals(new EvalSlice(0, 100), EvalSlice.of(0, 100, 400, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalSlice.of(400, 10, 400, 1));
        assertTrue(e.getMessage().contains("--first-episode 400") && e.getMessage().contains("0..399"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EvalSlice.of(-1, 10, 400, 1));
    }

    @Test
    void theDefaultCountLeavesThreeDisjointSlicesForSeedsOneToThree() {
        // lm's 593 eval mails: 200 fit twice, 197 three times; the facts split's 400 passages: 133 for a generator run.
        assertEquals(197, EvalSlice.defaultCount(200, 593));
        assertEquals(133, EvalSlice.defaultCount(200, 400));
        assertEquals(100, EvalSlice.defaultCount(100, 400), "a usual count that fits three times is kept");
        for (int split : new int[] {593, 400, 9, 6}) {
            int n = EvalSlice.defaultCount(200, split);
            BitSet used = new BitSet();
            for (long seed = 1; seed <= EvalSlice.POOLED_SEEDS; seed++) {
                EvalSlice s = EvalSlice.of(null, n, split, seed);
                assertTrue(s.end() <= split);
                for (int i = s.first(); i < s.end(); i++) {
                    assertTrue(!used.get(i), "split " + split + ": episode " + i + " read by two of seeds 1-3");
                    used.set(i);
                }
            }
            assertEquals(3 * n, used.cardinality());
        }
        // Too small a split for three slices of two: the whole split (capped at the usual count), as before.
        assertEquals(5, EvalSlice.defaultCount(200, 5));
        assertEquals(3, EvalSlice.defaultCount(3, 5));
        assertEquals(1, EvalSlice.defaultCount(200, 1));
    }
}
