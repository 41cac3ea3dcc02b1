package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The secondary contrasts beside trained − ARM. */
class ArmResultsTest {
    private static final List<String> TEXT_ARMS = List.of("no_edit", "sft_passage", "untrained_self_edit", "trained");

    /** Episodes whose untrained_self_edit gain is sft_passage's plus {@code shift} on every unit. */
    private static ArmResults results(List<String> arms, double shift) {
        ArmResults r = new ArmResults(arms, "trained");
        SplittableRandom rng = new SplittableRandom(3);
        for (int e = 0; e < 30; e++) {
            int units = 2 + rng.nextInt(3);
            double[] acc = new double[units], g = new double[units], gU = new double[units], gT = new double[units];
            for (int u = 0; u < units; u++) {
                acc[u] = rng.nextDouble() < 0.5 ? 1 : 0;
                g[u] = rng.nextGaussian();
                gU[u] = g[u] + shift;
                gT[u] = g[u] + rng.nextGaussian();
            }
            String[] groups = new String[units];
            java.util.Arrays.fill(groups, "capital");
            r.episode(e, groups);
            r.add("no_edit", acc, new double[units], acc, 0);
            r.add("sft_passage", acc, g, g, 0);
            if (arms.contains("untrained_self_edit")) r.add("untrained_self_edit", acc, gU, gU, 0);
            r.add("trained", acc, gT, gT, 0);
        }
        return r;
    }

    @Test
    void untrainedSelfEditAgainstThePassageIsReportedWhenBothArmsAreEvaluated() {
        JsonNode ci = results(TEXT_ARMS, 0.3).toJson(7).get("ci95");
        JsonNode gain = ci.get("gain").get("untrained_self_edit_minus_sft_passage");
        assertEquals(0.3, gain.get(0).asDouble(), 1e-9, "a constant shift has a zero-width interval: " + gain);
        assertEquals(0.3, gain.get(1).asDouble(), 1e-9);
        JsonNode acc = ci.get("accuracy").get("untrained_self_edit_minus_sft_passage");
        assertEquals(0.0, acc.get(0).asDouble(), 0.0, "the same accuracies: " + acc);
        assertEquals(0.0, acc.get(1).asDouble(), 0.0);
        assertTrue(ci.get("reward").get("untrained_self_edit_minus_sft_passage").isArray());
        // The reference's own intervals are those of the same results without the secondary contrast's arm.
        JsonNode without = results(List.of("no_edit", "sft_passage", "trained"), 0.3).toJson(7).get("ci95");
        assertEquals(without.get("gain").get("trained_minus_sft_passage"), ci.get("gain").get("trained_minus_sft_passage"));
        assertFalse(without.get("gain").has("untrained_self_edit_minus_sft_passage"), "not reported without the arm");
    }
}
