package sealjvm.seal.spark;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.text.TextSealConfig;

/** Small runs for the Spark tests, and how they are compared. */
final class Runs {
    private Runs() {}

    static Path home() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("weights/models/gpt2-brown-rc"))) return d;
        }
        assertNotNull(null, "no SEAL home above " + Path.of("").toAbsolutePath());
        return null;
    }

    /** local-cluster mode starts executors from SPARK_HOME (set by the pom), which must hold a jars/ folder. */
    static void sparkHome() throws IOException {
        String h = System.getenv("SPARK_HOME");
        assertNotNull(h, "SPARK_HOME (set by seal/spark/pom.xml)");
        Files.createDirectories(Path.of(h, "jars"));
    }

    static TrainConfig generator(int episodes, int samples, EditPolicy policy) { return generator(episodes, samples, policy, "cosine"); }

    static TrainConfig generator(int episodes, int samples, EditPolicy policy, String lrSchedule) {
        return TrainConfig.builder(TrainConfig.TaskName.FACTS, home().resolve("weights/models/gpt2-brown-rc").toString()).targets("h.1.attn.c_proj")
                .rank(2).alpha(2f).samples(samples).episodes(episodes).lr(1e-2).lrSchedule(TrainConfig.Schedule.parse(lrSchedule)).seed(4).hidden(16)
                .initStd(0.05).entropyBonus(0.01).baseline(TrainConfig.Baseline.RLOO).emaDecay(0.9).clip(1.0).lambdaForget(1.0).lambdaNorm(0.001)
                .data(TrainConfig.DataSource.SAMPLE).dataSeed(1234).policy(policy).contentRank(policy == EditPolicy.MLP ? 0 : 2).build();
    }

    static TextSealConfig text(int rounds) {
        return new TextSealConfig("text", "facts", home().resolve("weights/models/gpt2-brown-rc").toString(), TextSealConfig.DEFAULT_PROMPT, 8, 1f, 50, 2,
                rounds, 2, -1e9, true, "passage+edit", "h.*.mlp.c_proj", 2, 4, 2, 3e-3, "h.*.mlp.c_fc", 2, 4, 1, 1e-3, 3, 11, 0, "whole", 1, null, null, null, null, null, null);
    }

    static List<JsonNode> withoutTiming(List<JsonNode> metrics) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : metrics) { ObjectNode c = n.deepCopy(); c.remove("seconds"); out.add(c); }
        return out;
    }
}
