package sealjvm.gpt2;

import java.util.Arrays;
import java.util.function.IntConsumer;

/** Autoregressive generation with a KV cache: one prefill of the prompt, then one token per step. */
public final class Generator {
    private Generator() {}

    /**
     * Changes the logits of the next position before the sampler reads them (as Hugging Face's LogitsProcessor):
     * {@code logits} is a copy the processor may write; {@code generated[0..n)} are the ids chosen so far.
     */
    @FunctionalInterface
    public interface LogitsProcessor {
        void process(float[] logits, int[] generated, int n);
    }

    /**
     * Continues {@code prompt} by up to {@code maxNewTokens} tokens, stopping early at {@code stopId}
     * (use -1 for none). Each new id is passed to {@code onToken} as soon as it is chosen.
     * Returns the new ids (without the prompt).
     */
    public static int[] generate(Gpt2Backend model, int[] prompt, int maxNewTokens, Sampler sampler, int stopId, IntConsumer onToken) {
        return generate(model, prompt, maxNewTokens, sampler, null, stopId, onToken);
    }

    /** As {@link #generate(Gpt2Backend, int[], int, Sampler, int, IntConsumer)}, each position's logits through {@code processor} first (null: none). */
    public static int[] generate(Gpt2Backend model, int[] prompt, int maxNewTokens, Sampler sampler, LogitsProcessor processor, int stopId,
                                 IntConsumer onToken) {
        int P = model.config().nPositions();
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (prompt.length + maxNewTokens > P) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens + " + maxNewTokens
                    + " new tokens exceeds the model's n_positions=" + P);
        }
        int[] out = new int[maxNewTokens];
        int n = 0;
        try (Gpt2Backend.Decoder decoder = model.decoder(1, prompt.length + maxNewTokens)) {
            int[] step = prompt;
            while (n < maxNewTokens) {
                decoder.append(step, step.length);              // (1,T) -> logits (1,T,V); only the last row is read
                float[] logits = decoder.lastLogits(0);
                if (processor != null) {
                    logits = logits.clone();
                    processor.process(logits, out, n);
                }
                int id = sampler.next(logits);
                out[n++] = id;
                onToken.accept(id);
                if (id == stopId) break;
                step = new int[] {id};
            }
        }
        return Arrays.copyOf(out, n);
    }
}
