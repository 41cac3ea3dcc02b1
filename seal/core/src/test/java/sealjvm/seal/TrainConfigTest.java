package sealjvm.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.policy.InitialEdit;
import sealjvm.seal.policy.NoiseScope;

class TrainConfigTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aConfigWrittenBeforeTheNoiseOptionsReadsAsAllNoiseWithoutPairs() throws Exception {
        TrainConfig c = TrainConfig.builder(TrainConfig.TaskName.FACTS, "m").policy(EditPolicy.SFT).noiseScope(NoiseScope.CONTENT).antithetic(true).build();
        ObjectNode json = JSON.valueToTree(c);
        assertEquals("content", json.get("noiseScope").asText());
        assertEquals(c, JSON.treeToValue(json, TrainConfig.class));
        json.remove("noiseScope");
        json.remove("antithetic");
        json.remove("initEdit");
        TrainConfig old = JSON.treeToValue(json, TrainConfig.class);
        assertEquals(NoiseScope.ALL, old.noiseScope());
        assertFalse(old.antithetic());
        assertEquals(InitialEdit.NONE, old.initEdit());
    }

    @Test
    void aStaticStartIsWrittenReadBackAndRefusedForSpam() throws Exception {
        TrainConfig c = TrainConfig.forTask(TrainConfig.TaskName.LM, "m").initEdit(InitialEdit.STATIC).build();
        ObjectNode json = JSON.valueToTree(c);
        assertEquals("static", json.get("initEdit").asText());
        assertEquals(c, JSON.treeToValue(json, TrainConfig.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainConfig.forTask(TrainConfig.TaskName.SPAM, "m").initEdit(InitialEdit.STATIC).build());
        assertTrue(e.getMessage().contains("--init-edit static") && e.getMessage().contains("spam"), e.getMessage());
        assertEquals("--init-edit must be none or static, got 'zero'", assertThrows(IllegalArgumentException.class, () -> InitialEdit.parse("zero")).getMessage());
    }

    @Test
    void contentNoiseNeedsAContentPartAndPairsNeedAnEvenK() {
        var mlp = TrainConfig.builder(TrainConfig.TaskName.FACTS, "m").noiseScope(NoiseScope.CONTENT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, mlp::build);
        assertTrue(e.getMessage().contains("--noise-scope content"), e.getMessage());
        var odd = TrainConfig.builder(TrainConfig.TaskName.FACTS, "m").samples(5).antithetic(true);
        e = assertThrows(IllegalArgumentException.class, odd::build);
        assertTrue(e.getMessage().contains("--antithetic") && e.getMessage().contains("5"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> NoiseScope.parse("factors"));
        assertEquals("--noise-scope must be all or content, got 'factors'", bad.getMessage());
    }

    @Test
    void theFactsTaskDefaultsToTheSftGeneratorOnTheMlpsAndTheOtherTasksToThePlainOne() {
        TrainConfig facts = TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").build();
        assertEquals(EditPolicy.SFT, facts.policy());
        assertEquals(TrainConfig.MLP_TARGETS, facts.targets());
        assertEquals(NoiseScope.CONTENT, facts.noiseScope());
        assertTrue(facts.antithetic());
        assertEquals(EditPolicy.SFT.defaultEpisodes(), facts.episodes());
        // Choosing another generator brings that generator's defaults, not the sft ones.
        TrainConfig mlp = TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").policy(EditPolicy.MLP).build();
        assertEquals(NoiseScope.ALL, mlp.noiseScope());
        assertFalse(mlp.antithetic());
        assertEquals(EditPolicy.MLP.defaultEpisodes(), mlp.episodes());
        assertEquals(TrainConfig.MLP_TARGETS, mlp.targets());
        // An odd K turns the default pairs off instead of failing; asked-for pairs still fail.
        assertFalse(TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").samples(5).build().antithetic());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").samples(5).antithetic(true).build());
        assertEquals(TrainConfig.builder(TrainConfig.TaskName.SPAM, "m").build(), TrainConfig.forTask(TrainConfig.TaskName.SPAM, "m").build());
        assertEquals(InitialEdit.NONE, facts.initEdit());
        // lm: the same generator, starting at the static edit; another generator starts at zero.
        TrainConfig lm = TrainConfig.forTask(TrainConfig.TaskName.LM, "m").build();
        assertEquals(EditPolicy.SFT, lm.policy());
        assertEquals(TrainConfig.MLP_TARGETS, lm.targets());
        assertEquals(NoiseScope.CONTENT, lm.noiseScope());
        assertTrue(lm.antithetic());
        assertEquals(InitialEdit.STATIC, lm.initEdit());
        assertEquals(InitialEdit.NONE, TrainConfig.forTask(TrainConfig.TaskName.LM, "m").policy(EditPolicy.MLP).build().initEdit());
        assertEquals(InitialEdit.NONE, TrainConfig.forTask(TrainConfig.TaskName.LM, "m").initEdit(InitialEdit.NONE).build().initEdit());
        TrainConfig plain = TrainConfig.builder(TrainConfig.TaskName.FACTS, "m").build();
        assertEquals(EditPolicy.MLP, plain.policy());
        assertEquals(TrainConfig.GLOBAL_TARGETS, plain.targets());
        assertEquals(1500, plain.episodes());
    }

    @Test
    void sftPassageFineTunesAtTheRankOfThePolicysOwnContentFineTune() {
        TrainConfig mlp = TrainConfig.builder(TrainConfig.TaskName.FACTS, "m").rank(4).alpha(4).build();
        assertEquals(4, SealEval.passageRank(mlp));
        assertEquals(4f, SealEval.passageAlpha(mlp));
        assertEquals("sft_passage.json", SealEval.passageChoiceFile(mlp));
        TrainConfig sft = TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").rank(4).alpha(4).contentRank(8).build();
        assertEquals(8, SealEval.passageRank(sft));
        assertEquals(8f, SealEval.passageAlpha(sft), "scale 1, as the content fine-tune");
        assertEquals("sft_passage_rank8.json", SealEval.passageChoiceFile(sft), "not the rank-4 choice of older evals");
        TrainConfig wide = TrainConfig.forTask(TrainConfig.TaskName.FACTS, "m").rank(16).alpha(16).contentRank(8).build();
        assertEquals(16, SealEval.passageRank(wide));
        assertEquals("sft_passage.json", SealEval.passageChoiceFile(wide));
    }
}
