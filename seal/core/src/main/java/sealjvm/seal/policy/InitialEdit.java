package sealjvm.seal.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import sealjvm.seal.Choices;

/** Where the generator's factor edit starts before REINFORCE moves it. */
public enum InitialEdit {
    /** The factor mean starts as LoRA does: A random, B zero, so the edit starts at zero. */
    @JsonProperty("none") NONE,
    /**
     * The factor mean starts at the run's {@code static_edit} (the best context-free edit, fitted by backprop on the
     * training split; {@code RUN/static_edit}, the same one {@code eval} compares with), and the context's weights
     * into it start at zero: the policy begins as that control and learns what the context adds on top of it.
     */
    @JsonProperty("static") STATIC;

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }

    public static InitialEdit parse(String s) { return Choices.parse(values(), "--init-edit", s); }
}
