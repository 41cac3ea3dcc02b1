package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.Progress;
import sealjvm.seal.RunDir;
import sealjvm.seal.SealEval;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.Trainer;
import sealjvm.testsupport.ChildJvm;
import sealjvm.testsupport.Repo;

/** A training run killed at a random moment resumes to exactly the metrics of an uninterrupted run. */
class TrainResumeTest {
    static Path home;

    @BeforeAll
    static void findHome() {
        home = Repo.root();
        assertNotNull(home);
    }

    static TrainConfig tiny(int episodes) {
        return TrainConfig.builder(TrainConfig.TaskName.FACTS, home.resolve("weights/models/gpt2-tiny-random").toString()).targets("h.1.mlp.c_proj")
                .rank(2).alpha(2f).samples(3).episodes(episodes).seed(9).hidden(16).initStd(0.02).entropyBonus(0.01).lambdaNorm(0.001)
                .data(TrainConfig.DataSource.SAMPLE).build();
    }

    static List<JsonNode> withoutTiming(List<JsonNode> metrics) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : metrics) { ObjectNode c = n.deepCopy(); c.remove("seconds"); out.add(c); }
        return out;
    }

    @Test
    void killedRunResumesToTheSameMetrics(@TempDir Path tmp) throws Exception {
        int episodes = 12;
        List<JsonNode> straight = Trainer.train(tiny(episodes), home, tmp.resolve("straight"), Progress.NONE);
        assertEquals(episodes, straight.size());

        // The same run in a child JVM, killed (SIGKILL) once a random number of episodes is on disk.
        Path killed = tmp.resolve("killed");
        new RunDir(killed).writeConfig(tiny(episodes));
        Process p = new ProcessBuilder(ChildJvm.command(List.of("-Dseal.home=" + home), "sealjvm.seal.cli.SealCli",
                "train", "--resume", killed.toString(), "--no-progress"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        int killAfter = 2 + new java.util.Random().nextInt(episodes - 4);
        Path metrics = killed.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline
                && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < killAfter)) {
            Thread.sleep(20);
        }
        Thread.sleep(new java.util.Random().nextInt(200));          // somewhere inside the next episode
        p.destroyForcibly().waitFor();
        int done = new RunDir(killed).readMetrics().size();
        assertTrue(done < episodes, "the child finished before it was killed; log: " + Files.readString(tmp.resolve("child.log")));

        CliHarness.Result r = CliHarness.cli("train", "--resume", killed.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> resumed = new RunDir(killed).readMetrics();
        assertEquals(withoutTiming(straight), withoutTiming(resumed), "resumed after " + done + " episodes");
        assertTrue(Files.size(killed.resolve("reward_curve.png")) > 1000);
        assertFalse(Files.list(killed).anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left behind");
    }

    @Test
    void refusesToOverwriteARun(@TempDir Path tmp) throws Exception {
        Trainer.train(tiny(1), home, tmp, Progress.NONE);
        var e = assertThrows(IllegalArgumentException.class, () -> Trainer.train(tiny(1), home, tmp, Progress.NONE));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    /** A recipe for the controls small enough for a test (the defaults fit hundreds of steps). */
    static final sealjvm.seal.eval.Baselines.Recipe QUICK = new sealjvm.seal.eval.Baselines.Recipe(8, 3, 4, 3e-3, new int[] {1, 2}, new double[] {1e-3}, 2);

    @Test
    void evalReportsEveryArmWithClusteredIntervals(@TempDir Path tmp) throws Exception {
        Trainer.train(tiny(3), home, tmp, Progress.NONE);
        var out = SealEval.evaluate(home, tmp, 6, 3, QUICK);
        assertEquals(6, out.get("episodes").asInt());
        for (String arm : List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "trained")) {
            for (String m : List.of("accuracy", "gain", "margin", "reward")) assertTrue(out.get("arms").get(arm).get(m).isNumber(), arm + " " + m);
        }
        assertEquals(0.0, out.get("arms").get("no_edit").get("gain").doubleValue());
        assertEquals(0.0, out.get("arms").get("no_edit").get("reward").doubleValue());
        for (String m : List.of("accuracy", "gain", "margin", "reward")) {
            for (String arm : List.of("no_edit", "static_edit", "shuffled_context", "sft_passage")) {
                JsonNode ci = out.get("ci95").get(m).get("trained_minus_" + arm);
                double d = out.get("arms").get("trained").get(m).doubleValue() - out.get("arms").get(arm).get(m).doubleValue();
                assertTrue(ci.get(0).doubleValue() <= d + 1e-12 && d <= ci.get(1).doubleValue() + 1e-12, m + " " + arm + ": " + out);
            }
        }
        assertTrue(Files.exists(tmp.resolve("static_edit/adapter_config.json")), "the static edit is kept with the run");
        assertTrue(Files.exists(tmp.resolve("sft_passage.json")));
        ObjectNode again = SealEval.evaluate(home, tmp, 6, 3, QUICK);
        out.remove("seconds");
        again.remove("seconds");
        assertEquals(out, again, "eval is deterministic, and the kept controls are the ones it fitted");
    }

    @Test
    void sequentialEditsRestoreTheWeightsAndReportEachStep(@TempDir Path tmp) throws Exception {
        Trainer.train(tiny(2), home, tmp, Progress.NONE);
        CliHarness.Result refused = CliHarness.cli("eval", "--run", tmp.toString(), "--draws", "2");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("--draws: only for the arms of text runs"), refused.err());
        CliHarness.Result r = CliHarness.cli("eval", "--run", tmp.toString(), "--sequential", "3", "--seed", "5", "--ppl-tokens", "0");
        assertEquals(0, r.code(), r.err());
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String l : r.out().strip().split("\n")) lines.add(json.readTree(l));
        JsonNode sum = lines.removeLast().get("sequential");
        assertEquals(6, lines.size(), "3 steps x 2 arms");
        for (int i = 0; i < 3; i++) assertEquals(i + 1, lines.get(i).get("accuracy").size());
        for (String arm : List.of("trained", "sft_passage")) {
            assertTrue(sum.get(arm).get("kept").asInt() <= sum.get(arm).get("learned").asInt());
            assertTrue(Files.size(tmp.resolve("sequential-" + arm + ".png")) > 1000);
            assertTrue(Files.size(tmp.resolve("sequential-" + arm + "-gain.png")) > 1000);
        }
    }
}
