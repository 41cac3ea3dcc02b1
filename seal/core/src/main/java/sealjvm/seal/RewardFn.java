package sealjvm.seal;

import java.util.List;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.task.Scoring;
import sealjvm.seal.task.Task;

/**
 * The reward of an edit: its gain on the task's held-out examples over the unedited model, minus
 * λ_forget × the increase of LM loss on general held-out text (catastrophic forgetting), minus
 * λ_norm × ‖ΔW‖_F (edit size) — the guide's "common mistakes" priced in.
 */
public record RewardFn(double lambdaForget, double lambdaNorm, List<int[]> generalText) {

    /** Per edit k: reward, task gain, LM-loss increase, ‖ΔW‖; plus the unedited score and accuracies. */
    public record Result(double[] reward, double[] gain, double[] forgetting, double[] norm,
                         double baseScore, double baseAccuracy, double[] accuracy) {}

    public <H> Result evaluate(Gpt2Backend model, Task<H> task, Task.Episode<H> episode, List<Edit> edits) {
        return evaluate(model, task, episode, edits, Double.NaN);
    }

    /**
     * As {@link #evaluate(Gpt2Backend, Task, Task.Episode, List)}, with {@code generalBase} the unedited model's
     * {@link #generalLogLik} (NaN: score it in the batch): a frozen model's is the same every episode, so a training
     * loop computes it once instead of once per episode. The same numbers, bit for bit.
     */
    public <H> Result evaluate(Gpt2Backend model, Task<H> task, Task.Episode<H> episode, List<Edit> edits, double generalBase) {
        int K = edits.size();
        Task.Scores s = task.score(model, episode, edits);
        double[] forget = Double.isNaN(generalBase) ? forgetting(model, edits) : forgetting(model, edits, generalBase);
        double[] reward = new double[K], gain = new double[K], norm = new double[K], acc = new double[K];
        for (int k = 0; k < K; k++) {
            gain[k] = s.score()[1 + k] - s.score()[0];
            norm[k] = edits.get(k).frobeniusNorm();
            acc[k] = s.accuracy()[1 + k];
            reward[k] = reward(gain[k], forget[k], norm[k]);
        }
        return new Result(reward, gain, forget, norm, s.score()[0], s.accuracy()[0], acc);
    }

    /** Per edit, the increase of LM loss on the general text (0 when the penalty is off). */
    public double[] forgetting(Gpt2Backend model, List<Edit> edits) {
        int K = edits.size();
        double[] forget = new double[K];
        if (lambdaForget == 0 || generalText.isEmpty() || K == 0) return forget;
        double[] lm = Scoring.meanTokenLogLik(model, generalText, edits);
        for (int k = 0; k < K; k++) forget[k] = lm[0] - lm[1 + k];   // LM loss after − before (loss = −log-likelihood)
        return forget;
    }

    /**
     * The unedited model's mean next-token log-likelihood of the general text: block 0 of {@link #forgetting}'s batch,
     * scored alone (the same bits); NaN when the penalty is off. Depends on the model's weights only.
     */
    public double generalLogLik(Gpt2Backend model) {
        if (lambdaForget == 0 || generalText.isEmpty()) return Double.NaN;
        return Scoring.meanTokenLogLik(model, generalText, List.of())[0];
    }

    /** {@link #forgetting(Gpt2Backend, List)} given the unedited model's {@link #generalLogLik} {@code base}: the edits' blocks only. */
    public double[] forgetting(Gpt2Backend model, List<Edit> edits, double base) {
        int K = edits.size();
        double[] forget = new double[K];
        if (lambdaForget == 0 || generalText.isEmpty() || K == 0) return forget;
        double[] lm = Scoring.meanTokenLogLik(model, generalText, edits, false);
        for (int k = 0; k < K; k++) forget[k] = base - lm[k];   // LM loss after − before, as in the batched form
        return forget;
    }

    /** gain − λ_forget·max(0, forgetting) − λ_norm·‖ΔW‖. */
    public double reward(double gain, double forgetting, double norm) {
        return gain - lambdaForget * Math.max(0, forgetting) - lambdaNorm * norm;
    }
}
