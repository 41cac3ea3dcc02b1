package sealjvm.seal.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.BundledModel;
import sealjvm.seal.Progress;
import sealjvm.seal.RewardFn;
import sealjvm.seal.SealLoop;
import sealjvm.seal.Setup;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.policy.EditPolicy;
import sealjvm.seal.policy.NoiseScope;
import sealjvm.testsupport.Repo;
import sealjvm.seal.text.CopyBias;
import sealjvm.seal.text.TextSeal;
import sealjvm.seal.text.TextSealConfig;
import sealjvm.seal.text.TextSealTrainer;

/**
 * Rollouts split over workers, as a distributed engine splits them (each worker with its own model, replaying an episode
 * from its index, the policy sent as plain arrays), give the one-machine run's metrics and checkpoint bit for bit.
 */
class SplitRolloutsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Samples in {@code parts} contiguous groups, each group a batch on the worker; text slots one by one in a shuffled order. */
    static final class SplitEngine implements RolloutEngine {
        final RolloutWorker worker;
        final int parts;
        final Random order = new Random(5);

        SplitEngine(RolloutJob job, int parts) { this.worker = RolloutWorker.open(job); this.parts = parts; }

        @Override
        public RewardFn.Result generator(GeneratorEpisode e) {
            List<SampleRewards> out = new ArrayList<>();
            for (int[] ks : Partitions.split(e.samples(), parts)) out.add(worker.generator(e.index(), e.theta().clone(), ks));
            return GeneratorRollouts.merge(e.samples(), out);
        }

        @Override
        public List<PassageRollout> textRound(TextSeal seal, int round, Edit policy) {
            EditData sent = policy == null ? null : EditData.of(policy);
            List<int[]> items = new ArrayList<>();
            for (int i = 0; i < seal.config.passagesPerRound(); i++) for (int s = 0; s < seal.slots(); s++) items.add(new int[] {i, s});
            Collections.shuffle(items, order);
            List<List<TextSlot>> byPassage = new ArrayList<>();
            for (int i = 0; i < seal.config.passagesPerRound(); i++) byPassage.add(new ArrayList<>());
            for (int[] it : items) byPassage.get(it[0]).add(worker.text(round, it[0], it[1], sent));
            List<PassageRollout> out = new ArrayList<>();
            for (List<TextSlot> p : byPassage) out.add(PassageRollout.merge(seal.config.samples(), seal.slots(), p));
            return out;
        }

        @Override
        public void close() { worker.close(); }
    }

    static List<JsonNode> withoutTiming(List<JsonNode> metrics) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : metrics) { ObjectNode c = n.deepCopy(); c.remove("seconds"); out.add(c); }
        return out;
    }

    static TrainConfig facts(EditPolicy policy, int samples) {
        Path home = Repo.root();
        return TrainConfig.builder(TrainConfig.TaskName.FACTS, home.resolve("weights/models").resolve(BundledModel.NAME).toString())
                .targets("h.1.attn.c_proj,h.2.mlp.c_fc").rank(2).alpha(2f).samples(samples).episodes(2).lr(1e-2)
                .lrSchedule(TrainConfig.Schedule.COSINE).seed(4).hidden(16).initStd(0.05).entropyBonus(0.01).baseline(TrainConfig.Baseline.RLOO)
                .emaDecay(0.9).clip(1.0).lambdaForget(1.0).lambdaNorm(0.001).data(TrainConfig.DataSource.SAMPLE).dataSeed(1234)
                .policy(policy).contentRank(policy == EditPolicy.MLP ? 0 : 2).build();
    }

    /** Metrics of {@code episodes} episodes and the final parameters and Adam moments, with rollouts on {@code engine} (null: local). */
    static List<Object> run(TrainConfig c, Path runDir, Integer parts) throws IOException {
        Path home = Repo.root();
        Files.createDirectories(runDir);
        // The sft policy's fine-tune, as if already chosen on the heldout split (the grid itself: TextSealTest).
        if (c.policy() == EditPolicy.SFT) Files.writeString(runDir.resolve(SealLoop.CONTENT_SFT_FILE), "{\"steps\": 2, \"lr\": 0.01, \"heldout_reward\": 0}");
        try (Setup setup = Setup.create(c, home, runDir)) {
            SealLoop.State state = SealLoop.initialState(c, setup);
            RolloutEngine engine = parts == null ? RolloutEngine.LOCAL
                    : new SplitEngine(new RolloutJob(RolloutJob.Method.GENERATOR, JSON.writeValueAsString(c), home.toString(), runDir.toString()), parts);
            List<JsonNode> metrics = new ArrayList<>();
            try (engine; SealLoop loop = new SealLoop(c, setup, state, engine, runDir)) {
                for (int e = 0; e < c.episodes(); e++) metrics.add(loop.episode());
            }
            return List.of(withoutTiming(metrics), state.generator.theta.clone(), state.adam.m.clone(), state.adam.v.clone());
        }
    }

    @Test
    void generatorRolloutsSplitAnyWayGiveTheLocalRunBitForBit(@TempDir Path tmp) throws Exception {
        for (EditPolicy policy : EditPolicy.values()) {
            TrainConfig c = facts(policy, 4);
            List<Object> local = run(c, tmp.resolve(policy + "-local"), null);
            for (int parts : policy == EditPolicy.MLP ? new int[] {3, 4} : new int[] {2}) {
                List<Object> split = run(c, tmp.resolve(policy + "-split" + parts), parts);
                assertEquals(local.get(0), split.get(0), policy + ", " + parts + " parts: metrics");
                for (int j = 1; j < 4; j++) assertArrayEquals((double[]) local.get(j), (double[]) split.get(j), policy + ", " + parts + " parts: state " + j);
            }
            // The policy did learn: the comparison is between trained generators, not two initial ones.
            assertNotEquals(0.0, ((double[]) local.get(2))[0] + ((double[]) local.get(2))[1]);
        }
    }

    @Test
    void antitheticContentNoiseRolloutsSplitGiveTheLocalRunBitForBit(@TempDir Path tmp) throws Exception {
        TrainConfig c = facts(EditPolicy.SFT, 4).toBuilder().noiseScope(NoiseScope.CONTENT).antithetic(true).build();
        List<Object> local = run(c, tmp.resolve("local"), null);
        List<Object> split = run(c, tmp.resolve("split"), 3);
        assertEquals(local.get(0), split.get(0), "metrics");
        for (int j = 1; j < 4; j++) assertArrayEquals((double[]) local.get(j), (double[]) split.get(j), "state " + j);
        List<Object> plain = run(facts(EditPolicy.SFT, 4), tmp.resolve("plain"), null);
        assertNotEquals(plain.get(0), local.get(0), "the options change the run");
    }

    @Test
    void textRolloutsSlotBySlotGiveTheLocalRunBitForBit(@TempDir Path tmp) throws Exception {
        Path home = Repo.root();
        Path model = home.resolve("weights/models").resolve(BundledModel.NAME);
        // One self-edit, one fine-tune per rollout; and the paper's lines with rewards averaged over two inner seeds,
        // sampled with a copy bias (the slots must sample the passage's self-edits as the whole rollout does), the last kept
        // by accuracy; and self-edits written a line per sentence under the word pointer, each kept pair four times in the M-step.
        for (Object[] inner : new Object[][] {{"whole", 1, CopyBias.NONE, "reward", "passage", 1}, {"lines", 2, new CopyBias(3f, 8f, CopyBias.SpanMatch.LAST_TOKEN), "reward", "passage", 1},
                {"sentences", 2, new CopyBias(3f, 16f, CopyBias.SpanMatch.SENTENCES), "accuracy", "passage", 1}, {"sentences_qa", 1, CopyBias.DEFAULT, "reward", "sentence", 4}}) {
            TextSealConfig c = new TextSealConfig("text", "facts", model.toString(), TextSealConfig.DEFAULT_PROMPT, 8, 1f, 50, 2, 2, 2, -1e9, true, "passage+edit",
                    "h.*.mlp.c_proj", 2, 4, 2, 3e-3, "h.*.mlp.c_fc", 2, 4, 1, 1e-3, 3, 11, 0, (String) inner[0], (Integer) inner[1], (CopyBias) inner[2], (String) inner[3], (String) inner[4],
                    "sentence", "unasked", (Integer) inner[5]);
            Path dir = tmp.resolve(inner[0] + "-" + inner[1]);
            List<JsonNode> local = TextSealTrainer.train(c, home, dir.resolve("local"), Progress.NONE);
            List<JsonNode> split = TextSealTrainer.train(c, home, dir.resolve("split"), Progress.NONE, job -> new SplitEngine(job, 1));
            assertEquals(withoutTiming(local), withoutTiming(split), inner[0] + ", " + inner[1] + " inner seeds");
            for (String f : new String[] {"policy-round-1/adapter_model.safetensors", "policy-round-2/adapter_model.safetensors", "state.json"}) {
                assertArrayEquals(Files.readAllBytes(dir.resolve("local").resolve(f)), Files.readAllBytes(dir.resolve("split").resolve(f)), f);
            }
        }
    }
}
