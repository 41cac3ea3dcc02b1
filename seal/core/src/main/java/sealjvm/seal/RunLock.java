package sealjvm.seal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One writer per run folder: an OS file lock on {@code RUN_DIR/.lock}, held for the whole run, with the holder's pid
 * written in the file. The OS releases the lock when its process exits or is killed, so a {@code .lock} left by a
 * crash is simply locked again by the next run. A second writer (another process, or this one) is refused in one
 * line naming the folder and the holder's pid.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean createdDir;

    private RunLock(Path dir, FileChannel channel, FileLock lock, boolean createdDir) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.createdDir = createdDir;
    }

    /** Locks {@code dir} (created if missing) for this process, or throws {@link IllegalStateException} if another writer holds it. */
    public static RunLock acquire(Path dir) throws IOException {
        boolean created = !Files.exists(dir);
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": not a directory (a run folder)");
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException inThisJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            String pid;
            try {
                pid = Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                pid = "";
            }
            throw new IllegalStateException(dir + " is in use by another seal process (pid " + (pid.isEmpty() ? "unknown" : pid)
                    + ", lock " + file + "): wait for it to finish, or stop it, then try again");
        }
        try {
            byte[] me = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me), 0);
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            lock.release();
            ch.close();
            throw e;
        }
        return new RunLock(dir, ch, lock, created);
    }

    /** The pid written in {@code dir/.lock}, or -1 (no lock file, or not a number); the holder may be gone. */
    public static long holder(Path dir) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Releases the lock. If this lock created the folder and nothing else was written in it (the run failed before
     * its first file), the folder and its .lock go too, so a refused or failed start leaves nothing behind.
     */
    @Override
    public void close() throws IOException {
        try {
            if (createdDir) {
                boolean onlyLock;
                try (var files = Files.list(dir)) {
                    onlyLock = files.allMatch(f -> f.getFileName().toString().equals(FILE));
                }
                if (onlyLock) {
                    Files.deleteIfExists(dir.resolve(FILE));
                    lock.release();
                    channel.close();
                    Files.deleteIfExists(dir);
                    return;
                }
            }
        } finally {
            if (channel.isOpen()) {
                lock.release();
                channel.close();
            }
        }
    }
}
