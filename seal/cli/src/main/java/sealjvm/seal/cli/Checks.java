package sealjvm.seal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.ModelFormatException;
import sealjvm.seal.edit.Target;

/**
 * Checks of command-line values, run before a command writes or prints anything; each failure is one
 * {@link IllegalArgumentException} naming the option and the value.
 */
final class Checks {
    private Checks() {}

    static IllegalArgumentException bad(String option, Object value, String why) {
        return new IllegalArgumentException(option + " " + value + ": " + why);
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) throw bad(option, value, "must be >= " + min);
    }

    static void finite(String option, double value) {
        if (!Double.isFinite(value)) throw bad(option, value, "must be a finite number");
    }

    static void positive(String option, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw bad(option, value, "must be a finite number > 0");
    }

    static void nonNegative(String option, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) throw bad(option, value, "must be a finite number >= 0");
    }

    /** The config.json of a model folder, read (cheaply) before the model is loaded. */
    static Gpt2Config modelConfig(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir + ": " + (Files.isSymbolicLink(dir) && !Files.exists(dir) ? "a symbolic link that does not resolve (dangling, or a loop)"
                    : Files.exists(dir) ? "not a directory" : "not found") + " (expected a Hugging Face GPT-2 model directory)");
        }
        return Gpt2Config.read(dir.resolve("config.json"));
    }

    static List<Target> targets(String option, String pattern, Gpt2Config c) {
        try {
            return Target.parse(pattern, c);
        } catch (IllegalArgumentException e) {
            throw bad(option, pattern, e.getMessage());
        }
    }

    /** Heap the JVM can still give: its maximum less what is in use. */
    static long heapAvailable() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /** Refuses, in one line, an allocation of {@code bytes} that cannot fit the heap. */
    static void fitsHeap(String what, double bytes) {
        long avail = heapAvailable();
        if (bytes > avail) {
            throw new IllegalArgumentException(what + " needs " + gb(bytes) + " of memory, more than the " + gb(avail)
                    + " of heap available (maximum " + gb(Runtime.getRuntime().maxMemory()) + "; raise it with SEAL_JAVA_OPTS=-Xmx...)");
        }
    }

    /** Refuses, in one line, off-heap memory of {@code bytes} beyond what the machine has available (/proc/meminfo). */
    static void fitsMemory(String what, double bytes) {
        long avail = memAvailable();
        if (avail > 0 && bytes > avail) {
            throw new IllegalArgumentException(what + " needs " + gb(bytes) + " of memory, more than the " + gb(avail) + " this machine has available");
        }
    }

    private static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no check
        }
        return -1;
    }

    static String gb(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** An output file: not a directory, and its folder exists or can be made (checked without creating it). */
    static void outputFile(String option, Path file) {
        if (Files.isDirectory(file)) throw bad(option, file, "is a directory; give a file name");
        Path parent = file.toAbsolutePath().getParent();
        for (Path p = parent; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) throw bad(option, file, p + " is not a directory");
                if (!Files.isWritable(p)) throw bad(option, file, "cannot write in " + p + " (permission denied)");
                return;
            }
        }
    }

    /** A UTF-8 text file ('-' = stdin), strictly decoded; one clear line naming {@code option} on a missing file or a bad byte. */
    static String readUtf8(java.nio.file.Path f, String option) throws java.io.IOException {
        byte[] bytes;
        if (f.toString().equals("-")) {
            bytes = System.in.readAllBytes();
        } else {
            if (java.nio.file.Files.isDirectory(f)) throw bad(option, f, "is a directory, not a text file");
            try {
                bytes = java.nio.file.Files.readAllBytes(f);
            } catch (java.nio.file.NoSuchFileException e) {
                throw bad(option, f, "no such file");
            }
        }
        try {
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException(option + " " + f + ": not valid UTF-8");
        }
    }
}
