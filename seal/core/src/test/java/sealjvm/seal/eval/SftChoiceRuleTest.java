package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a grid point is chosen from the heldout rewards: the best, or the fewest steps within a tolerance of it. */
class SftChoiceRuleTest {
    static final List<Baselines.SftChoice> GRID = List.of(
            new Baselines.SftChoice(10, 1e-2, 0), new Baselines.SftChoice(20, 3e-3, 0), new Baselines.SftChoice(20, 1e-2, 0),
            new Baselines.SftChoice(40, 1e-2, 0), new Baselines.SftChoice(80, 1e-2, 0));

    @Test
    void theBestWithoutAToleranceAndTheFewestStepsWithinItWithOne() {
        double[] rewards = {5.46, 6.09, 6.51, 6.56, 6.68};   // one seed's grid, rounded
        assertEquals(4, Baselines.Recipe.DEFAULT.choose(GRID, rewards), "DEFAULT: the best (80 steps)");
        assertEquals(2, Baselines.Recipe.TEXT_INNER.choose(GRID, rewards), "5%: 20 steps at 1e-2 (6.51 >= 6.68 - 0.33), not 10 (5.46)");
        double[] clearWin = {5.46, 6.09, 6.00, 6.56, 7.50};
        assertEquals(4, Baselines.Recipe.TEXT_INNER.choose(GRID, clearWin), "a longer budget that wins by more than 5% is kept");
        double[] tie = {5.46, 6.60, 6.50, 6.56, 6.68};
        assertEquals(1, Baselines.Recipe.TEXT_INNER.choose(GRID, tie), "among the fewest steps within it, the higher reward");
        double[] negative = {-3.0, -2.1, -2.0, -1.95, -4.0};
        assertEquals(2, Baselines.Recipe.TEXT_INNER.choose(GRID, negative), "a negative best: the floor is below it (-1.95 - 0.0975), so -2.0 is in and -2.1 out");
    }

    @Test
    void aToleranceOutsideZeroToOneIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Baselines.Recipe(1, 1, 1, 1e-3, new int[] {1}, new double[] {1e-3}, 1, 0, 1.5));
        assertEquals("sft tolerance must be in [0, 1), got 1.5", e.getMessage());
    }
}
