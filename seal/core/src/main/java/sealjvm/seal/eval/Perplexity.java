package sealjvm.seal.eval;

import java.lang.foreign.Arena;
import java.util.Arrays;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.LinearHook;
import sealjvm.gpt2.LowRankAdapters;
import sealjvm.tensor.Tensor;

/**
 * Perplexity of a GPT-2 on a token stream: exp(mean next-token NLL, in nats).
 *
 * <p>The stream is cut into non-overlapping windows of {@code context} tokens (the model's
 * n_positions by default; the last window may be shorter). Each window is evaluated on its own, from
 * an empty context: its tokens 1..n-1 are predicted from the tokens before them in the window, and its
 * first token is not predicted (nothing precedes it in the window). So {@code predicted} =
 * tokens − number of windows. This is cheaper than HF's strided evaluation and gives a slightly
 * higher (pessimistic) perplexity, since tokens early in a window see little context.
 * {@link #isTarget} says which positions are predicted, so other models (the unigram baseline) can be
 * scored on exactly the same tokens.
 */
public final class Perplexity {
    private Perplexity() {}

    /**
     * @param tokens    tokens read
     * @param predicted tokens predicted (scored)
     * @param nll       mean negative log-likelihood per predicted token, in nats
     * @param perplexity exp(nll)
     * @param context   window length
     */
    public record Result(int tokens, long predicted, double nll, double perplexity, int context) {
        static Result of(int tokens, long predicted, double nllSum, int context) {
            if (predicted == 0) throw new IllegalArgumentException("need at least 2 tokens in a window to measure perplexity, got " + tokens);
            double nll = nllSum / predicted;
            return new Result(tokens, predicted, nll, Math.exp(nll), context);
        }
    }

    /** Windows of n_positions, as many windows per forward as fit in about 2048 token rows. */
    public static Result evaluate(Gpt2Backend model, int[] ids) {
        return evaluate(model, ids, LinearHook.NONE);
    }

    /** {@link #evaluate(Gpt2Backend, int[])} with a hook after every block linear (adapters kept beside the weights). */
    public static Result evaluate(Gpt2Backend model, int[] ids, LinearHook hook) {
        int context = model.config().nPositions();
        return evaluate(model, ids, context, Math.max(1, 2048 / context), hook);
    }

    /** Non-overlapping windows of {@code context} tokens, {@code batch} windows per forward. */
    public static Result evaluate(Gpt2Backend model, int[] ids, int context, int batch) {
        return evaluate(model, ids, context, batch, LinearHook.NONE);
    }

    /**
     * {@link #evaluate(Gpt2Backend, int[], int, int)} with a hook after every block linear: a hook runs in the CPU
     * forward, so {@code model} must then be the CPU {@link Gpt2Model}.
     */
    public static Result evaluate(Gpt2Backend model, int[] ids, int context, int batch, LinearHook hook) {
        if (hook != LinearHook.NONE && !(model instanceof Gpt2Model)) throw new IllegalArgumentException("a linear hook runs in the CPU forward only");
        if (context < 2 || context > model.config().nPositions()) {
            throw new IllegalArgumentException("context must be in [2, n_positions=" + model.config().nPositions() + "], got " + context);
        }
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        int full = ids.length / context, rest = ids.length % context;
        double sum = 0;
        long predicted = 0;
        for (int w = 0; w < full; w += batch) {
            int b = Math.min(batch, full - w);
            sum += windowsNll(model, ids, w * context, b, context, hook);
            predicted += (long) b * (context - 1);
        }
        if (rest >= 2) { // the short last window: a batch must be rectangular, so it goes alone
            sum += windowsNll(model, ids, full * context, 1, rest, hook);
            predicted += rest - 1;
        }
        return Result.of(ids.length, predicted, sum, context);
    }

    /** Whether position {@code i} of the stream is predicted (not the first token of a window). */
    public static boolean isTarget(int i, int context) {
        return i % context != 0;
    }

    /** Sum of −log p(ids[s+t+1] | ids[s..s+t]) over the B windows of T tokens starting at {@code start}. */
    static double windowsNll(Gpt2Backend model, int[] ids, int start, int B, int T, LinearHook hook) {
        int[] flat = Arrays.copyOfRange(ids, start, start + B * T);
        int C = model.config().nEmbd(), N = B * T;
        double sum = 0;
        int n = B * (T - 1);
        int[] targets = new int[n];
        // Hidden states, then the LM head and log-softmax on the predicting rows only (the backend chunks them).
        try (Arena arena = Arena.ofShared()) {
            Tensor h = (hook == LinearHook.NONE ? model.hidden(flat, B, T, LowRankAdapters.NONE, arena)
                    : ((Gpt2Model) model).hidden(((Gpt2Model) model).newCache(B, T, arena), flat, T, arena, hook)).view(N, C);
            Tensor rows = Tensor.allocate(arena, Math.max(1, n), C);
            int q = 0;
            for (int r = 0; r < N; r++) {
                if (r % T == T - 1) continue; // a window's last position predicts nothing inside it
                rows.row(q).copyFrom(h.row(r));
                targets[q++] = flat[r + 1];
            }
            double[] logp = new double[n];
            if (n > 0) model.tokenLogProbs(rows.slice(0, n, C), targets, logp, new boolean[n]);
            for (double lp : logp) sum -= lp;
        }
        return sum;
    }
}
