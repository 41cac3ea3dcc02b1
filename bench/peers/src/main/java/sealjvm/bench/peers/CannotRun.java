package sealjvm.bench.peers;

/** A peer that cannot run on this machine or JDK: its row says why instead of a figure. */
final class CannotRun extends RuntimeException {
    CannotRun(String why) { super(why); }
}
