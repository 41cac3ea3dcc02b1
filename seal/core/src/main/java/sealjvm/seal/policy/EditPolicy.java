package sealjvm.seal.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** How the generator builds an edit from a context. */
public enum EditPolicy {
    /** Factors A, B of every target from an MLP on the mean-pooled hidden state (one Gaussian over all entries). */
    @JsonProperty("mlp") MLP,
    /**
     * The MLP's factor edit plus a content part: the context's own LM-loss gradient at each target, rank-r, unit
     * norm, times a learned step size −η (MEND's idea, with the step size as the stochastic policy's latent).
     */
    @JsonProperty("grad") GRAD,
    /**
     * The MLP's factor edit plus a content part: the frozen model's LoRA fine-tune on the context (rank
     * {@code contentRank}, steps and learning rate chosen on the heldout split by the sft_passage grid), the
     * learning signal iterated, times a learned scale η (η = 1 applies the fine-tune as fitted).
     */
    @JsonProperty("sft") SFT;

    /** Training episodes of a run that does not name them: a fine-tune per context makes sft's episodes ~5× dearer. */
    public int defaultEpisodes() { return this == SFT ? 300 : 1500; }

    /** Initial log of the content part's scale η: a unit-norm gradient needs η ≈ 3 to move; a fitted edit, η = 1. */
    public double initialLogStep() { return this == SFT ? 0 : Math.log(3); }

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    @Override
    public String toString() { return cliName(); }

    public static EditPolicy parse(String s) { return sealjvm.seal.Choices.parse(values(), "--generator", s); }
}
