package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.gpt2.HalfWeightsTest.PROMPTS;
import static sealjvm.gpt2.HalfWeightsTest.TOKENIZER;
import static sealjvm.gpt2.HalfWeightsTest.greedy;
import static sealjvm.gpt2.HalfWeightsTest.maxAbsDiff;
import static sealjvm.gpt2.HalfWeightsTest.model;
import static sealjvm.gpt2.HalfWeightsTest.prefillAndDecodeLogits;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.train.AdamW;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.tensor.Q8Matrix;
import sealjvm.tensor.WeightFormat;

/**
 * Models loaded with Q8_0 weight matrices: bit-identical to the float32 model holding the dequantized weights (the
 * kernels mirror their float32 twins), close to the original float32 logits on the bundled Brown model, resident
 * bytes, and the refusals of everything that needs float32.
 */
class Q8WeightsTest {

    /** The Q8_0 model computes exactly what a float32 model with its dequantized weights computes, prefill and decode. */
    @Test
    void logitsEqualFloat32OnTheDequantizedWeights() {
        try (Gpt2Model q8 = Gpt2Model.load(model("gpt2-brown"), WeightFormat.Q8_0); Gpt2Model deq = Gpt2Model.load(model("gpt2-brown"))) {
            assertEquals(WeightFormat.Q8_0, q8.weightFormat());
            for (var e : q8.params.packed().entrySet()) {
                assertInstanceOf(Q8Matrix.class, e.getValue(), e.getKey());
                e.getValue().widenInto(deq.params.get(e.getKey()));
            }
            int[] ids = TOKENIZER.encode(PROMPTS[0]);
            float[][] want = prefillAndDecodeLogits(deq, ids), got = prefillAndDecodeLogits(q8, ids);
            for (int s = 0; s < want.length; s++) assertArrayEquals(want[s], got[s], "step " + s);
        }
    }

    /**
     * Against the float32 load of gpt2-brown (stored F16): the logits at every position of each prompt followed by
     * F32's 9 greedy tokens (one sequence for both, so a different greedy pick cannot compound) stay within a
     * stated bound; greedy continuations are printed for reading.
     */
    @Test
    void logitsCloseToFloat32OnTheBrownModel() {
        try (Gpt2Model f32 = Gpt2Model.load(model("gpt2-brown")); Gpt2Model q8 = Gpt2Model.load(model("gpt2-brown"), WeightFormat.Q8_0);
             Arena arena = Arena.ofShared()) {
            double worst = 0, sumSq = 0;
            long n = 0;
            for (String p : PROMPTS) {
                int[] prompt = TOKENIZER.encode(p), cont = greedy(f32, prompt, 9);
                int[] ids = java.util.Arrays.copyOf(prompt, prompt.length + cont.length);
                System.arraycopy(cont, 0, ids, prompt.length, cont.length);
                float[] want = f32.logits(new int[][] {ids}, arena).toArray(), got = q8.logits(new int[][] {ids}, arena).toArray();
                worst = Math.max(worst, maxAbsDiff(want, got));
                for (int i = 0; i < want.length; i++) { double d = want[i] - got[i]; sumSq += d * d; n++; }
                System.out.printf("gpt2-brown '%s' -> F32 '%s' | Q8_0 '%s'%n", p, TOKENIZER.decode(cont), TOKENIZER.decode(greedy(q8, prompt, 9)));
            }
            System.out.printf("gpt2-brown: Q8_0 vs F32 logits: max |diff| = %.4g, rms diff = %.4g%n", worst, Math.sqrt(sumSq / n));
            assertTrue(worst > 0 && worst <= Q8_LOGIT_TOLERANCE, "Q8_0 max |logit - F32| = " + worst);
        }
    }

    /** Measured on these sequences: max |diff| 0.243, rms 0.037 (2x headroom; the F16 file's BF16 load is held to 0.25). */
    static final double Q8_LOGIT_TOLERANCE = 0.5;

    /**
     * An untied head (lm_head its own (V,C) matrix, blocked along its rows as wte) on random weights with ragged
     * sizes (C = 48: one and a half blocks per head row; 4C = 192): still bit-identical to float32 on the dequantized
     * weights, prefill (the packed path) and decode.
     */
    @Test
    void untiedHeadAndRaggedBlocksEqualFloat32OnTheDequantizedWeights() {
        Gpt2Config c = new Gpt2Config(48, 4, 2, 64, 300, 1e-5f, "gelu_new");
        try (Gpt2Model wide = Gpt2Model.create(c, false); Gpt2Model q8 = Gpt2Model.create(c, false, WeightFormat.Q8_0)) {
            RandomInit.fill(wide.params, 7);
            for (var e : q8.params.byName().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
            for (var e : q8.params.packed().entrySet()) {
                e.getValue().copyFrom(wide.params.get(e.getKey()));
                e.getValue().widenInto(wide.params.get(e.getKey()));   // wide now holds the dequantized weights
            }
            assertNotSame(q8.params.wtePacked, q8.params.lmHeadPacked);
            int[] ids = {5, 17, 250, 3, 99, 42, 7};
            float[][] want = prefillAndDecodeLogits(wide, ids), got = prefillAndDecodeLogits(q8, ids);
            for (int s = 0; s < want.length; s++) assertArrayEquals(want[s], got[s], "step " + s);
        }
    }

    /** A 124M-shaped model: Q8_0 holds its matrices in a little over a quarter of the float32 bytes. */
    @Test
    void gpt2SmallResidentBytes() {
        Gpt2Config c = new Gpt2Config(768, 12, 12, 1024, 50257, 1e-5f, "gelu_new");
        try (Gpt2Model f32 = Gpt2Model.create(c, true); Gpt2Model q8 = Gpt2Model.create(c, true, WeightFormat.Q8_0)) {
            long a = f32.params.byteSize(), b = q8.params.byteSize();
            System.out.printf("GPT-2 124M parameters: F32 %.1f MiB, Q8_0 %.1f MiB (%.2fx)%n", a / 1048576.0, b / 1048576.0, (double) a / b);
            assertEquals(f32.params.count(), q8.params.count());
            assertTrue(b < 0.30 * a, "Q8_0 " + b + " bytes vs F32 " + a);
        }
    }

    @Test
    void trainingMergedEditsAndSaveRefuseQ8Weights() {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-tiny-random"), WeightFormat.Q8_0)) {
            var e1 = assertThrows(IllegalStateException.class, () -> new Gpt2Backprop(m, 1, 4));
            assertEquals("backward (training) needs float32 weights, but this model holds its weight matrices in Q8_0 for inference only"
                    + " (forward, logits, generation); load it with WeightFormat.F32", e1.getMessage());
            var e2 = assertThrows(IllegalStateException.class, () -> new AdamW(m.params, 0.9f, 0.95f, 1e-8f, 0f, n -> false));
            assertTrue(e2.getMessage().startsWith("AdamW (training) needs float32 weights") && e2.getMessage().contains("Q8_0"), e2.getMessage());
            var e3 = assertThrows(IllegalStateException.class, () -> m.params.get("h.0.mlp.c_proj.weight"));
            assertTrue(e3.getMessage().contains("merged edits") && e3.getMessage().contains("'h.0.mlp.c_proj.weight'")
                    && e3.getMessage().contains("Q8_0"), e3.getMessage());
            var e4 = assertThrows(IllegalStateException.class, () -> m.save(Path.of("/nonexistent-dir-never-written"), sealjvm.gpt2.safetensors.DType.F32));
            assertTrue(e4.getMessage().startsWith("save needs float32 weights") && e4.getMessage().contains("Q8_0"), e4.getMessage());
        }
    }
}
