package sealjvm.seal.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.RunDir;
import sealjvm.seal.SealLoop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.PeftAdapter;
import sealjvm.tensor.AtomicFiles;

/**
 * A text run's edit for any passage: the trained policy (base + its policy adapter) writes one self-edit for the
 * passage, and the run's inner loop fine-tunes the base model on passage + self-edit; the LoRA it trains to is
 * written as a PEFT adapter, with the self-edit's text beside it ({@code self_edit.txt}).
 */
public final class TextEditExport {
    private TextEditExport() {}

    /** File with the self-edit text, in the adapter folder. */
    public static final String SELF_EDIT_FILE = "self_edit.txt";

    public static ObjectNode export(Path home, Path runDir, String text, long seed, Path out) throws IOException {
        TextSealConfig c = TextSealTrainer.readConfig(runDir);
        Path modelDir = Path.of(c.model());
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, TextSealTrainer.tokenizer(home, modelDir));
             Arena arena = Arena.ofShared()) {
            int[] passage = seal.tokenizer.encode(text);
            if (passage.length == 0) throw new IllegalArgumentException("--context is empty: give at least one token of text");
            Edit policy = TextSealTrainer.loadPolicy(runDir, model, arena);
            int[] prompt = seal.prompt(passage);
            int[] selfEdit = seal.selfEdits(prompt, policy, 1, seed).getFirst();
            Edit edit = seal.learn(passage, selfEdit, SealLoop.mix(seed, 1), arena);
            String selfEditText = seal.tokenizer.decode(selfEdit);
            AtomicFiles.writeDirectory(out, tmp -> {
                PeftAdapter.write(tmp, edit, c.model());
                RunDir.writeAtomically(tmp.resolve(SELF_EDIT_FILE), selfEditText.getBytes(StandardCharsets.UTF_8));
            });
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("adapter", out.toString()).put("run", runDir.toString()).put("method", "text").put("base_model", c.model())
                    .put("rounds_trained", TextSealTrainer.roundsDone(runDir)).put("self_edit", selfEditText)
                    .put("inner_targets", c.innerTargets()).put("delta_norm", edit.frobeniusNorm());
            return o;
        }
    }
}
