package sealjvm.seal.rollout;

import sealjvm.seal.Setup;
import sealjvm.seal.policy.ContentSignal;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.task.Task;

/**
 * One episode of the generator method as the driver has it: its index and the generator's parameters (all a remote
 * worker needs, since the episode, its context and its noise follow from the seed and the index), and the driver's
 * own draw of them (what the local engine uses): its model, task and reward, the episode, the generator's forward on the context, the content
 * signal (null for the MLP policy) and the K noise vectors; {@code generalBase}: the unedited model's general-text
 * log-likelihood, which the driver computes once per run (NaN: each batch scores it).
 */
public record GeneratorEpisode(int index, double[] theta, int samples, Setup setup, EditGenerator generator, Task.Episode episode,
                               EditGenerator.Forward forward, ContentSignal.Directions directions, double[][] noise, double generalBase) {
    /** An episode whose rollouts score the unedited model's general text in their batch ({@code generalBase} NaN). */
    public GeneratorEpisode(int index, double[] theta, int samples, Setup setup, EditGenerator generator, Task.Episode episode,
                            EditGenerator.Forward forward, ContentSignal.Directions directions, double[][] noise) {
        this(index, theta, samples, setup, generator, episode, forward, directions, noise, Double.NaN);
    }
}
