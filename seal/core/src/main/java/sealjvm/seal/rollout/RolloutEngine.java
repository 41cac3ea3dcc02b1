package sealjvm.seal.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import sealjvm.seal.RewardFn;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.text.TextSeal;

/**
 * Where a training iteration's rollouts run. The driver keeps the policy and the optimizer and asks the engine for
 * rewards; every random stream of a rollout is a function of (seed, episode, sample), so every engine gives the same
 * numbers as {@link #LOCAL}, bit for bit.
 */
public interface RolloutEngine extends AutoCloseable {
    /** Generator method: the rewards of an episode's samples 0..K-1, in order. */
    RewardFn.Result generator(GeneratorEpisode episode);

    /** Text method: the rollouts of round {@code round}'s passages, in order, sampled from base + {@code policy} (null: base). */
    List<PassageRollout> textRound(TextSeal seal, int round, Edit policy);

    @Override
    default void close() {}

    /** In this JVM, with the driver's own model: one batch per episode or passage. */
    RolloutEngine LOCAL = new RolloutEngine() {
        @Override
        public RewardFn.Result generator(GeneratorEpisode e) {
            int[] all = new int[e.samples()];
            for (int k = 0; k < all.length; k++) all[k] = k;
            SampleRewards r = GeneratorRollouts.evaluate(e.setup(), e.generator(), e.episode(), e.forward(), e.directions(), e.noise(), all, e.generalBase());
            return GeneratorRollouts.merge(e.samples(), List.of(r));
        }

        @Override
        public List<PassageRollout> textRound(TextSeal seal, int round, Edit policy) {
            List<PassageRollout> out = new ArrayList<>();
            for (int i = 0; i < seal.config.passagesPerRound(); i++) out.add(seal.rollout(round, i, policy));
            return out;
        }
    };

    /** Starts a run's engine from what its workers need. */
    @FunctionalInterface
    interface Factory {
        RolloutEngine open(RolloutJob job);
    }

    /** An engine other than {@link Engine#LOCAL}, in a module of its own (found on the class path). */
    interface Provider {
        Engine engine();

        /** Starts the engine for a run; {@code master}: where (e.g. a Spark master URL). */
        RolloutEngine open(RolloutJob job, String master);
    }

    /** The provider of {@code engine} on the class path, or one error line saying how to get it. */
    static Provider provider(Engine engine) {
        for (Provider p : ServiceLoader.load(Provider.class)) if (p.engine() == engine) return p;
        throw new IllegalArgumentException("--engine " + engine.cliName() + ": the seal-spark module is not built; build it with "
                + "./mvnw -Pspark -pl seal/spark -am package -DskipTests (bin/seal then puts it on the class path)");
    }
}
