package sealjvm.seal.rollout;

import java.util.Locale;

/** Where a training run's rollouts are computed. */
public enum Engine {
    /** In this JVM (the default). */
    LOCAL,
    /** On Apache Spark executors (the seal-spark module, found with {@link java.util.ServiceLoader}). */
    SPARK;

    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    public static Engine parse(String s) {
        for (Engine e : values()) if (e.cliName().equals(s)) return e;
        throw new IllegalArgumentException("--engine must be local or spark, got '" + s + "'");
    }
}
