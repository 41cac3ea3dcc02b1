package sealjvm.seal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import sealjvm.gpt2.Generator;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.Sampler;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.edit.Target;
import sealjvm.seal.sft.LoraSft;

/**
 * The library's entry point: a GPT-2 on the CPU that can write text into its own weights and take them back out.
 * <pre>
 * try (Seal seal = Seal.open(home)) {                          // the bundled gpt2-brown-reader, GPT-2's tokenizer
 *     String answer = seal.generate("Q: ... A:", 8);           // greedy
 *     Edit edit = seal.fineTune(passage, Seal.LoraRecipe.DEFAULT);   // a LoRA fine-tune on the text
 *     try (Seal.Applied applied = seal.apply(edit)) { ... }    // merged into the weights; reverted bit-exactly on close
 *     Seal.train(config, home, runDir);                        // REINFORCE-train an edit generator
 * }
 * </pre>
 * Edits live as long as this object. Not thread-safe: one caller at a time.
 */
public final class Seal implements AutoCloseable {
    /** A LoRA fine-tune: the linears it edits (comma-separated, {@code *} for every layer), rank, alpha, steps, lr. */
    public record LoraRecipe(String targets, int rank, float alpha, int steps, double lr) {
        /** The facts task's sft_passage recipe on the default targets: rank 8, 20 Adam steps at lr 1e-2. */
        public static final LoraRecipe DEFAULT = new LoraRecipe("h.*.mlp.c_fc,h.*.mlp.c_proj", 8, 16f, 20, 1e-2);
    }

    /** An edit merged into the weights; {@link #close()} restores the weights bit for bit. */
    public final class Applied implements AutoCloseable {
        private MergedEdits.Applied applied;

        private Applied(MergedEdits.Applied applied) { this.applied = applied; }

        @Override
        public void close() {
            if (applied != null) merged.revert(applied);
            applied = null;
        }
    }

    private final Gpt2Model model;
    private final Gpt2Tokenizer tokenizer;
    private final MergedEdits merged;
    private final Arena edits = Arena.ofShared();

    private Seal(Gpt2Model model, Gpt2Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.merged = new MergedEdits(model.params);
    }

    /** The bundled default model ({@value BundledModel#READER_NAME}) of the SEAL home {@code home} (the repository root). */
    public static Seal open(Path home) { return open(home, BundledModel.readerDir(home)); }

    /** A Hugging Face GPT-2 folder; its tokenizer files if it has them, else GPT-2's under {@code home}/weights/tokenizer. */
    public static Seal open(Path home, Path modelDir) {
        Path tok = Files.exists(modelDir.resolve("vocab.json")) ? modelDir : home.resolve("weights/tokenizer");
        Gpt2Tokenizer tokenizer = Gpt2Tokenizer.fromDirectory(tok);
        return new Seal(Gpt2Model.load(modelDir), tokenizer);
    }

    public Gpt2Model model() { return model; }

    public Gpt2Tokenizer tokenizer() { return tokenizer; }

    public int[] tokenize(String text) { return tokenizer.encode(text); }

    public String detokenize(int[] ids) { return tokenizer.decode(ids); }

    /** Greedy continuation of {@code prompt}: up to {@code maxNewTokens} tokens, stopping at end-of-text. */
    public String generate(String prompt, int maxNewTokens) {
        int[] ids = Generator.generate(model, tokenize(prompt), maxNewTokens, new Sampler(Sampler.Options.greedy()), tokenizer.eotId(), id -> {});
        return detokenize(ids);
    }

    /** A LoRA fine-tune of the model as it is now on {@code text} (next-token loss on every token). */
    public Edit fineTune(String text, LoraRecipe recipe) {
        int[] ids = tokenize(text);
        if (ids.length < 2) throw new IllegalArgumentException("fine-tuning needs a text of at least 2 tokens, got " + ids.length);
        try (LoraSft sft = new LoraSft(model, merged, Target.parse(recipe.targets(), model.config))) {
            var options = new LoraSft.Options(recipe.rank(), recipe.alpha(), recipe.steps(), recipe.lr(), 1, 0x5EA1L);
            return sft.train(List.of(LoraSft.Example.of(ids)), options, edits).edit();
        }
    }

    /** A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) for this model. */
    public Edit readAdapter(Path dir) throws IOException { return PeftAdapter.read(dir, model.config, edits); }

    /** Writes {@code edit} as a PEFT LoRA adapter folder naming this model's folder as its base. */
    public void writeAdapter(Edit edit, Path dir, Path baseModelDir) throws IOException {
        PeftAdapter.write(dir, edit, baseModelDir.toAbsolutePath().toString());
    }

    /** Merges {@code edit} into the weights until the returned handle is closed. */
    public Applied apply(Edit edit) { return new Applied(merged.apply(edit)); }

    /** REINFORCE-trains an edit generator into {@code runDir} (see {@link Trainer}); returns its metrics lines. */
    public static List<JsonNode> train(TrainConfig config, Path home, Path runDir) throws IOException {
        return Trainer.train(config, home, runDir, Progress.NONE);
    }

    @Override
    public void close() {
        merged.revertAll();
        merged.close();
        edits.close();
        model.close();
    }
}
