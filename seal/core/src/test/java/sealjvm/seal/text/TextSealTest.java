package sealjvm.seal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.BundledModel;
import sealjvm.seal.Progress;
import sealjvm.testsupport.Repo;

/** A tiny end-to-end text-SEAL run on the bundled model: train, resume across a round, evaluate (CI, seconds). */
class TextSealTest {
    static Path home() { return sealjvm.testsupport.Repo.root(); }

    static TextSealConfig tiny(int rounds) { return tiny(rounds, 0); }

    static TextSealConfig tiny(int rounds, int warmStart) {
        Path model = home().resolve("weights/models").resolve(BundledModel.NAME);
        return TextSealConfig.builder("facts", model.toString()).editTokens(8).samples(2).rounds(rounds).passagesPerRound(2)
                .threshold(-1e9).keepVsPassage(false).innerTargets("h.*.mlp.c_proj").innerRank(2).innerAlpha(4).innerSteps(2)
                .innerLr(3e-3).policyTargets("h.*.mlp.c_fc").policyRank(2).policyAlpha(4).policyEpochs(1).policyLr(1e-3).seed(3)
                .dataSeed(11).warmStart(warmStart).build();
    }

    @Test
    void warmStartFitsRoundZerosPolicyOnRestatementsAndResumesPastIt(@TempDir Path tmp) throws Exception {
        List<JsonNode> lines = TextSealTrainer.train(tiny(1, 3), home(), tmp.resolve("warm"), Progress.NONE);
        assertEquals(2, lines.size());
        assertTrue(Files.exists(tmp.resolve("warm/policy-round-0/adapter_config.json")), "the warm-start policy");
        assertTrue(Files.exists(tmp.resolve("warm/policy-round-1/adapter_config.json")));
        JsonNode state = new ObjectMapper().readTree(tmp.resolve("warm/state.json").toFile());
        assertEquals(1, state.get("rounds_done").asInt());
        var restated = sealjvm.seal.data.Facts.restatement(sealjvm.seal.data.Facts.rcPassages(sealjvm.seal.data.Facts.RESTATE_SEED, 1).getFirst());
        assertTrue(restated.contains("? A: ") && restated.endsWith("\n"), restated);
    }

    @Test
    void innerFineTuneGetsTheBudgetChosenForSftPassageOnHeldout(@TempDir Path tmp) throws Exception {
        var grid = new sealjvm.seal.eval.Baselines.Recipe(0, 0, 1, 1e-3, new int[] {1, 3}, new double[] {1e-3, 3e-2}, 2);
        TextSealTrainer.train(tiny(0), grid, home(), tmp.resolve("run"), Progress.NONE, sealjvm.seal.rollout.EngineSpec.LOCAL);
        ObjectMapper json = new ObjectMapper();
        JsonNode cfg = json.readTree(tmp.resolve("run/config.json").toFile());
        JsonNode choice = json.readTree(tmp.resolve("run").resolve(TextSealTrainer.SFT_PASSAGE_FILE).toFile());
        assertEquals(choice.get("steps").asInt(), cfg.get("innerSteps").asInt(), "the inner fine-tune's steps are sft_passage's");
        assertEquals(choice.get("lr").asDouble(), cfg.get("innerLr").asDouble(), "the inner fine-tune's lr is sft_passage's");
        double best = Double.NEGATIVE_INFINITY;
        for (JsonNode g : choice.get("grid")) best = Math.max(best, g.get("heldout_reward").asDouble());
        assertEquals(best, choice.get("heldout_reward").asDouble(), "the grid's best heldout reward was chosen");
        assertEquals(4, choice.get("grid").size());
    }

    @Test
    void trainsResumesAcrossARoundAndEvaluates(@TempDir Path tmp) throws Exception {
        List<JsonNode> full = TextSealTrainer.train(tiny(2), home(), tmp.resolve("full"), Progress.NONE);
        assertEquals(4, full.size(), "2 rounds x 2 passages");
        for (JsonNode m : full) {
            assertTrue(Double.isFinite(m.get("reward_mean").asDouble()));
            assertTrue(m.get("kept").asBoolean(), "threshold -1e9 keeps every passage's best self-edit");
        }
        assertTrue(Files.exists(tmp.resolve("full/policy-round-2/adapter_config.json")));

        // Stop after round 1, then continue to 2 rounds: the same self-edits and rewards as the uninterrupted run.
        Path cut = tmp.resolve("cut");
        TextSealTrainer.train(tiny(1), home(), cut, Progress.NONE);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(cut.resolve("config.json").toFile());
        cfg.put("rounds", 2);
        Files.write(cut.resolve("config.json"), json.writeValueAsBytes(cfg));
        List<JsonNode> resumed = TextSealTrainer.resume(home(), cut, Progress.NONE);
        assertEquals(4, resumed.size());
        for (int i = 0; i < 4; i++) {
            for (String k : List.of("episode", "reward_mean", "reward_best", "best_self_edit")) {
                assertEquals(full.get(i).get(k), resumed.get(i).get(k), k + " of line " + i);
            }
        }

        ObjectNode eval = TextSealEval.evaluate(home(), tmp.resolve("full"), 2, 5,
                new sealjvm.seal.eval.Baselines.Recipe(4, 2, 2, 3e-3, new int[] {1}, new double[] {1e-3}, 1));
        for (String k : List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "untrained_self_edit", "trained")) {
            assertTrue(Double.isFinite(eval.get("arms").get(k).get("gain").asDouble()), k);
            assertTrue(Double.isFinite(eval.get("arms").get(k).get("margin").asDouble()), k);
        }
        assertTrue(Double.isFinite(eval.get("diagnostics").get("oracle_qa_self_edit").get("gain").asDouble()));
        assertEquals(2, eval.get("ci95").get("accuracy").get("trained_minus_sft_passage").size());
        assertEquals(2, eval.get("rounds_trained").asInt());
    }
}
