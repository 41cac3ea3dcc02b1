package sealjvm.seal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import sealjvm.tensor.AtomicFiles;

/**
 * A cached token array: {@code "SEALTOK1"}, a 32-byte key (a SHA-256 of whatever the tokens were made
 * from), the count as int32, then the ids as int32, all little-endian. A file whose key differs is
 * stale and ignored, so a changed source or tokenizer never reads old tokens.
 */
public final class TokenFile {
    private static final byte[] MAGIC = "SEALTOK1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 32 + 4;

    private TokenFile() {}

    /** The ids stored in {@code file} under {@code key}; null if absent, stale or malformed. */
    public static int[] read(Path file, byte[] key) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (all.length < HEADER || !Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
                || !Arrays.equals(all, MAGIC.length, MAGIC.length + 32, key, 0, 32)) return null;
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(MAGIC.length + 32);
        if (n < 0 || (long) HEADER + 4L * n != all.length) return null; // truncated: recompute
        int[] ids = new int[n];
        b.position(HEADER).asIntBuffer().get(ids);
        return ids;
    }

    /** Writes atomically (temp file + rename), so a reader never sees a half-written file. */
    public static void write(Path file, byte[] key, int[] ids) {
        if (key.length != 32) throw new IllegalArgumentException("key must be 32 bytes");
        ByteBuffer b = ByteBuffer.allocate(HEADER + 4 * ids.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put(key).putInt(ids.length);
        b.asIntBuffer().put(ids);
        try {
            AtomicFiles.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
