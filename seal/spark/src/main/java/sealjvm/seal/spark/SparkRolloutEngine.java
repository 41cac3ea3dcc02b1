package sealjvm.seal.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import sealjvm.seal.RewardFn;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.rollout.EditData;
import sealjvm.seal.rollout.Engine;
import sealjvm.seal.rollout.GeneratorEpisode;
import sealjvm.seal.rollout.GeneratorRollouts;
import sealjvm.seal.rollout.Partitions;
import sealjvm.seal.rollout.PassageRollout;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.rollout.RolloutJob;
import sealjvm.seal.rollout.RolloutWorker;
import sealjvm.seal.rollout.SampleRewards;
import sealjvm.seal.rollout.TextSlot;
import sealjvm.seal.text.TextSeal;

/**
 * Rollouts on Apache Spark. The driver keeps the policy and the optimizer; each iteration (a generator episode, a
 * text round) broadcasts the policy's parameters afresh (the previous broadcast destroyed), spreads the work items
 * (groups of an episode's samples; a round's passage × slot) over the executors and collects the rewards. Each
 * executor JVM builds the run's model and task once, from paths every worker can read, and keeps them
 * ({@link #worker}). Rollouts are functions of (seed, episode, sample), so the result is the local run's, bit for bit.
 */
public final class SparkRolloutEngine implements RolloutEngine {
    /** Found by {@link java.util.ServiceLoader} when this module is on the class path. */
    public static final class Provider implements RolloutEngine.Provider {
        @Override public Engine engine() { return Engine.SPARK; }

        @Override public RolloutEngine open(RolloutJob job, String master) { return new SparkRolloutEngine(job, master, 0); }
    }

    /**
     * Test hook: {@code -Dseal.spark.failOnce=MARKER@ITERATION} makes the first task of iteration ITERATION or later
     * that creates MARKER fail once: an executor JVM exits at once, a task in the driver's JVM (local mode) throws.
     */
    public static final String FAIL_ONCE = "seal.spark.failOnce";

    private final JavaSparkContext sc;
    private final RolloutJob job;
    private final int partitions;
    private final String failOnce;

    /** {@code partitions}: work items per iteration are cut into this many tasks (0: Spark's default parallelism). */
    public SparkRolloutEngine(RolloutJob job, String master, int partitions) {
        this.job = job;
        this.failOnce = System.getProperty(FAIL_ONCE);
        SparkConf conf = new SparkConf().setMaster(master).setAppName("seal-" + job.method().name().toLowerCase(java.util.Locale.ROOT))
                .setIfMissing("spark.ui.enabled", "false")
                // Executors run the driver's code: the same jars, the same JVM flags as bin/seal.
                .setIfMissing("spark.executor.extraClassPath", absoluteClassPath())
                .setIfMissing("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m")
                .setIfMissing("spark.task.maxFailures", "4");
        this.sc = spark(() -> new JavaSparkContext(conf));
        this.partitions = partitions > 0 ? partitions : sc.defaultParallelism();
    }

    /** The driver's class path with absolute entries, so that executors started elsewhere find the same jars. */
    static String absoluteClassPath() {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) if (!e.isEmpty()) out.add(Path.of(e).toAbsolutePath().toString());
        return String.join(File.pathSeparator, out);
    }

    @Override
    public RewardFn.Result generator(GeneratorEpisode e) {
        RolloutJob job = this.job;
        String failOnce = this.failOnce;
        int index = e.index();
        Broadcast<double[]> theta = sc.broadcast(e.theta().clone());
        try {
            List<SampleRewards> parts = spark(() -> sc.parallelize(Arrays.asList(Partitions.split(e.samples(), partitions)), Math.min(partitions, e.samples()))
                    .map(ks -> {
                        failOnce(failOnce, index);
                        return worker(job).generator(index, theta.value(), ks);
                    })
                    .collect());
            return GeneratorRollouts.merge(e.samples(), parts);
        } finally {
            theta.destroy();
        }
    }

    @Override
    public List<PassageRollout> textRound(TextSeal seal, int round, Edit policy) {
        RolloutJob job = this.job;
        String failOnce = this.failOnce;
        int passages = seal.config.passagesPerRound(), slots = seal.slots();
        List<int[]> items = new ArrayList<>();
        for (int i = 0; i < passages; i++) for (int s = 0; s < slots; s++) items.add(new int[] {i, s});
        Broadcast<EditData> sent = sc.broadcast(policy == null ? null : EditData.of(policy));
        try {
            List<TextSlot> done = spark(() -> sc.parallelize(items, Math.min(partitions, items.size()))
                    .map(it -> {
                        failOnce(failOnce, round);
                        return worker(job).text(round, it[0], it[1], sent.value());
                    })
                    .collect());
            List<List<TextSlot>> byPassage = new ArrayList<>();
            for (int i = 0; i < passages; i++) byPassage.add(new ArrayList<>());
            for (TextSlot t : done) byPassage.get(t.passage()).add(t);
            List<PassageRollout> out = new ArrayList<>();
            for (List<TextSlot> p : byPassage) out.add(PassageRollout.merge(seal.config.samples(), slots, p));
            return out;
        } finally {
            sent.destroy();
        }
    }

    @Override
    public void close() { sc.close(); }

    /**
     * Runs a Spark call; a failure (a bad master URL, a job whose tasks failed every try) becomes one line: the first
     * line of Spark's message, which names the failing task's own exception.
     */
    static <T> T spark(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (Exception e) {   // Scala code throws SparkException (checked) undeclared
            if (e instanceof RuntimeException r && !e.getClass().getName().startsWith("org.apache.spark.")) throw r;
            String m = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalStateException("spark: " + m, e);
        }
    }

    private static RolloutJob cachedJob;
    private static RolloutWorker cached;

    /** This JVM's worker for {@code job}: built on the first task of the run, kept for the next ones. */
    static synchronized RolloutWorker worker(RolloutJob job) {
        if (!job.equals(cachedJob)) {
            if (cached != null) cached.close();
            cached = null;
            cached = RolloutWorker.open(job);
            cachedJob = job;
        }
        return cached;
    }

    /** The {@link #FAIL_ONCE} hook: fails this task if it is the first to reach the iteration and create the marker. */
    static void failOnce(String spec, int iteration) {
        if (spec == null) return;
        int at = spec.lastIndexOf('@');
        Path marker = Path.of(spec.substring(0, at));
        if (iteration < Integer.parseInt(spec.substring(at + 1))) return;
        try {
            Files.createFile(marker);
        } catch (FileAlreadyExistsException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if ("driver".equals(SparkEnv.get().executorId())) throw new IllegalStateException("injected task failure (" + FAIL_ONCE + ")");
        Runtime.getRuntime().halt(137);
    }
}
