package sealjvm.seal.pretrain;

import java.util.List;
import sealjvm.gpt2.safetensors.DType;

/**
 * Everything that defines a pretraining run (saved as the run's pretrain_config.json; {@code --resume} reads it back).
 * The model is GPT-2 with the GPT-2 vocabulary; the batch of one step is {@code batch × accum} windows of
 * {@code context} tokens.
 *
 * <p>{@code init}: a Hugging Face model folder whose parameters the run starts from (continued pretraining; its
 * shape must be the config's), or null for GPT-2's random initialization. {@code rcDocs}: how many synthetic
 * reading-comprehension documents the {@code brown+rc} corpus mixes in (0 for the other corpora). Both are absent
 * from older pretrain_config.json files and then read as null and 0.
 */
public record PretrainConfig(String corpus, int nLayer, int nEmbd, int nHead, int context,
                             int batch, int accum, int steps,
                             double lr, double minLr, int warmup, double weightDecay, double gradClip,
                             long seed, int evalEvery, int evalBatches, int checkpointEvery, DType dtype,
                             String init, int rcDocs) {
    /** A run from random initialization on a corpus without RC documents (the fields before {@code init}). */
    public PretrainConfig(String corpus, int nLayer, int nEmbd, int nHead, int context, int batch, int accum, int steps,
                          double lr, double minLr, int warmup, double weightDecay, double gradClip,
                          long seed, int evalEvery, int evalBatches, int checkpointEvery, DType dtype) {
        this(corpus, nLayer, nEmbd, nHead, context, batch, accum, steps, lr, minLr, warmup, weightDecay, gradClip,
                seed, evalEvery, evalBatches, checkpointEvery, dtype, null, 0);
    }

    public PretrainConfig {
        positive("layers", nLayer);
        positive("width", nEmbd);
        positive("heads", nHead);
        positive("context", context);
        positive("batch", batch);
        positive("accum", accum);
        positive("steps", steps);
        positive("eval-every", evalEvery);
        positive("eval-batches", evalBatches);
        positive("checkpoint-every", checkpointEvery);
        if (nEmbd % nHead != 0) throw new IllegalArgumentException("--width " + nEmbd + " is not divisible by --heads " + nHead);
        if (!(lr > 0) || minLr < 0 || minLr > lr) throw new IllegalArgumentException("--lr " + lr + " / --min-lr " + minLr + ": need 0 <= min-lr <= lr, lr > 0");
        if (warmup < 0 || warmup > steps) throw new IllegalArgumentException("--warmup " + warmup + " must be in [0, steps=" + steps + "]");
        if (weightDecay < 0) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        if (gradClip < 0) throw new IllegalArgumentException("--grad-clip must be >= 0 (0 = off), got " + gradClip);
        if (!STORAGE.contains(dtype)) {
            throw new IllegalArgumentException("--dtype must be F16, BF16 or F32, got '" + dtype + "'");
        }
        if (rcDocs < 0) throw new IllegalArgumentException("--rc-docs must be >= 0, got " + rcDocs);
        if (corpus.endsWith("+rc") && rcDocs < 1) throw new IllegalArgumentException("corpus " + corpus + " needs --rc-docs >= 1");
        if (!corpus.endsWith("+rc") && rcDocs != 0) throw new IllegalArgumentException("--rc-docs is for the brown+rc corpus only");
    }

    /** The storage types a pretrained model may be written in. */
    public static final List<DType> STORAGE = List.of(DType.F16, DType.BF16, DType.F32);

    private static void positive(String flag, int v) {
        if (v < 1) throw new IllegalArgumentException("--" + flag + " must be >= 1, got " + v);
    }

    public int tokensPerStep() { return batch * accum * context; }
}
