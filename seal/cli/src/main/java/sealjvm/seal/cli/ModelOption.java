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

    /** The base model named by the first --adapter, used when --model is not given (set by {@link AdapterOption}). */
    Path adapterBase;

    Path dir() { return model != null ? model : adapterBase != null ? adapterBase : SealCli.defaultModel(); }

    Gpt2Model load() { return Gpt2Model.load(dir()); }

    Gpt2Model load(sealjvm.tensor.WeightFormat format) { return Gpt2Model.load(dir(), format); }

    /** The model's config.json, read without loading the weights (for checks made before any work). */
    sealjvm.gpt2.Gpt2Config config() { return Checks.modelConfig(dir()); }

    /**
     * The model directory's own vocab.json + merges.txt, else GPT-2's, bundled in weights/tokenizer. A folder with only
     * one of the two files is refused (not silently replaced by the bundled tokenizer), and so is a vocab.json with an
     * id the model's vocab_size does not cover.
     */
    Gpt2Tokenizer tokenizer() {
        Path d = dir();
        if (!Files.isDirectory(d)) Checks.modelConfig(d); // throws: not found / not a directory / a broken link
        boolean vocab = Files.exists(d.resolve("vocab.json")), merges = Files.exists(d.resolve("merges.txt"));
        if (vocab != merges) {
            throw new IllegalArgumentException(d.resolve(vocab ? "merges.txt" : "vocab.json") + ": not found, but " + (vocab ? "vocab.json" : "merges.txt")
                    + " is there (a tokenizer needs both files; with neither, GPT-2's bundled tokenizer is used)");
        }
        if (!vocab) return Gpt2Tokenizer.fromDirectory(SealCli.home().resolve("weights/tokenizer"));
        Gpt2Tokenizer t = Gpt2Tokenizer.fromDirectory(d);
        if (Files.exists(d.resolve("config.json"))) {
            int v = Checks.modelConfig(d).vocabSize();
            if (t.idLimit() > v) {
                throw new IllegalArgumentException(d.resolve("vocab.json") + ": id " + (t.idLimit() - 1) + " is not below vocab_size=" + v
                        + " of " + d.resolve("config.json"));
            }
        }
        return t;
    }
}
