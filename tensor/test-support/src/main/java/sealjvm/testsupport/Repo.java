package sealjvm.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The repository the tests run in, found from the working directory upwards (Maven runs a module's tests from the
 * module's folder, IDEs often from the root): the first folder holding {@code weights/tokenizer/vocab.json}, or the
 * system property {@code seal.home} when set.
 */
public final class Repo {
    private Repo() {}

    private static Path root;

    /** The repository root. */
    public static synchronized Path root() {
        if (root == null) {
            String property = System.getProperty("seal.home");
            if (property != null && !property.isBlank()
                    && Files.isRegularFile(Path.of(property).resolve("weights/tokenizer/vocab.json"))) {
                root = Path.of(property).toAbsolutePath().normalize();
            } else {
                root = find("weights/tokenizer/vocab.json").map(f -> f.getParent().getParent().getParent())
                        .orElseThrow(() -> new IllegalStateException("no weights/tokenizer/vocab.json in "
                                + Path.of("").toAbsolutePath() + " or any parent; set -Dseal.home"));
            }
        }
        return root;
    }

    /** {@code relative} resolved against the repository root. */
    public static Path path(String relative) { return root().resolve(relative); }

    /** The {@code weights/} folder. */
    public static Path weights() { return path("weights"); }

    /** The first {@code relative} that exists, walking up from the working directory. */
    public static Optional<Path> find(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(relative);
            if (Files.exists(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
