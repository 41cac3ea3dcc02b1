package sealjvm.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Per-core cache sizes the kernels block for, read once from Linux's sysfs ({@code /sys/devices/system/cpu/cpu0/cache});
 * where that cannot be read (another OS, a container hiding it), the sizes of this project's build machines (48 KiB L1
 * data, 2 MiB L2). Blocking by these changes speed only, never a result.
 */
final class CpuCaches {
    private static final Path DIR = Path.of("/sys/devices/system/cpu/cpu0/cache");
    private static final long L1_DATA = size(1, "Data", 48 << 10), L2 = size(2, "Unified", 2 << 20);

    private CpuCaches() {}

    /** Bytes of level-1 data cache per core. */
    static int l1Data() { return (int) L1_DATA; }

    /** Bytes of level-2 cache per core. */
    static long l2() { return L2; }

    private static long size(int level, String type, long fallback) {
        for (int i = 0; i < 8; i++) {
            Path index = DIR.resolve("index" + i);
            try {
                if (!Files.isDirectory(index)) break;
                if (Integer.parseInt(Files.readString(index.resolve("level")).trim()) != level) continue;
                if (!Files.readString(index.resolve("type")).trim().equals(type)) continue;
                long bytes = parseSize(Files.readString(index.resolve("size")).trim());
                return bytes > 0 ? bytes : fallback;
            } catch (IOException | NumberFormatException | SecurityException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /** sysfs sizes: "48K", "2048K", "32M", or plain bytes. */
    static long parseSize(String s) {
        if (s.isEmpty()) throw new NumberFormatException("empty size");
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = switch (unit) { case 'K' -> 1L << 10; case 'M' -> 1L << 20; case 'G' -> 1L << 30; default -> 1; };
        return Long.parseLong(scale == 1 ? s : s.substring(0, s.length() - 1)) * scale;
    }
}
