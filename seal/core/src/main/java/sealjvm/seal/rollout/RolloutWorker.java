package sealjvm.seal.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.Setup;
import sealjvm.seal.TrainConfig;
import sealjvm.seal.text.TextSeal;
import sealjvm.seal.text.TextSealConfig;
import sealjvm.seal.text.TextSealTrainer;

/**
 * What a worker JVM keeps for a run: its own copy of the model, task and reward, rebuilt from the {@link RolloutJob}
 * once, and the rollouts it computes from (seed, episode, sample) and the policy's parameters alone. Not for
 * concurrent use: a JVM's tasks take turns (the kernels use the JVM's cores).
 */
public final class RolloutWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GeneratorRollouts.Worker generator;   // null for a text run
    private final Gpt2Model textModel;                  // null for a generator run
    private final TextSeal text;

    private RolloutWorker(GeneratorRollouts.Worker generator, Gpt2Model textModel, TextSeal text) {
        this.generator = generator;
        this.textModel = textModel;
        this.text = text;
    }

    /** Loads the model and builds the task of {@code job}'s run. */
    public static RolloutWorker open(RolloutJob job) {
        Path home = Path.of(job.home());
        try {
            if (job.method() == RolloutJob.Method.GENERATOR) {
                TrainConfig c = JSON.readValue(job.configJson(), TrainConfig.class);
                Setup setup = Setup.create(c, home, Path.of(job.runDir()));
                try {
                    return new RolloutWorker(new GeneratorRollouts.Worker(c, setup, Path.of(job.runDir())), null, null);
                } catch (RuntimeException | IOException e) {
                    setup.close();
                    throw e;
                }
            }
            TextSealConfig c = JSON.readValue(job.configJson(), TextSealConfig.class);
            Path modelDir = Path.of(c.model());
            Gpt2Model model = Gpt2Model.load(modelDir);
            try {
                return new RolloutWorker(null, model, new TextSeal(c, model, TextSealTrainer.tokenizer(home, modelDir)));
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Generator method: samples {@code ks} of episode {@code episode} under generator parameters {@code theta}. */
    public synchronized SampleRewards generator(int episode, double[] theta, int[] ks) {
        if (generator == null) throw new IllegalStateException("a text run's worker has no generator");
        return generator.run(episode, theta, ks);
    }

    /** Text method: slot {@code slot} of passage {@code passage} of round {@code round}, policy {@code policy} (null: base). */
    public synchronized TextSlot text(int round, int passage, int slot, EditData policy) {
        if (text == null) throw new IllegalStateException("a generator run's worker has no text-SEAL");
        try (Arena arena = Arena.ofShared()) {
            return text.slot(round, passage, policy == null ? null : policy.toEdit(textModel.config, arena), slot);
        }
    }

    /** The slots of a text run's passage: K self-edits, plus the passage alone with keep-vs-passage. */
    public int textSlots() { return text.slots(); }

    @Override
    public synchronized void close() {
        if (generator != null) generator.close();
        if (text != null) text.close();
        if (textModel != null) textModel.close();
    }
}
