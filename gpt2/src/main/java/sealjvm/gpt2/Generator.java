package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.function.IntConsumer;
import sealjvm.tensor.Tensor;

/** Autoregressive generation with a KV cache: one prefill of the prompt, then one token per step. */
public final class Generator {
    private Generator() {}

    /**
     * Continues {@code prompt} by up to {@code maxNewTokens} tokens, stopping early at {@code stopId}
     * (use -1 for none). Each new id is passed to {@code onToken} as soon as it is chosen.
     * Returns the new ids (without the prompt).
     */
    public static int[] generate(Gpt2Model model, int[] prompt, int maxNewTokens, Sampler sampler, int stopId, IntConsumer onToken) {
        int P = model.config.nPositions();
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (prompt.length + maxNewTokens > P) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens + " + maxNewTokens
                    + " new tokens exceeds the model's n_positions=" + P);
        }
        int[] out = new int[maxNewTokens];
        int n = 0;
        sealjvm.gpt2.cuda.CudaGpt2 gpu = model.gpu();
        if (gpu != null) {   // the same loop on the device; only the last position's logits come back each step
            int V = model.config.vocabSize();
            try (var cache = gpu.newCache(1, prompt.length + maxNewTokens);
                 var logits = gpu.device.allocateUninitialized(prompt.length, V)) {
                int[] step = prompt;
                while (n < maxNewTokens) {
                    var l = logits.slice(0, 1, step.length, V);
                    gpu.forward(cache, step, step.length, l, sealjvm.gpt2.cuda.DeviceLinearHook.NONE);
                    int id = sampler.next(l.slice((long) (step.length - 1) * V, V).toArray());
                    out[n++] = id;
                    onToken.accept(id);
                    if (id == stopId) break;
                    step = new int[] {id};
                }
            }
            return Arrays.copyOf(out, n);
        }
        try (Arena arena = Arena.ofShared()) {
            KVCache cache = model.newCache(1, prompt.length + maxNewTokens, arena);
            int[] step = prompt;
            while (n < maxNewTokens) {
                try (Arena stepArena = Arena.ofShared()) {
                    Tensor logits = model.forward(cache, step, step.length, stepArena); // (1,T,V)
                    int V = model.config.vocabSize();
                    Tensor last = logits.slice((long) (step.length - 1) * V, V);
                    int id = sampler.next(last.toArray());
                    out[n++] = id;
                    onToken.accept(id);
                    if (id == stopId) break;
                    step = new int[] {id};
                }
            }
        }
        return Arrays.copyOf(out, n);
    }
}
