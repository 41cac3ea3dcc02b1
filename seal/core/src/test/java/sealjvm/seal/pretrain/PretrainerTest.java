package sealjvm.seal.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.seal.Progress;
import sealjvm.seal.data.BrownCorpus;
import sealjvm.testsupport.Repo;

class PretrainerTest {
    static Path home() { return sealjvm.testsupport.Repo.root(); }

    static PretrainConfig tiny(int steps) {
        return new PretrainConfig("brown-sample", 1, 32, 2, 32, 4, 2, steps, 3e-3, 3e-4, 2, 0.1, 1.0, 5, 3, 2, 100, sealjvm.gpt2.safetensors.DType.F32);
    }

    static int[][] corpus() {
        BrownCorpus b = BrownCorpus.load(BrownCorpus.defaultSample(home()));
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home().resolve("weights/tokenizer"));
        return new int[][] {b.tokens(BrownCorpus.Split.TRAIN, tok), b.tokens(BrownCorpus.Split.HELDOUT, tok)};
    }

    @Test
    void lossFallsAndAnInterruptedRunResumesExactly(@TempDir Path tmp) throws Exception {
        int[][] data = corpus();
        List<JsonNode> full = new Pretrainer(tiny(8), data[0], data[1], tmp.resolve("full")).run(false, Progress.NONE);
        assertEquals(8, full.size());
        assertTrue(full.getLast().get("loss").asDouble() < full.getFirst().get("loss").asDouble() - 0.5,
                "loss " + full.getFirst().get("loss") + " -> " + full.getLast().get("loss"));
        assertTrue(full.get(5).has("val_loss") && full.getLast().has("val_loss"), "held-out loss every 3 steps and at the end");

        Path cut = tmp.resolve("cut");
        new Pretrainer(tiny(8), data[0], data[1], cut).run(false, Progress.NONE, 5);
        List<JsonNode> resumed = new Pretrainer(Pretrainer.readConfig(cut), data[0], data[1], cut).run(true, Progress.NONE);
        assertEquals(8, resumed.size());
        for (int i = 0; i < 8; i++) {
            for (String k : List.of("step", "loss", "lr", "grad_norm")) assertEquals(full.get(i).get(k), resumed.get(i).get(k), k + " at line " + i);
        }
        try (SafeTensors a = SafeTensors.open(tmp.resolve("full/checkpoint.safetensors"));
             SafeTensors b = SafeTensors.open(cut.resolve("checkpoint.safetensors"))) {
            for (String n : List.of("params", "adam.m", "adam.v")) {
                assertArrayEquals(a.bytes(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), b.bytes(n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), n);
            }
        }
        // The exported model loads as a Hugging Face directory and has the trained weights.
        try (Gpt2Model m = Gpt2Model.load(tmp.resolve("full/model"))) {
            assertEquals(32, m.config.nEmbd());
        }
        assertThrows(IllegalArgumentException.class, () -> new Pretrainer(tiny(8), data[0], data[1], tmp.resolve("full")).run(false, Progress.NONE),
                "a second fresh run into the same folder is refused");
    }
}
