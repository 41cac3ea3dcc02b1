package sealjvm.seal.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.seal.EditExport;
import sealjvm.seal.text.TextEditExport;
import sealjvm.seal.text.TextSealTrainer;

/** {@code seal edit --run RUN --context FILE|- --out ADAPTER_DIR}: a trained run's self-edit for any text, as a PEFT adapter. */
@Command(name = "edit", mixinStandardHelpOptions = true,
        description = {"Write a trained run's edit for the given text as a PEFT adapter folder of the run's model (use it with --adapter): "
                + "generator runs export the generator's edit for the text as its context; text runs (--method text) let the trained policy "
                + "write a self-edit for it and export the LoRA the inner fine-tune trains to, with the self-edit in ADAPTER_DIR/self_edit.txt.",
                "Prints one JSON line (adapter, base_model, delta_norm, ...)."})
final class EditCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "A run folder of bin/seal train.") Path run;
    @Option(names = "--context", required = true, paramLabel = "FILE|-", description = "The text to make an edit for: a UTF-8 file, or - for stdin.") Path context;
    @Option(names = "--out", required = true, paramLabel = "ADAPTER_DIR", description = "The adapter folder to write (atomically; must not exist or be empty).") Path out;
    @Mixin SeedOption seed;   // text runs: the self-edit's sampling and the fine-tune

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(run)) throw Checks.bad("--run", run, Files.exists(run) ? "is not a folder" : "not found");
        if (!Files.isRegularFile(run.resolve("config.json"))) throw Checks.bad("--run", run, "has no config.json (not a run folder of bin/seal train)");
        if (Files.exists(out) && !Files.isDirectory(out)) throw Checks.bad("--out", out, "is a file, not an adapter folder");
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) throw Checks.bad("--out", out, "exists and is not empty (choose a new folder)");
            }
        }
        String text = Checks.readUtf8(context, "--context");
        boolean textRun = TextSealTrainer.isTextRun(run);
        System.out.println(textRun ? TextEditExport.export(SealCli.home(), run, text, seed.seed, out) : EditExport.generator(SealCli.home(), run, text, out));
        return 0;
    }
}
