package sealjvm.seal.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.Locale;

/** How the generator builds an edit from a context. */
public enum EditPolicy {
    /** Factors A, B of every target from an MLP on the mean-pooled hidden state (one Gaussian over all entries). */
    @JsonProperty("mlp") MLP,
    /**
     * The MLP's factor edit plus a content part: the context's own LM-loss gradient at each target, rank-r, unit
     * norm, times a learned step size −η (MEND's idea, with the step size as the stochastic policy's latent).
     */
    @JsonProperty("grad") GRAD;

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    public static EditPolicy parse(String s) {
        for (EditPolicy p : values()) if (p.cliName().equals(s)) return p;
        throw new IllegalArgumentException("--generator must be one of " + Arrays.stream(values()).map(EditPolicy::cliName).toList() + ", got '" + s + "'");
    }
}
