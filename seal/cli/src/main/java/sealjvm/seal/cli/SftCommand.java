package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.edit.Target;
import sealjvm.seal.sft.LoraSft;

/** {@code seal sft --texts texts.txt --out ADAPTER_DIR}: LoRA fine-tuning whose result is an edit, saved as a PEFT adapter. */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = "LoRA-fine-tune the model on texts (one per line; blank lines skipped) and write the result as a Hugging Face PEFT "
                + "adapter (the same low-rank edit type SEAL applies). Prints one JSON line with the loss of each step.")
final class SftCommand implements Callable<Integer> {
    @Mixin ModelOption model;

    @Option(names = "--texts", paramLabel = "FILE", description = "UTF-8 text file, one training text per line (required).")
    Path texts;

    /** The name --texts was given under (its former name --data still works), for the errors. */
    private String textsName = "--texts";

    @Option(names = "--data", hidden = true, paramLabel = "FILE", description = "Former name of --texts.")
    void data(Path file) {
        texts = file;
        textsName = "--data";
    }

    @Option(names = "--out", required = true, paramLabel = "ADAPTER_DIR", description = "Where to write adapter_config.json + adapter_model.safetensors.")
    Path out;

    @Option(names = "--targets", defaultValue = "h.*.mlp.c_fc,h.*.mlp.c_proj", description = "Linears to adapt (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(names = "--rank", defaultValue = "8", description = "Rank r of the LoRA (default: ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--alpha", defaultValue = "16", description = "LoRA α (default: ${DEFAULT-VALUE}).") float alpha;
    @Option(names = "--steps", defaultValue = "20", description = "Optimizer steps (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--batch", defaultValue = "4", description = "Texts per step, taken in order, cycling (default: ${DEFAULT-VALUE}).") int batch;
    @Mixin SeedOption seed;   // the adapter's initialization

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (texts == null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--texts=FILE'");
        // Every option, the targets against the model's config and the output folder, before any work.
        Checks.atLeast("--rank", rank, 1);
        Checks.finite("--alpha", alpha);
        Checks.atLeast("--steps", steps, 0);
        Checks.positive("--lr", lr);
        Checks.atLeast("--batch", batch, 1);
        if (Files.exists(out) && !Files.isDirectory(out)) throw Checks.bad("--out", out, "is a file, not an adapter folder");
        if (Files.isDirectory(texts)) throw Checks.bad(textsName, texts, "is a directory, not a text file");
        var config = model.config();
        Checks.targets("--targets", targets, config);
        long perTarget = 0;
        for (var t : Target.parse(targets, config)) perTarget += (long) rank * (t.in() + t.out());
        Checks.fitsMemory("--rank " + rank + " over --targets " + targets + ": the LoRA factors (with gradients and Adam state)", 4.0 * 6 * perTarget);
        List<String> lines;
        try {
            lines = Files.readAllLines(texts, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(textsName + " " + texts + ": no such file");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(textsName + " " + texts + ": not valid UTF-8");
        }
        Gpt2Tokenizer tok = model.tokenizer();
        try (Gpt2Model m = model.load(); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(m.params);
             LoraSft sft = new LoraSft(m, edits, Target.parse(targets, m.config))) {
            List<LoraSft.Example> examples = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                int[] ids = tok.encode(lines.get(i));
                if (ids.length < 2) throw new IllegalArgumentException(textsName + " " + texts + ": line " + (i + 1) + " has fewer than 2 tokens");
                if (ids.length > m.config.nPositions()) {
                    throw new IllegalArgumentException(textsName + " " + texts + ": line " + (i + 1) + " has " + ids.length + " tokens, more than n_positions=" + m.config.nPositions());
                }
                examples.add(LoraSft.Example.of(ids));
            }
            if (examples.isEmpty()) throw new IllegalArgumentException(textsName + " " + texts + ": no texts");
            LoraSft.Result r = sft.train(examples, new LoraSft.Options(rank, alpha, steps, lr, batch, seed.seed), arena);
            for (int i = 0; i < r.losses().length; i++) {
                if (!Double.isFinite(r.losses()[i])) {
                    throw new IllegalStateException("the loss of step " + (i + 1) + " is " + r.losses()[i] + " (diverged; try a smaller --lr than " + lr + "); no adapter written to " + out);
                }
            }
            if (!Double.isFinite(r.edit().frobeniusNorm())) {
                throw new IllegalStateException("the fine-tuned ΔW is not finite (diverged; try a smaller --lr than " + lr + "); no adapter written to " + out);
            }
            PeftAdapter.write(out, r.edit(), model.dir().toAbsolutePath().toString());
            ObjectNode line = new ObjectMapper().createObjectNode();
            line.put("adapter", out.toString()).put("texts", examples.size()).put("steps", steps);
            var losses = line.putArray("loss");
            for (double l : r.losses()) losses.add(l);
            line.put("delta_norm", r.edit().frobeniusNorm());
            System.out.println(line);
        }
        return 0;
    }
}
