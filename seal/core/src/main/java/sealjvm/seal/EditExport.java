package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.seal.policy.ContentSignal;
import sealjvm.seal.policy.EditGenerator;
import sealjvm.seal.task.Scoring;
import sealjvm.tensor.AtomicFiles;

/**
 * The trained edit generator's edit for any text, written as a PEFT adapter of the run's model: the text is read by the
 * frozen model as a context is during training (its last n_positions tokens), and the generator's mean edit for it is
 * exported (no sampling: the policy's mode).
 */
public final class EditExport {
    private EditExport() {}

    /** Writes the adapter folder {@code out} (atomically) and returns a JSON summary of what was written. */
    public static ObjectNode generator(Path home, Path runDir, String text, Path out) throws IOException {
        RunDir run = new RunDir(runDir);
        TrainConfig config = run.readConfig();
        if (!Files.exists(run.checkpoint())) throw new IllegalArgumentException(runDir + ": no checkpoint.safetensors (train the run first)");
        try (Setup setup = Setup.create(config, home, runDir); ContentSignal content = SealLoop.contentSignal(config, setup, runDir); Arena arena = Arena.ofShared()) {
            SealLoop.State state = SealLoop.initialState(config, setup);
            run.loadCheckpoint(state);
            int[] ids = setup.tokenizer().encode(text);
            if (ids.length == 0) throw new IllegalArgumentException("--context is empty: give at least one token of text");
            int P = setup.model().config.nPositions();
            int[] context = ids.length > P ? Arrays.copyOfRange(ids, ids.length - P, ids.length) : ids;
            EditGenerator gen = state.generator;
            Edit edit = SealLoop.edit(gen, gen.forward(Scoring.pooled(setup.backend(), context)).mean(),
                    content == null ? null : content.of(context), arena);
            AtomicFiles.writeDirectory(out, tmp -> PeftAdapter.write(tmp, edit, config.model()));
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("adapter", out.toString()).put("run", runDir.toString()).put("method", "generator").put("base_model", config.model())
                    .put("context_tokens", context.length).put("targets", config.targets()).put("delta_norm", edit.frobeniusNorm());
            return o;
        }
    }
}
