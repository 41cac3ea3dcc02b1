package sealjvm.seal.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.Progress;
import sealjvm.seal.Trainer;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.rollout.Engine;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.text.TextSealTrainer;

/** The Spark engine in local[2,4] (tasks on two threads of this JVM, four tries each): the local run's results, bit for bit. */
class SparkRolloutEngineTest {
    static final String MASTER = "local[2,4]";

    @Test
    void theCliFindsTheEngineOnTheClassPath() {
        assertInstanceOf(SparkRolloutEngine.Provider.class, RolloutEngine.provider(Engine.SPARK));
    }

    @Test
    void jvmOptionsHoldSparksModuleOptions() throws Exception {
        List<String> ours = Files.readAllLines(Path.of("jvm.options"));
        for (String o : org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptionArray()) assertTrue(ours.contains(o), "jvm.options lacks " + o);
    }

    @Test
    void generatorRunMatchesTheLocalRunForAnyPartitioningAndSurvivesAFailedTask(@TempDir Path tmp) throws Exception {
        var c = Runs.generator(4, 4, EditPolicy.MLP);
        List<JsonNode> local = Trainer.train(c, Runs.home(), tmp.resolve("local"), Progress.NONE);
        for (int partitions : new int[] {1, 3}) {
            Path out = tmp.resolve("spark" + partitions);
            Path marker = tmp.resolve("failed" + partitions);
            System.setProperty(SparkRolloutEngine.FAIL_ONCE, marker + "@2");
            List<JsonNode> spark;
            try {
                spark = Trainer.train(c, Runs.home(), out, Progress.NONE, job -> new SparkRolloutEngine(job, MASTER, partitions));
            } finally {
                System.clearProperty(SparkRolloutEngine.FAIL_ONCE);
            }
            assertTrue(Files.exists(marker), "a task of episode 2 failed once and was retried");
            assertEquals(Runs.withoutTiming(local), Runs.withoutTiming(spark), partitions + " partitions");
            assertArrayEquals(Files.readAllBytes(tmp.resolve("local/checkpoint.safetensors")), Files.readAllBytes(out.resolve("checkpoint.safetensors")));
        }
    }

    @Test
    void generatorResumedOnSparkMatchesTheLocalRun(@TempDir Path tmp) throws Exception {
        var c = Runs.generator(3, 3, EditPolicy.MLP, "constant");
        List<JsonNode> local = Trainer.train(c, Runs.home(), tmp.resolve("local"), Progress.NONE);
        // A driver that stopped after 2 episodes (a constant learning rate: the planned length does not change them), resumed on Spark.
        var first = Runs.generator(2, 3, EditPolicy.MLP, "constant");
        Trainer.train(first, Runs.home(), tmp.resolve("spark"), Progress.NONE, job -> new SparkRolloutEngine(job, MASTER, 2));
        new sealjvm.seal.RunDir(tmp.resolve("spark")).writeConfig(c);
        List<JsonNode> resumed = Trainer.resume(Runs.home(), tmp.resolve("spark"), Progress.NONE, job -> new SparkRolloutEngine(job, MASTER, 2));
        assertEquals(Runs.withoutTiming(local), Runs.withoutTiming(resumed));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("local/checkpoint.safetensors")), Files.readAllBytes(tmp.resolve("spark/checkpoint.safetensors")));
    }

    @Test
    void aWorkerThatCannotLoadTheModelFailsTheRunWithOneLine(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-such-model");
        var c = Runs.generator(1, 2, EditPolicy.MLP);
        var bad = new sealjvm.seal.TrainConfig(c.task(), missing.toString(), c.targets(), c.rank(), c.alpha(), c.samples(), c.episodes(), c.lr(), c.lrSchedule(),
                c.seed(), c.hidden(), c.initStd(), c.entropyBonus(), c.baseline(), c.emaDecay(), c.clip(), c.lambdaForget(), c.lambdaNorm(), c.data(), c.dataSeed());
        var job = new sealjvm.seal.rollout.RolloutJob(sealjvm.seal.rollout.RolloutJob.Method.GENERATOR,
                new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(bad), Runs.home().toString(), tmp.toString());
        try (var engine = new SparkRolloutEngine(job, "local[1,2]", 1)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> engine.generator(
                    new sealjvm.seal.rollout.GeneratorEpisode(0, new double[1], 2, null, null, null, null, null, null)));
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
            assertTrue(e.getMessage().startsWith("spark: ") && e.getMessage().contains("no-such-model"), e.getMessage());
        }
    }

    @Test
    void aBadMasterIsOneLineAndLeavesNoRun(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Trainer.train(Runs.generator(1, 2, EditPolicy.MLP), Runs.home(), out, Progress.NONE, job -> new SparkRolloutEngine(job, "bogus[1]", 0)));
        assertEquals("spark: Could not parse Master URL: 'bogus[1]'", e.getMessage());
        assertTrue(!Files.exists(out.resolve("config.json")) && !Files.exists(out.resolve("checkpoint.safetensors")), "no run left behind");
    }

    @Test
    void textRunMatchesTheLocalRun(@TempDir Path tmp) throws Exception {
        var c = Runs.text(2);
        List<JsonNode> local = TextSealTrainer.train(c, Runs.home(), tmp.resolve("local"), Progress.NONE);
        List<JsonNode> spark = TextSealTrainer.train(c, Runs.home(), tmp.resolve("spark"), Progress.NONE, job -> new SparkRolloutEngine(job, MASTER, 0));
        assertEquals(Runs.withoutTiming(local), Runs.withoutTiming(spark));
        for (String f : new String[] {"policy-round-1/adapter_model.safetensors", "policy-round-2/adapter_model.safetensors", "state.json"}) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("local").resolve(f)), Files.readAllBytes(tmp.resolve("spark").resolve(f)), f);
        }
    }
}
