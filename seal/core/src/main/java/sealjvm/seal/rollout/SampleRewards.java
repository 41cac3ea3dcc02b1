package sealjvm.seal.rollout;

import java.io.Serializable;

/**
 * The rewards of some of an episode's sampled edits ({@code samples}, ascending), each scored in one batch with the
 * unedited model, whose score and accuracy come along.
 */
public record SampleRewards(int[] samples, double[] reward, double[] gain, double[] forgetting, double[] norm, double[] accuracy,
                            double baseScore, double baseAccuracy) implements Serializable {}
