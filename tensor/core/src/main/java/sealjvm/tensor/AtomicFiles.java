package sealjvm.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file writes, the one way every output is written: a temp file beside the target ({@code .NAME.<hex>.tmp},
 * same folder so the rename stays on one file system), the body, fsync, an atomic rename over the target, a fsync of
 * the folder. A reader sees the old file or the new one; the temp file is removed on every failure path. The temp file
 * gets default permissions, so the result reads like any file a plain write makes.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the file's bytes to an open channel. */
    @FunctionalInterface
    public interface ChannelBody {
        void write(FileChannel ch) throws IOException;
    }

    /** Writes the file by its path (for libraries that only take a file name). */
    @FunctionalInterface
    public interface PathBody {
        void write(Path tmp) throws IOException;
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    public static void write(Path file, ChannelBody body) throws IOException {
        write(file, ".tmp", tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
                ch.force(true);
            }
        });
    }

    /** As {@link #write(Path, ChannelBody)}, the body writing the temp file (named {@code .NAME.<hex>SUFFIX}) itself. */
    public static void write(Path file, String tempSuffix, PathBody body) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = createTemp(target, tempSuffix);
        try {
            body.write(tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            syncDirectory(target.getParent());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error matters more than a leftover temp file
                }
            }
        }
    }

    /**
     * A folder written whole: into a temp sibling ({@code .NAME.<random>}), then renamed into place; removed on failure.
     * {@code dir} must not exist or be an empty folder (which is replaced); a non-empty one is refused
     * ({@link FileAlreadyExistsException}, "exists and is not empty"). The folder gets rwxr-xr-x where the file system
     * is POSIX (a temp folder is created 0700), so it reads like any folder a user makes.
     */
    public static void writeDirectory(Path dir, PathBody body) throws IOException {
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".");
        try {
            body.write(tmp);
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    if (s.findAny().isPresent()) throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not empty");
                }
                Files.delete(dir);
            }
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
        } finally {
            if (Files.exists(tmp)) {
                try (var s = Files.walk(tmp)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    /** {@code e} as is when it names a file (java.nio's), else with {@code file} in front ("No space left on device" names none). */
    public static IOException named(Path file, IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) return e;
        return new IOException(file + ": cannot write: " + e.getMessage(), e);
    }

    private static Path createTemp(Path target, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String hex = Long.toHexString(ThreadLocalRandom.current().nextLong());
            Path tmp = target.resolveSibling("." + target.getFileName() + "." + hex + suffix);
            try {
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) throw e;
            }
        }
    }

    /** Makes the rename itself durable (POSIX); some platforms cannot open a folder, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort only
        }
    }
}
