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
     * "question? A: answer" format, so an edit has to teach the facts, not the format; it does not read answers from
     * its context. The base of {@link #READER_NAME}.
     */
    public static final String RC_NAME = "gpt2-brown-rc";

    public static Path rcDir(Path home) { return home.resolve("weights/models").resolve(RC_NAME); }

    /**
     * {@link #RC_NAME} continued on Brown with three times as many tokens of RC documents until it copies answers out
     * of a passage in its context (24.6% of the facts eval questions, 1.5% without the passage): a base whose
     * fine-tune on a passage can store what it read. The default of {@code train --task facts}, {@code train
     * --method text} and {@code Seal.open}.
     */
    public static final String READER_NAME = "gpt2-brown-reader";

    public static Path readerDir(Path home) { return home.resolve("weights/models").resolve(READER_NAME); }

    /** The default model of a training run: {@link #READER_NAME} for the facts task and text self-edits, else {@link #NAME}. */
    public static Path forTraining(Path home, String task, String method) {
        return "facts".equals(task) || "text".equals(method) ? readerDir(home) : dir(home);
    }
}
