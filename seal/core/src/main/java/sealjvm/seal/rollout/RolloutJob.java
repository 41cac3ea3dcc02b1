package sealjvm.seal.rollout;

import java.io.Serializable;

/**
 * What a worker needs to rebuild a run's model, task and reward on its own: the run's config.json as text, the SEAL
 * home (tokenizer, general text) and the run folder (spam's frozen head), all at paths every worker can read.
 */
public record RolloutJob(Method method, String configJson, String home, String runDir) implements Serializable {
    /** Which SEAL a run trains. */
    public enum Method { GENERATOR, TEXT }
}
