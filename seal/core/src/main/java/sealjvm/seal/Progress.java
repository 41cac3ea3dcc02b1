package sealjvm.seal;

/**
 * How far a long run has got, told as it goes: a trainer calls {@link #start} once, {@link #step} after each unit
 * of work (an episode, a round of passages, a pretraining step) and {@link #finish} when the run stops, at its end
 * or by an error. {@link #NONE} ignores it all; the command line draws a progress bar from it.
 */
public interface Progress {
    /** Tells nothing to anyone. */
    Progress NONE = new Progress() {};

    /** The run {@code name} has {@code total} units of work, {@code done} of them already (a resumed run). */
    default void start(String name, long total, long done) {}

    /** {@code done} units are done; {@code message} says how the last ones went (reward, loss). */
    default void step(long done, String message) {}

    /** The run stopped. */
    default void finish() {}
}
