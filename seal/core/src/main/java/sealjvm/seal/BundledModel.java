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
     * "question? A: answer" format, so an edit has to teach the facts, not the format. The default of
     * {@code train --task facts} and {@code train --method text}.
     */
    public static final String RC_NAME = "gpt2-brown-rc";

    public static Path rcDir(Path home) { return home.resolve("weights/models").resolve(RC_NAME); }

    /** The default model of a training run: {@link #RC_NAME} for the facts task and text self-edits, else {@link #NAME}. */
    public static Path forTraining(Path home, String task, String method) {
        return "facts".equals(task) || "text".equals(method) ? rcDir(home) : dir(home);
    }
}
