package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.gpt2.safetensors.SafeTensorsWriter;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;
import sealjvm.testsupport.Fixtures;
import sealjvm.testsupport.Repo;

/** The forward pass against PyTorch: logits of every fixture model in weights/fixtures/models. */
class Gpt2ModelTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> fixtures() throws IOException {
        try (var s = Files.list(Repo.weights().resolve("fixtures/models"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static Path fixture(String name) { return Repo.weights().resolve("fixtures/models").resolve(name); }

    static int[][] inputIds(Path dir) { return Fixtures.inputIds(dir); }

    static double maxAbsDiff(Tensor a, Tensor b) {
        assertEquals(a.size(), b.size());
        double m = 0;
        for (long i = 0; i < a.size(); i++) m = Math.max(m, Math.abs(a.get(i) - b.get(i)));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void logitsMatchPyTorch(String name) throws IOException {
        Path dir = fixture(name);
        int[][] ids = inputIds(dir);
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared()) {
            Tensor want = Npy.read(dir.resolve("logits.npy"), arena);
            Tensor got = model.logits(ids, arena);
            assertArrayEquals(want.shape(), got.shape(), "logits shape");
            double err = maxAbsDiff(want, got);
            assertTrue(err <= 1e-4, name + ": max |logits - PyTorch| = " + err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void kvCacheDecodingEqualsFullRecomputation(String name) throws IOException {
        Path dir = fixture(name);
        int[][] ids = inputIds(dir);
        int B = ids.length, T = ids[0].length, V;
        try (Gpt2Model model = Gpt2Model.load(dir); Arena arena = Arena.ofShared()) {
            V = model.config.vocabSize();
            Tensor full = model.logits(ids, arena);
            KVCache cache = model.newCache(B, T, arena);
            // Feed a prefix of 1..3 tokens, then one token at a time, as generation does.
            int t0 = Math.min(T, 1 + T / 4);
            int pos = 0;
            while (pos < T) {
                int n = pos == 0 ? t0 : 1;
                int[] step = new int[B * n];
                for (int b = 0; b < B; b++) System.arraycopy(ids[b], pos, step, b * n, n);
                Tensor logits = model.forward(cache, step, n, arena);
                for (int b = 0; b < B; b++) {
                    for (int t = 0; t < n; t++) {
                        Tensor inc = logits.slice(((long) b * n + t) * V, V);
                        Tensor ref = full.slice(((long) b * T + pos + t) * V, V);
                        double err = maxAbsDiff(inc, ref);
                        assertTrue(err <= 1e-5, name + ": position " + (pos + t) + " differs by " + err);
                    }
                }
                pos += n;
            }
            assertEquals(T, cache.length());
        }
    }

    @Test
    void rejectsTokenIdsOutsideTheVocabulary() throws IOException {
        try (Gpt2Model model = Gpt2Model.load(fixture("tiny-f32")); Arena arena = Arena.ofShared()) {
            int V = model.config.vocabSize();
            var e = assertThrows(IllegalArgumentException.class, () -> model.logits(new int[][] {{1, V}}, arena));
            assertTrue(e.getMessage().contains("token id " + V), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.logits(new int[][] {{-1}}, arena));
        }
    }

    @Test
    void rejectsSequencesLongerThanTheContext() throws IOException {
        try (Gpt2Model model = Gpt2Model.load(fixture("tiny-f32")); Arena arena = Arena.ofShared()) {
            int[][] ids = {new int[model.config.nPositions() + 1]};
            var e = assertThrows(IllegalArgumentException.class, () -> model.logits(ids, arena));
            assertTrue(e.getMessage().contains("n_positions=" + model.config.nPositions()), e.getMessage());
        }
    }

    /** A copy of a fixture with {@code config.json} replaced, or a tensor dropped or reshaped. */
    static Path brokenCopy(Path tmp, String configJson, String dropTensor, String reshapeTensor) throws IOException {
        Path src = fixture("tiny-f32");
        if (configJson != null) Files.writeString(tmp.resolve("config.json"), configJson);
        else Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        try (SafeTensors st = SafeTensors.open(src.resolve("model.safetensors")); Arena arena = Arena.ofShared()) {
            Map<String, Tensor> tensors = new HashMap<>();
            for (String n : st.names()) {
                if (n.equals(dropTensor)) continue;
                Tensor t = st.readF32(n, arena);
                tensors.put(n, n.equals(reshapeTensor) ? t.view((int) t.size() / 2, 2) : t);
            }
            SafeTensorsWriter.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"), DType.F32);
        }
        return tmp;
    }

    @Test
    void missingTensorIsNamed(@TempDir Path tmp) throws IOException {
        var e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(brokenCopy(tmp, null, "h.1.mlp.c_fc.bias", null)));
        assertTrue(e.getMessage().contains("missing tensor 'h.1.mlp.c_fc.bias'"), e.getMessage());
    }

    @Test
    void shapeDisagreeingWithConfigIsNamed(@TempDir Path tmp) throws IOException {
        var e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(brokenCopy(tmp, null, null, "h.0.attn.c_proj.weight")));
        assertTrue(e.getMessage().contains("'h.0.attn.c_proj.weight'") && e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void configDisagreeingWithWeightsIsNamed(@TempDir Path tmp) throws IOException {
        String cfg = Files.readString(fixture("tiny-f32").resolve("config.json")).replace("\"n_layer\": 2", "\"n_layer\": 3");
        var e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(brokenCopy(tmp, cfg, null, null)));
        assertTrue(e.getMessage().contains("missing tensor 'h.2."), e.getMessage());
    }

    @Test
    void missingOrInvalidConfigIsNamed(@TempDir Path tmp) throws IOException {
        Files.createDirectories(tmp.resolve("empty"));
        var e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(tmp.resolve("empty")));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("not found"), e.getMessage());

        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(bad.resolve("config.json"), "{\"n_embd\": 32, ");
        e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(bad));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("not valid JSON"), e.getMessage());

        Files.writeString(bad.resolve("config.json"), "{\"n_embd\": 32, \"n_head\": 4, \"n_layer\": 2, \"n_positions\": 64}");
        e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(bad));
        assertTrue(e.getMessage().contains("missing field \"vocab_size\""), e.getMessage());

        Files.writeString(bad.resolve("config.json"), "{\"n_embd\": 30, \"n_head\": 4, \"n_layer\": 2, \"n_positions\": 64, \"vocab_size\": 9}");
        e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(bad));
        assertTrue(e.getMessage().contains("n_embd=30 is not divisible by n_head=4"), e.getMessage());

        Files.writeString(bad.resolve("config.json"), "{\"n_embd\": \"big\", \"n_head\": 4, \"n_layer\": 2, \"n_positions\": 64, \"vocab_size\": 9}");
        e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(bad));
        assertTrue(e.getMessage().contains("\"n_embd\" must be an integer"), e.getMessage());
    }
}
