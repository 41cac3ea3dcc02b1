package sealjvm.seal;

import java.nio.file.Path;

/** The default model every command uses without {@code --model}: a folder under weights/models. */
public final class BundledModel {
    private BundledModel() {}

    public static final String NAME = "gpt2-brown";

    public static Path dir(Path home) { return home.resolve("weights/models").resolve(NAME); }

    /**
     * gpt2-brown continued on Brown mixed with synthetic reading-comprehension documents
     * ({@code pretrain --init weights/models/gpt2-brown --corpus brown+rc}): it knows the facts task's
     * "question? A: answer" format. Not yet any command's default.
     */
    public static final String RC_NAME = "gpt2-brown-rc";

    public static Path rcDir(Path home) { return home.resolve("weights/models").resolve(RC_NAME); }
}
