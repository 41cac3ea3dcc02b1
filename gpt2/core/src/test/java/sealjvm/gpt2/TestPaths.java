package sealjvm.gpt2;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's {@code weights/} folder for tests. */
public final class TestPaths {

    private TestPaths() {}

    /**
     * The {@code weights/} folder: the system property {@code seal.weights} if set, else the first
     * {@code weights/} that holds {@code tokenizer/vocab.json}, walking up from the working directory
     * (Maven runs module tests from the module folder, IDEs often from the repository root).
     */
    public static Path weights() {
        String property = System.getProperty("seal.weights");
        if (property != null && !property.isBlank()) {
            Path p = Path.of(property).toAbsolutePath().normalize();
            if (!Files.isDirectory(p)) throw new IllegalStateException("-Dseal.weights=" + property + " is not a directory");
            return p;
        }
        Path start = Path.of("").toAbsolutePath().normalize();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path weights = dir.resolve("weights");
            if (Files.isRegularFile(weights.resolve("tokenizer").resolve("vocab.json"))) return weights;
        }
        throw new IllegalStateException("no weights/tokenizer/vocab.json in " + start + " or any parent; set -Dseal.weights");
    }
}
