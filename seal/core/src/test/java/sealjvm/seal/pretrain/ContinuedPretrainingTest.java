package sealjvm.seal.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.seal.Progress;
import sealjvm.seal.data.Facts;

/** {@code --init} (continued pretraining) and the {@code brown+rc} mixture, on the 3-file Brown sample. */
class ContinuedPretrainingTest {
    static PretrainConfig tinyRc(int steps, String init, int rcDocs) {
        return new PretrainConfig("brown-sample+rc", 1, 32, 2, 32, 4, 1, steps, 3e-3, 3e-4, 1, 0.1, 1.0, 5, 2, 2, 100, sealjvm.gpt2.safetensors.DType.F32, init, rcDocs);
    }

    private static int[][] brownSample;

    /** The Brown sample's train and held-out tokens, tokenized once for the class. */
    static synchronized int[][] brown() {
        if (brownSample == null) brownSample = PretrainerTest.corpus();
        return brownSample;
    }

    /** A base model to continue from: GPT-2 initialization (seed 9) of the tiny shape, saved in F32 (exact). */
    static Path baseModel(Path tmp, int context) throws java.io.IOException {
        Path dir = tmp.resolve("base");
        try (Gpt2Model m = Gpt2Model.create(new Gpt2Config(32, 2, 1, context, Pretrainer.VOCAB, 1e-5f, "gelu_new"), true)) {
            Pretrainer.initialize(m, 9);
            m.save(dir, sealjvm.gpt2.safetensors.DType.F32);
        }
        return dir;
    }

    @Test
    void startsFromTheInitModelOnTheMixtureAndResumesExactly(@TempDir Path tmp) throws Exception {
        int[][] brown = brown();
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(PretrainerTest.home().resolve("weights/tokenizer"));
        Path base = baseModel(tmp, 32);

        // initializeFrom copies the base model's parameters exactly.
        try (Gpt2Model m = Gpt2Model.create(new Gpt2Config(32, 2, 1, 32, Pretrainer.VOCAB, 1e-5f, "gelu_new"), true);
             Gpt2Model b = Gpt2Model.load(base)) {
            Pretrainer.initializeFrom(m, base);
            for (long i = 0; i < m.params.all.size(); i++) assertEquals(b.params.all.get(i), m.params.all.get(i));
        }

        int[] mixed = CorpusMix.brownPlusRc(brown[0], 60, tok);
        PretrainConfig c = tinyRc(6, base.toString(), 60);
        List<JsonNode> full = new Pretrainer(c, mixed, brown[1], tmp.resolve("full")).run(false, Progress.NONE);
        // Step 1's loss is the base model's loss on step 1's windows: the run started from its parameters.
        try (Gpt2Model b = Gpt2Model.load(base); Gpt2Backprop bp = new Gpt2Backprop(b, c.batch(), c.context())) {
            int[][] xy = Pretrainer.windows(mixed, c.batch(), c.context(), new SplittableRandom(c.seed() * 0x9E3779B97F4A7C15L));
            assertEquals((double) bp.forward(xy[0], xy[1]), full.getFirst().get("loss").asDouble());
        }

        Path cut = tmp.resolve("cut");
        new Pretrainer(c, mixed, brown[1], cut).run(false, Progress.NONE, 3);
        PretrainConfig back = Pretrainer.readConfig(cut);
        assertEquals(c, back);
        int[] rebuilt = CorpusMix.brownPlusRc(brown[0], back.rcDocs(), tok);   // what --resume rebuilds from the config
        assertArrayEquals(mixed, rebuilt);
        List<JsonNode> resumed = new Pretrainer(back, rebuilt, brown[1], cut).run(true, Progress.NONE);
        assertEquals(6, resumed.size());
        for (int i = 0; i < 6; i++) {
            for (String k : List.of("step", "loss", "lr", "grad_norm")) assertEquals(full.get(i).get(k), resumed.get(i).get(k), k + " at line " + i);
        }
        try (SafeTensors a = SafeTensors.open(tmp.resolve("full/checkpoint.safetensors"));
             SafeTensors b = SafeTensors.open(cut.resolve("checkpoint.safetensors"))) {
            for (String n : List.of("params", "adam.m", "adam.v")) {
                assertArrayEquals(a.bytes(n).toArray(ValueLayout.JAVA_BYTE), b.bytes(n).toArray(ValueLayout.JAVA_BYTE), n);
            }
        }
    }

    @Test
    void theInitModelsShapeIsChecked(@TempDir Path tmp) throws Exception {
        int[][] brown = brown();
        String base = baseModel(tmp, 32).toString();
        PretrainConfig wider = new PretrainConfig("brown-sample", 1, 64, 2, 32, 4, 1, 2, 3e-3, 3e-4, 1, 0.1, 1.0, 5, 2, 2, 100, sealjvm.gpt2.safetensors.DType.F32, base, 0);
        PretrainConfig longer = new PretrainConfig("brown-sample", 1, 32, 2, 64, 4, 1, 2, 3e-3, 3e-4, 1, 0.1, 1.0, 5, 2, 2, 100, sealjvm.gpt2.safetensors.DType.F32, base, 0);
        for (PretrainConfig bad : List.of(wider, longer)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Pretrainer(bad, brown[0], brown[1], tmp.resolve("x")).run(false, Progress.NONE));
            assertTrue(e.getMessage().contains("--init"), e.getMessage());
            assertTrue(!Files.exists(tmp.resolve("x")), "nothing written for a bad --init");
        }
        assertThrows(IllegalArgumentException.class, () -> new Pretrainer(tinyRc(2, tmp.resolve("nothing").toString(), 5), brown[0], brown[1], tmp.resolve("y")).run(false, Progress.NONE));
        assertThrows(IllegalArgumentException.class, () -> tinyRc(2, null, 0), "a +rc corpus needs RC documents");
    }

    @Test
    void oldConfigsReadWithoutInitOrRcDocs(@TempDir Path tmp) throws Exception {
        Files.copy(PretrainerTest.home().resolve("weights/models/gpt2-brown/pretrain_config.json"), tmp.resolve("pretrain_config.json"));
        PretrainConfig c = Pretrainer.readConfig(tmp);
        assertNull(c.init());
        assertEquals(0, c.rcDocs());
        assertEquals("brown", c.corpus());
        assertEquals(2000, c.steps());
    }

    @Test
    void theMixtureInterleavesWholeDocumentsInProportion() {
        List<int[]> a = List.of(new int[] {1, 2, 0}, new int[] {3, 0}, new int[] {4, 5, 6, 0}, new int[] {7, 0});
        List<int[]> b = List.of(new int[] {8, 0}, new int[] {9, 0}, new int[] {10, 11, 0});
        assertEquals(a.size(), CorpusMix.documents(new int[] {1, 2, 0, 3, 0, 4, 5, 6, 0, 7, 0}, 0).size());
        int[] mix = CorpusMix.interleave(a, b);
        assertArrayEquals(new int[] {1, 2, 0, 8, 0, 3, 0, 9, 0, 4, 5, 6, 0, 10, 11, 0, 7, 0}, mix);

        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(PretrainerTest.home().resolve("weights/tokenizer"));
        int[] brown = brown()[0];
        int[] m = CorpusMix.brownPlusRc(brown, 40, tok);
        List<int[]> docs = CorpusMix.documents(m, tok.eotId());
        assertEquals(CorpusMix.documents(brown, tok.eotId()).size() + 40, docs.size());
        long rcTokens = CorpusMix.rcDocuments(40, tok).stream().mapToLong(d -> d.length).sum();
        assertEquals(brown.length + rcTokens, m.length);
        assertEquals(Facts.rcDocument(Facts.rcPassages(1).getFirst()) + "<|endoftext|>",
                tok.decode(CorpusMix.rcDocuments(1, tok).getFirst()));
    }
}
