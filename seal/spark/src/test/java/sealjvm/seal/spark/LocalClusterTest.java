package sealjvm.seal.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.Progress;
import sealjvm.seal.Trainer;
import sealjvm.seal.policy.EditPolicy;

/**
 * Two real executor JVMs (local-cluster mode: a Master and a Worker in this JVM, executors as child processes), one of
 * them killed in the middle of the run: the task is retried on a new executor and the run ends with the local metrics.
 */
@Tag("cluster")
class LocalClusterTest {
    @Test
    void executorKilledMidRunStillGivesTheLocalRun(@TempDir Path tmp) throws Exception {
        Runs.sparkHome();
        var c = Runs.generator(4, 4, EditPolicy.MLP);
        List<JsonNode> local = Trainer.train(c, Runs.home(), tmp.resolve("local"), Progress.NONE);
        Path marker = tmp.resolve("killed");
        System.setProperty(SparkRolloutEngine.FAIL_ONCE, marker + "@2");
        List<JsonNode> spark;
        try {
            spark = Trainer.train(c, Runs.home(), tmp.resolve("cluster"), Progress.NONE, job -> new SparkRolloutEngine(job, "local-cluster[2,1,1024]", 0));
        } finally {
            System.clearProperty(SparkRolloutEngine.FAIL_ONCE);
        }
        assertTrue(Files.exists(marker), "an executor exited during episode 2");
        assertEquals(Runs.withoutTiming(local), Runs.withoutTiming(spark));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("local/checkpoint.safetensors")), Files.readAllBytes(tmp.resolve("cluster/checkpoint.safetensors")));
    }
}
