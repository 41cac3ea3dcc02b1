package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evals kept by runs of one recipe under different seeds, pooled; and what may not be pooled. */
class EvalPoolTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ARMS = List.of("no_edit", "sft_passage", "trained");

    /** A run folder with a config of {@code seed} and {@code rounds}, and an eval of episodes first..first+n−1 kept in it. */
    static Path run(Path root, String name, long seed, int rounds, int first, int n, double trainedShift) throws Exception {
        Path dir = root.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"method\":\"text\",\"task\":\"facts\",\"rounds\":" + rounds + ",\"seed\":" + seed + "}");
        ArmResults r = new ArmResults(ARMS, "trained");
        SplittableRandom rng = new SplittableRandom(seed * 31 + first);
        for (int e = 0; e < n; e++) {
            int units = 2 + rng.nextInt(3);
            String[] groups = new String[units];
            double[] acc0 = new double[units], accS = new double[units], accT = new double[units], gS = new double[units], gT = new double[units];
            for (int u = 0; u < units; u++) {
                groups[u] = u % 2 == 0 ? "capital" : "river";
                accS[u] = rng.nextDouble() < 0.5 ? 1 : 0;
                accT[u] = rng.nextDouble() < 0.5 + trainedShift ? 1 : 0;
                gS[u] = rng.nextGaussian();
                gT[u] = gS[u] + trainedShift + 0.1 * rng.nextGaussian();
            }
            r.episode(first + e, groups);
            r.add("no_edit", acc0, new double[units], acc0, 0);
            r.add("sft_passage", accS, gS, gS, 0);
            r.add("trained", accT, gT, gT, 0);
        }
        ObjectNode summary = JSON.createObjectNode();
        summary.put("method", "text").put("task", "facts").put("episodes", n).put("first_episode", first).put("seed", 7).put("primary", "trained_minus_sft_passage");
        summary.setAll(r.toJson(7));
        EvalPool.write(dir, summary, dir, seed, r, null);
        return dir;
    }

    @Test
    void poolsEveryEpisodeOfEveryRunWithIntervalsStratifiedByRun(@TempDir Path tmp) throws Exception {
        Path a = run(tmp, "s1", 1, 2, 0, 40, 0.2), b = run(tmp, "s2", 2, 2, 40, 40, 0.2), c = run(tmp, "s3", 3, 2, 80, 40, 0.2);
        ObjectNode p = EvalPool.pool(List.of(a, b, c), 7);
        assertEquals(120, p.get("episodes").asInt());
        assertEquals(3, p.get("runs").size());
        assertEquals(40, p.get("runs").get(1).get("first_episode").asInt());
        // The pooled mean is the mean over all units of all runs.
        double sum = 0;
        long units = 0;
        for (Path r : List.of(a, b, c)) {
            for (JsonNode ep : JSON.readTree(r.resolve(EvalPool.EVAL_FILE).toFile()).get("per_episode")) {
                for (JsonNode v : ep.get("arms").get("trained").get("gain")) { sum += v.asDouble(); units++; }
            }
        }
        assertEquals(sum / units, p.get("arms").get("trained").get("gain").asDouble(), 1e-12);
        JsonNode ci = p.get("ci95").get("gain").get("trained_minus_sft_passage");
        double d = p.get("arms").get("trained").get("gain").asDouble() - p.get("arms").get("sft_passage").get("gain").asDouble();
        assertTrue(ci.get(0).asDouble() <= d && d <= ci.get(1).asDouble(), ci + " holds " + d);
        assertTrue(ci.get(0).asDouble() > 0.15 && ci.get(1).asDouble() < 0.25, "the shift of 0.2 with unit noise 0.1: " + ci);
        // Pooling narrows the interval against any one run's.
        JsonNode one = JSON.readTree(a.resolve(EvalPool.EVAL_FILE).toFile()).get("ci95").get("accuracy").get("trained_minus_sft_passage");
        JsonNode all = p.get("ci95").get("accuracy").get("trained_minus_sft_passage");
        assertTrue(all.get(1).asDouble() - all.get(0).asDouble() < one.get(1).asDouble() - one.get(0).asDouble(), all + " against " + one);
        assertTrue(p.get("by_group").has("capital"));
    }

    @Test
    void refusesEpisodesUsedTwiceTheSameSeedAnotherRecipeAndAMissingEval(@TempDir Path tmp) throws Exception {
        Path a = run(tmp, "s1", 1, 2, 0, 10, 0);
        Path overlap = run(tmp, "s2", 2, 2, 5, 10, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, overlap), 7));
        assertTrue(e.getMessage().contains("eval episode 5"), e.getMessage());

        Path sameSeed = run(tmp, "s1again", 1, 2, 10, 10, 0);
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, sameSeed), 7));
        assertTrue(e.getMessage().contains("seed 1"), e.getMessage());

        Path otherRecipe = run(tmp, "s3", 3, 4, 20, 10, 0);
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, otherRecipe), 7));
        assertTrue(e.getMessage().contains("\"rounds\" (2 against 4)"), e.getMessage());

        Path empty = tmp.resolve("never-evaluated");
        Files.createDirectories(empty);
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, empty), 7));
        assertTrue(e.getMessage().contains("eval.json") && e.getMessage().contains("bin/seal eval"), e.getMessage());

        Files.writeString(empty.resolve(EvalPool.EVAL_FILE), "{not json");
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, empty), 7));
        assertTrue(e.getMessage().contains("not a readable eval result"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a), 7));
        Path earlier = run(tmp, "s5", 5, 2, 40, 10, 0);
        ObjectNode k = (ObjectNode) JSON.readTree(earlier.resolve(EvalPool.EVAL_FILE).toFile());
        Files.writeString(earlier.resolve(EvalPool.EVAL_FILE), k.put("rounds_trained", 1).toString());
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, earlier), 7));
        assertTrue(e.getMessage().contains("\"rounds_trained\" is 1"), e.getMessage());
        Path twoDraws = run(tmp, "s6", 6, 2, 50, 10, 0);
        ObjectNode t = (ObjectNode) JSON.readTree(twoDraws.resolve(EvalPool.EVAL_FILE).toFile());
        Files.writeString(twoDraws.resolve(EvalPool.EVAL_FILE), t.put("draws", 2).toString());
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, twoDraws), 7));
        assertTrue(e.getMessage().contains("s6") && e.getMessage().contains("\"draws\" is 2"), e.getMessage());
        Files.writeString(twoDraws.resolve(EvalPool.EVAL_FILE), t.put("draws", 1).toString());
        assertEquals(2, EvalPool.pool(List.of(a, twoDraws), 7).get("runs").size(), "\"draws\": 1 pools with an eval written before the field (one draw)");

        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, a.resolve(EvalPool.EVAL_FILE)), 7));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());

        // A kept eval edited by hand: the file and the field are named, nothing is read as zero.
        Path edited = run(tmp, "s4", 4, 2, 30, 10, 0);
        ObjectNode j = (ObjectNode) JSON.readTree(edited.resolve(EvalPool.EVAL_FILE).toFile());
        ((ObjectNode) j.get("per_episode").get(3).get("arms").get("trained")).put("reward", "NaN");
        Files.writeString(edited.resolve(EvalPool.EVAL_FILE), j.toString());
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, edited), 7));
        assertTrue(e.getMessage().contains("s4") && e.getMessage().contains("episode 33, trained.reward"), e.getMessage());
        ((ObjectNode) j.get("per_episode").get(3).get("arms")).remove("trained");
        Files.writeString(edited.resolve(EvalPool.EVAL_FILE), j.toString());
        e = assertThrows(IllegalArgumentException.class, () -> EvalPool.pool(List.of(a, edited), 7));
        assertTrue(e.getMessage().contains("episode 33 has no arm trained"), e.getMessage());
    }
}
