package sealjvm.seal.rollout;

import java.io.Serializable;

/**
 * One rollout of a text-SEAL passage: slot k &lt; K is self-edit k (its tokens, then the inner fine-tune on it),
 * slot K the fine-tune on the passage alone; scored in one batch with the unedited model.
 */
public record TextSlot(int passage, int slot, int[] selfEdit, double baseScore, double baseAccuracy, double score, double accuracy,
                       double seconds) implements Serializable {}
