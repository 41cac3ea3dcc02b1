package sealjvm.seal;

import java.nio.file.Path;

/** Child JVM for {@link RunLockTest}: locks a run folder, says so, and holds it until killed. */
public final class RunLockHolder {
    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]));
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(600_000);
        lock.close();
    }
}
