package sealjvm.seal.task;

import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.seal.edit.Edit;

/**
 * A downstream task SEAL edits for. Each episode has a context (what the edit is made from) and
 * held-out examples of the same task (what the edit is judged on) — never the same data.
 *
 * @param <H> the task's held-out material of an episode (questions, a continuation, messages)
 */
public interface Task<H> {
    /** TRAIN: the policy's data; HELDOUT: choosing the baselines' settings; EVAL: the reported numbers. */
    enum Stage { TRAIN, HELDOUT, EVAL }

    /** The generator reads {@code context}; {@code heldout} is the task's own material for scoring. */
    record Episode<H>(int[] context, H heldout) {}

    /** Per block — 0: the unedited model, 1+k: edit k — the task score (higher is better) and accuracy. */
    record Scores(double[] score, double[] accuracy) {}

    /**
     * Per block (0: unedited, 1+k: edit k) and unit (a question, a message, a document): the score, whether the
     * unit was answered correctly, and the contrastive margin; {@code correct}/{@code margin} are null where the
     * task has no such metric. {@code group} names each unit's kind (relation, label) for breakdowns.
     */
    record Detail(double[][] score, double[][] correct, double[][] margin, String[] group) {
        public int units() { return group.length; }

        /** The per-block means, as the training reward uses them. */
        public Scores scores() {
            int blocks = score.length, n = units();
            double[] s = new double[blocks], a = new double[blocks];
            for (int j = 0; j < blocks; j++) {
                for (int u = 0; u < n; u++) {
                    s[j] += score[j][u] / n;
                    if (correct != null) a[j] += correct[j][u] / n;
                }
            }
            return new Scores(s, a);
        }
    }

    String name();

    /** Draws an episode from the stage's split. */
    Episode<H> draw(Stage stage, SplittableRandom rng);

    /** The first {@code n} episodes of the split, each of its items used at most once, in a fixed order. */
    List<Episode<H>> episodes(Stage stage, int n);

    /** Episodes {@code first .. first + n − 1} of {@link #episodes}' fixed order. */
    default List<Episode<H>> episodes(Stage stage, int first, int n) {
        if (first < 0 || n < 0 || first + n > episodeCount(stage)) {
            throw new IllegalArgumentException(name() + ": asked for " + stage.name().toLowerCase() + " episodes " + first + ".." + (first + n - 1)
                    + ", the split has " + episodeCount(stage));
        }
        return episodes(stage, first + n).subList(first, first + n);
    }

    /** How many distinct episodes {@link #episodes} can give for {@code stage}. */
    int episodeCount(Stage stage);

    /** Scores the unedited model and every edit on the episode's held-out examples, in one batched forward. */
    default Scores score(Gpt2Backend model, Episode<H> episode, List<Edit> edits) {
        return detail(model, episode, edits, false).scores();
    }

    /** Per-unit scores; {@code margins}: also the contrastive margins, where the task has them. */
    Detail detail(Gpt2Backend model, Episode<H> episode, List<Edit> edits, boolean margins);

    /**
     * The kind of content of an episode (facts: its sorted relations), so a control can feed the policy another
     * episode of the same kind; "" where all episodes are alike.
     */
    default String kind(Episode<H> episode) { return ""; }

    /** A scored text as a fine-tuning example: the loss counts the predictions of tokens[lossFrom..]. */
    record Supervised(int[] tokens, int lossFrom) {}

    /**
     * What the task scores in an episode, as fine-tuning examples (facts: question → answer; lm: the continuation);
     * empty where the score is not a language-model likelihood (spam's frozen head).
     */
    default List<Supervised> supervised(Episode<H> episode) { return List.of(); }

    /** The context's tokens as training text for fine-tuning on it (the {@code sft_passage} baseline). */
    default List<int[]> contextTexts(Episode<H> episode) { return List.of(episode.context()); }
}
