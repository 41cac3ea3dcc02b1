package sealjvm.seal.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import sealjvm.seal.Choices;

/** Which of the generator's Gaussian dimensions are sampled; the others are taken at their mean. */
public enum NoiseScope {
    /** Every factor entry of A and B, and the content scales. */
    @JsonProperty("all") ALL,
    /**
     * Only the content part's scales (one per target): the factor edit is its mean, so REINFORCE explores a space
     * of a few dimensions instead of every factor entry, and the factor part is not trained.
     */
    @JsonProperty("content") CONTENT;

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }

    public static NoiseScope parse(String s) { return Choices.parse(values(), "--noise-scope", s); }
}
