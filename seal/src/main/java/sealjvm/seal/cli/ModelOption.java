package sealjvm.seal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;

/** {@code --model DIR}, shared by the commands that load a model or its tokenizer. */
final class ModelOption {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face GPT-2 directory (config.json, model.safetensors[, vocab.json, merges.txt]). "
                    + "Default: the bundled model in weights/models.")
    Path model;

    Path dir() { return model != null ? model : SealCli.defaultModel(); }

    Gpt2Model load() { return Gpt2Model.load(dir()); }

    /** The model directory's own vocab.json + merges.txt, else GPT-2's, bundled in weights/tokenizer. */
    Gpt2Tokenizer tokenizer() {
        Path d = dir();
        if (Files.exists(d.resolve("vocab.json")) && Files.exists(d.resolve("merges.txt"))) return Gpt2Tokenizer.fromDirectory(d);
        Path bundled = SealCli.home().resolve("weights/tokenizer");
        if (!Files.isDirectory(d)) throw new IllegalArgumentException(d + ": not a directory (expected a Hugging Face GPT-2 model directory)");
        return Gpt2Tokenizer.fromDirectory(bundled);
    }
}
