package sealjvm.seal;

import java.nio.file.Path;

/** The default model every command uses without {@code --model}: a folder under weights/models. */
public final class BundledModel {
    private BundledModel() {}

    public static final String NAME = "gpt2-brown";

    public static Path dir(Path home) { return home.resolve("weights/models").resolve(NAME); }
}
