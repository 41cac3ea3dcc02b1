package sealjvm.seal.rollout;

import java.util.Locale;

/** Where a training run's rollouts are computed. */
public enum Engine {
    /** In this JVM (the default). */
    LOCAL,
    /** On Apache Spark executors (the seal-spark module, found with {@link java.util.ServiceLoader}). */
    SPARK;

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    @Override
    public String toString() { return cliName(); }

    public static Engine parse(String s) { return sealjvm.seal.Choices.parse(values(), "--engine", s); }
}
