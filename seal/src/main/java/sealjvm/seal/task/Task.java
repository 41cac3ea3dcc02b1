package sealjvm.seal.task;

import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.edit.Edit;

/**
 * A downstream task SEAL edits for. Each episode has a context (what the edit is made from) and
 * held-out examples of the same task (what the edit is judged on) — never the same data.
 */
public interface Task {
    enum Stage { TRAIN, EVAL }

    /** The generator reads {@code context}; {@code heldout} is the task's own material for scoring. */
    record Episode(int[] context, Object heldout) {}

    /** Per block — 0: the unedited model, 1+k: edit k — the task score (higher is better) and accuracy. */
    record Scores(double[] score, double[] accuracy) {}

    String name();

    /** Draws an episode: TRAIN from the training data, EVAL from the evaluation split. */
    Episode draw(Stage stage, SplittableRandom rng);

    /** Scores the unedited model and every edit on the episode's held-out examples, in one batched forward. */
    Scores score(Gpt2Model model, Episode episode, List<Edit> edits);
}
