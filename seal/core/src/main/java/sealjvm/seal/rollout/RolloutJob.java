package sealjvm.seal.rollout;

import java.io.Serializable;
import java.util.Locale;

/**
 * What a worker needs to rebuild a run's model, task and reward on its own: the run's config.json as text, the SEAL
 * home (tokenizer, general text) and the run folder (spam's frozen head), all at paths every worker can read.
 */
public record RolloutJob(Method method, String configJson, String home, String runDir) implements Serializable {
    /** Which SEAL a run trains (spelled in lower case on the command line). */
    public enum Method {
        GENERATOR, TEXT;

        @Override
        public String toString() { return name().toLowerCase(Locale.ROOT); }
    }
}
