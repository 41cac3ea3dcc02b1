package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
import sealjvm.gpt2.train.AdamW;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;
import sealjvm.testsupport.Fixtures;
import sealjvm.testsupport.Repo;

/**
 * Models loaded with 16-bit weight matrices against the same files widened to float32: logits (prefill and KV-cache
 * decode), greedy continuations, PyTorch's logits, resident bytes, and the refusals of everything that needs float32.
 */
class HalfWeightsTest {
    static final Gpt2Tokenizer TOKENIZER = Gpt2Tokenizer.fromDirectory(Repo.weights().resolve("tokenizer"));
    static final String[] PROMPTS = {"The jury said it did find that", "He was born in", "It is not clear whether the"};

    static Stream<String> bundled() { return Stream.of("gpt2-brown", "gpt2-brown-rc", "gpt2-brown-reader", "gpt2-tiny-random"); }

    static Path model(String name) { return Repo.weights().resolve("models").resolve(name); }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    /** Logits of the prompt (one prefill) and of 8 greedy tokens decoded one at a time through the KV cache. */
    static float[][] prefillAndDecodeLogits(Gpt2Model m, int[] prompt) {
        float[][] out = new float[9][];
        try (Gpt2Backend.Decoder d = m.decoder(1, prompt.length + 8)) {
            d.append(prompt, prompt.length);
            out[0] = d.lastLogits(0);
            for (int s = 1; s <= 8; s++) {
                d.append(new int[] {argmax(out[s - 1])}, 1);
                out[s] = d.lastLogits(0);
            }
        }
        return out;
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    static int[] greedy(Gpt2Model m, int[] prompt, int n) {
        float[][] l = prefillAndDecodeLogits(m, prompt);
        int[] ids = new int[Math.min(n, 9)];
        for (int i = 0; i < ids.length; i++) ids[i] = argmax(l[i]);
        return ids;
    }

    /**
     * The bundled models store F16: loaded as F16 they hold exactly the widened model's weights, and every 16-bit
     * kernel mirrors its float32 twin, so the logits are bit-identical. BF16 rounds each weight to 8 mantissa bits.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bundled")
    void sixteenBitLogitsMatchFloat32(String name) {
        try (Gpt2Model f32 = Gpt2Model.load(model(name)); Gpt2Model f16 = Gpt2Model.load(model(name), WeightFormat.F16);
             Gpt2Model bf16 = Gpt2Model.load(model(name), WeightFormat.BF16)) {
            assertEquals(WeightFormat.F16, f16.weightFormat());
            double worstBf16 = 0;
            for (String p : PROMPTS) {
                int[] ids = TOKENIZER.encode(p);
                float[][] want = prefillAndDecodeLogits(f32, ids), got16 = prefillAndDecodeLogits(f16, ids), gotB = prefillAndDecodeLogits(bf16, ids);
                for (int s = 0; s < want.length; s++) {
                    assertArrayEquals(want[s], got16[s], name + " F16 step " + s + " of '" + p + "'");
                    double e = maxAbsDiff(want[s], gotB[s]);
                    worstBf16 = Math.max(worstBf16, e);
                }
            }
            System.out.printf("%s: F16 logits bit-identical to F32; BF16 max |logit - F32| = %.4g%n", name, worstBf16);
            assertTrue(worstBf16 <= 0.25, name + ": BF16 max |logit - F32| = " + worstBf16);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundled")
    void greedyContinuationsUnchanged(String name) {
        try (Gpt2Model f32 = Gpt2Model.load(model(name)); Gpt2Model f16 = Gpt2Model.load(model(name), WeightFormat.F16);
             Gpt2Model bf16 = Gpt2Model.load(model(name), WeightFormat.BF16)) {
            for (String p : PROMPTS) {
                int[] ids = TOKENIZER.encode(p);
                int[] want = greedy(f32, ids, 9);
                assertArrayEquals(want, greedy(f16, ids, 9), name + " F16 greedy after '" + p + "'");
                int[] b = greedy(bf16, ids, 9);
                System.out.printf("%s '%s' -> F32 '%s' | BF16 '%s'%n", name, p, TOKENIZER.decode(want), TOKENIZER.decode(b));
                if (!name.equals("gpt2-tiny-random")) assertArrayEquals(want, b, name + " BF16 greedy after '" + p + "'");
            }
        }
    }

    /** The PyTorch fixtures stored in 16 bits, loaded in their own format, against PyTorch's logits. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("halfFixtures")
    void logitsMatchPyTorch(String name, WeightFormat format) throws Exception {
        Path dir = Repo.weights().resolve("fixtures/models").resolve(name);
        int[][] ids = Fixtures.inputIds(dir);
        try (Gpt2Model model = Gpt2Model.load(dir, format); Arena arena = Arena.ofShared()) {
            Tensor want = Npy.read(dir.resolve("logits.npy"), arena);
            float[] got = model.logits(ids, arena).toArray();
            double err = maxAbsDiff(want.toArray(), got);
            System.out.printf("%s as %s: max |logits - PyTorch| = %.3g%n", name, format, err);
            assertTrue(err <= 1e-4, name + ": max |logits - PyTorch| = " + err);
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> halfFixtures() {
        return Stream.of(org.junit.jupiter.params.provider.Arguments.of("tiny-f16", WeightFormat.F16),
                org.junit.jupiter.params.provider.Arguments.of("tiny-bf16", WeightFormat.BF16));
    }

    /** An F32 file rounded to F16 at load: close to the float32 model, and half the bytes for the matrices. */
    @Test
    void float32FileRoundedAtLoad() {
        Path dir = Repo.weights().resolve("fixtures/models/tiny-f32");
        int[][] ids = Fixtures.inputIds(dir);
        try (Gpt2Model f32 = Gpt2Model.load(dir); Gpt2Model f16 = Gpt2Model.load(dir, WeightFormat.F16); Arena arena = Arena.ofShared()) {
            double err = maxAbsDiff(f32.logits(ids, arena).toArray(), f16.logits(ids, arena).toArray());
            System.out.printf("tiny-f32 rounded to F16: max |logits - F32| = %.3g%n", err);
            assertTrue(err > 0 && err <= 1e-2, "max |logits - F32| = " + err);
            assertEquals(f32.params.count(), f16.params.count());
            assertTrue(f16.params.byteSize() < f32.params.byteSize());
        }
    }

    /**
     * The F16 decode kernels widen only finite halves exactly (HalfMatmul.f16Finite): loading must refuse a weight
     * matrix holding NaN or ±Inf, or a float32 value that overflows F16, so that no F16 matrix of a loaded model
     * holds one. BF16 (float32's range) takes the overflowing value.
     */
    @Test
    void loadRefusesWeightsThatAreNotFiniteInF16(@TempDir Path tmp) throws Exception {
        Path src = Repo.weights().resolve("fixtures/models/tiny-f32");
        for (float bad : new float[] {1e5f, Float.NaN, Float.NEGATIVE_INFINITY}) {
            Path dir = Files.createDirectories(tmp.resolve("bad-" + Float.floatToRawIntBits(bad)));
            Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
            String target;
            try (SafeTensors st = SafeTensors.open(src.resolve("model.safetensors")); Arena arena = Arena.ofShared()) {
                Map<String, Tensor> tensors = new HashMap<>();
                for (String n : st.names()) tensors.put(n, st.readF32(n, arena));
                target = st.names().stream().filter(n -> n.endsWith("h.0.mlp.c_fc.weight")).findFirst().orElseThrow();
                tensors.get(target).set(17, bad);
                SafeTensorsWriter.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"), DType.F32);
            }
            var e = assertThrows(ModelFormatException.class, () -> Gpt2Model.load(dir, WeightFormat.F16));
            String want = Float.isFinite(bad) ? "overflows F16" : "non-finite";
            assertTrue(e.getMessage().contains(target) && e.getMessage().contains(want), e.getMessage());
            if (Float.isFinite(bad)) {
                try (Gpt2Model m = Gpt2Model.load(dir, WeightFormat.BF16)) { assertEquals(WeightFormat.BF16, m.weightFormat()); }
            }
        }
    }

    /** A 124M-shaped model: resident parameter bytes in F32 and in F16 (allocation only, zero weights). */
    @Test
    void gpt2SmallResidentBytes() {
        Gpt2Config c = new Gpt2Config(768, 12, 12, 1024, 50257, 1e-5f, "gelu_new");
        try (Gpt2Model f32 = Gpt2Model.create(c, true); Gpt2Model f16 = Gpt2Model.create(c, true, WeightFormat.F16)) {
            long a = f32.params.byteSize(), b = f16.params.byteSize();
            System.out.printf("GPT-2 124M parameters: F32 %.1f MiB, F16 %.1f MiB (%.2fx)%n", a / 1048576.0, b / 1048576.0, (double) a / b);
            assertEquals(f32.params.count(), f16.params.count());
            assertTrue(b < 0.55 * a, "F16 " + b + " bytes vs F32 " + a);
        }
    }

    @Test
    void trainingMergedEditsSaveAndCudaRefuseSixteenBitWeights() throws Exception {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-tiny-random"), WeightFormat.F16)) {
            var e1 = assertThrows(IllegalStateException.class, () -> new Gpt2Backprop(m, 1, 4));
            assertEquals("backward (training) needs float32 weights, but this model holds its weight matrices in F16 for inference only"
                    + " (forward, logits, generation); load it with WeightFormat.F32", e1.getMessage());
            var e2 = assertThrows(IllegalStateException.class, () -> new AdamW(m.params, 0.9f, 0.95f, 1e-8f, 0f, n -> false));
            assertTrue(e2.getMessage().startsWith("AdamW (training) needs float32 weights") && e2.getMessage().contains("F16"), e2.getMessage());
            // Merged edits write the float32 weight they name: that access is refused, naming the weight and the format.
            var e3 = assertThrows(IllegalStateException.class, () -> m.params.get("h.0.attn.c_attn.weight"));
            assertTrue(e3.getMessage().contains("merged edits") && e3.getMessage().contains("'h.0.attn.c_attn.weight'")
                    && e3.getMessage().contains("F16"), e3.getMessage());
            var e4 = assertThrows(IllegalStateException.class, () -> m.save(Path.of("/nonexistent-dir-never-written"), sealjvm.gpt2.safetensors.DType.F32));
            assertTrue(e4.getMessage().startsWith("save needs float32 weights") && e4.getMessage().contains("F16"), e4.getMessage());
            // Biases and layernorms stay float32 and readable.
            assertEquals(Arrays.toString(new int[] {m.config.nEmbd()}), Arrays.toString(m.params.get("h.0.ln_1.weight").shape()));
        }
    }
}
