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
        int K = edits.size();
        Task.Scores s = task.score(model, episode, edits);
        double[] forget = forgetting(model, edits);
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

    /** gain − λ_forget·max(0, forgetting) − λ_norm·‖ΔW‖. */
    public double reward(double gain, double forgetting, double norm) {
        return gain - lambdaForget * Math.max(0, forgetting) - lambdaNorm * norm;
    }
}
