package sealjvm.seal.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root (the directory holding weights/fixtures), found from the working directory up. */
public final class TestHome {
    private TestHome() {}

    public static Path find() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("weights/fixtures"))) return d;
        }
        throw new IllegalStateException("repository root with weights/fixtures not found");
    }
}
