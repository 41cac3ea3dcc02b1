package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.RunDir;
import sealjvm.seal.RunLock;
import sealjvm.seal.RunLockHolder;
import sealjvm.testsupport.ChildJvm;

/** One run folder, one writer; a lock whose holder died is taken again. */
class RunLockTest {

    @Test
    void aSecondWriterInThisJvmIsRefusedAndTheLockIsFreeAfterClose(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        Files.writeString(run.resolve("config.json"), "{}");
        try (RunLock first = RunLock.acquire(run)) {
            assertEquals(ProcessHandle.current().pid(), RunLock.holder(run));
            var e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains(run.toString()) && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        try (RunLock again = RunLock.acquire(run)) {
            assertNotNull(again);
        }
        assertTrue(Files.exists(run.resolve("config.json")));
    }

    @Test
    void aFolderMadeOnlyForTheLockIsRemovedWhenNothingWasWritten(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("new-run");
        try (RunLock lock = RunLock.acquire(run)) {
            assertTrue(Files.exists(run.resolve(RunLock.FILE)));
        }
        assertFalse(Files.exists(run), "a failed start leaves no folder behind");
    }

    @Test
    void anotherProcessHoldingTheLockIsRefusedAndItsStaleLockIsRetakenAfterAKill(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        // No JVM flags: the holder uses no kernels, and the incubator warning would come first on its merged output.
        Process p = new ProcessBuilder(ChildJvm.java(), "-cp", System.getProperty("java.class.path"), RunLockHolder.class.getName(), run.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertNotNull(line, "the child exited before locking");
            assertTrue(line.startsWith("locked "), line);
            long pid = p.pid();
            assertEquals(pid, RunLock.holder(run));

            var e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(run));
            assertEquals(run + " is in use by another seal process (pid " + pid + ", lock " + run.resolve(RunLock.FILE)
                    + "): wait for it to finish, or stop it, then try again", e.getMessage());

            // Through the CLI: train, a resume and pretrain into the held folder are refused in one line naming folder and pid.
            for (List<String> args : List.of(
                    List.of("train", "--task", "facts", "--data", "sample", "--episodes", "1", "--model", CliHarness.tiny().toString(), "--out", run.toString(), "--no-progress"),
                    List.of("train", "--resume", run.toString(), "--no-progress"),
                    List.of("pretrain", "--corpus", "brown-sample", "--out", run.toString(), "--no-progress"))) {
                var r = CliHarness.cli(args.toArray(String[]::new));
                assertEquals(1, r.code(), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
                assertTrue(r.err().startsWith("error: " + run + " is in use by another seal process (pid " + pid + ","), r.err());
            }
            try (var files = Files.list(run)) {
                assertEquals(List.of(RunLock.FILE), files.map(f -> f.getFileName().toString()).toList(), "the refused runs wrote nothing");
            }
        } finally {
            p.destroyForcibly();   // SIGKILL: the holder cannot release anything itself
            p.waitFor();
        }
        assertTrue(Files.exists(run.resolve(RunLock.FILE)), "the killed holder's .lock file stays");
        // The OS released the lock with the process: a new run proceeds.
        var r = CliHarness.cli("train", "--task", "facts", "--data", "sample", "--episodes", "1", "--samples", "2", "--hidden", "4", "--targets", "h.1.mlp.c_proj", "--generator", "mlp",
                "--model", CliHarness.tiny().toString(), "--out", run.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, new RunDir(run).readMetrics().size());
        assertEquals(-1, RunLock.holder(tmp.resolve("elsewhere")));
    }
}
