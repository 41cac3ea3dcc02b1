package sealjvm.seal.rollout;

/** The engine a run's rollouts use, and where it runs ({@code master}: a Spark master URL; null for local). */
public record EngineSpec(Engine engine, String master) implements RolloutEngine.Factory {
    public static final EngineSpec LOCAL = new EngineSpec(Engine.LOCAL, null);

    /** The engine for {@code job}: {@link RolloutEngine#LOCAL}, or one started through its provider. */
    @Override
    public RolloutEngine open(RolloutJob job) {
        return engine == Engine.LOCAL ? RolloutEngine.LOCAL : RolloutEngine.provider(engine).open(job, master);
    }
}
