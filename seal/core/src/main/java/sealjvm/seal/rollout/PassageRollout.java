package sealjvm.seal.rollout;

import java.util.List;
import sealjvm.seal.task.Task;

/**
 * A text-SEAL passage's rollouts: its K self-edits (tokens) and the scores of block 0 (unedited), 1+k (self-edit k)
 * and, with keep-vs-passage, K+1 (the fine-tune on the passage alone); {@code seconds}: the time they took.
 */
public record PassageRollout(List<int[]> texts, Task.Scores scores, double seconds) {

    /** A passage's rollouts from its slots (any order; every slot 0..slots-1 exactly once), as one batch would give. */
    public static PassageRollout merge(int samples, int slots, List<TextSlot> parts) {
        int[][] texts = new int[samples][];
        double[] score = new double[slots + 1], acc = new double[slots + 1];
        boolean[] seen = new boolean[slots];
        double seconds = 0;
        TextSlot first = null;
        for (TextSlot p : parts) {
            if (first == null) first = p;
            if (Double.doubleToRawLongBits(p.baseScore()) != Double.doubleToRawLongBits(first.baseScore())) {
                throw new IllegalStateException("workers disagree on the unedited model's score of passage " + p.passage() + " ("
                        + first.baseScore() + " vs " + p.baseScore() + "): they do not run the same model, data or code");
            }
            if (p.slot() < 0 || p.slot() >= slots || seen[p.slot()]) throw new IllegalStateException("slot " + p.slot() + " of passage " + p.passage() + " came back twice or out of range");
            seen[p.slot()] = true;
            if (p.slot() < samples) texts[p.slot()] = p.selfEdit();
            score[1 + p.slot()] = p.score();
            acc[1 + p.slot()] = p.accuracy();
            seconds += p.seconds();
        }
        for (int k = 0; k < slots; k++) if (!seen[k]) throw new IllegalStateException("slot " + k + " did not come back");
        score[0] = first.baseScore();
        acc[0] = first.baseAccuracy();
        return new PassageRollout(List.of(texts), new Task.Scores(score, acc), seconds);
    }
}
