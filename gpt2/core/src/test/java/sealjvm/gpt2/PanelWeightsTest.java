package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.gpt2.HalfWeightsTest.PROMPTS;
import static sealjvm.gpt2.HalfWeightsTest.TOKENIZER;
import static sealjvm.gpt2.HalfWeightsTest.model;
import static sealjvm.gpt2.HalfWeightsTest.prefillAndDecodeLogits;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.tensor.PanelMatrix;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * Models loaded as F32_PACKED (float32 in the kernels' panels): the same bits as the float32 model at every step of
 * prefill, KV-cache decode, full logits and the head's token log-probabilities over several chunks, on the bundled
 * model and on an untied model whose widths fill no strip; resident bytes; the refusals of everything that writes weights.
 */
class PanelWeightsTest {

    @Test
    void logitsEqualFloat32OnTheBrownModel() {
        try (Gpt2Model packed = Gpt2Model.load(model("gpt2-brown"), WeightFormat.F32_PACKED); Gpt2Model f32 = Gpt2Model.load(model("gpt2-brown"));
             Arena arena = Arena.ofShared()) {
            assertEquals(WeightFormat.F32_PACKED, packed.weightFormat());
            for (var e : packed.params.packed().entrySet()) assertInstanceOf(PanelMatrix.class, e.getValue(), e.getKey());
            for (String p : PROMPTS) {
                int[] ids = TOKENIZER.encode(p);
                float[][] want = prefillAndDecodeLogits(f32, ids), got = prefillAndDecodeLogits(packed, ids);
                for (int s = 0; s < want.length; s++) assertArrayEquals(want[s], got[s], "'" + p + "' step " + s);
            }
            // a batch of two sequences, every position's logits (the batched head)
            int[][] batch = {TOKENIZER.encode(PROMPTS[1] + " the city of"), TOKENIZER.encode(PROMPTS[2] + " house is big")};
            int T = Math.min(batch[0].length, batch[1].length);
            int[][] cut = {Arrays.copyOf(batch[0], T), Arrays.copyOf(batch[1], T)};
            assertArrayEquals(f32.logits(cut, arena).toArray(), packed.logits(cut, arena).toArray(), "batched logits");
        }
    }

    /** Token log-probabilities of 150 rows (three head chunks, the last of 22 rows) and of a part starting mid-chunk. */
    @Test
    void tokenLogProbsEqualFloat32() {
        try (Gpt2Model packed = Gpt2Model.load(model("gpt2-brown"), WeightFormat.F32_PACKED); Gpt2Model f32 = Gpt2Model.load(model("gpt2-brown"));
             Arena arena = Arena.ofShared()) {
            int C = f32.config.nEmbd(), V = f32.config.vocabSize(), R = 150;
            var r = new SplittableRandom(3);
            float[] h = new float[R * C];
            for (int i = 0; i < h.length; i++) h[i] = (float) r.nextGaussian();
            Tensor rows = Tensor.of(arena, h, R, C);
            int[] targets = r.ints(R, 0, V).toArray();
            for (int before : new int[] {0, 66}) {
                int n = R - before;
                Tensor part = rows.slice((long) before * C, n, C);
                int[] t = Arrays.copyOfRange(targets, before, R);
                double[] want = new double[n], got = new double[n];
                boolean[] wantTop = new boolean[n], gotTop = new boolean[n];
                f32.tokenLogProbs(part, t, want, wantTop, before);
                packed.tokenLogProbs(part, t, got, gotTop, before);
                assertArrayEquals(want, got, "log-probs, " + before + " rows before");
                assertArrayEquals(wantTop, gotTop, "top-1, " + before + " rows before");
            }
        }
    }

    /**
     * Random weights whose widths fill no 64-column strip (C = 48, 3C = 144, 4C = 192, V = 300) and an untied head:
     * still bit-identical to float32, prefill and decode.
     */
    @Test
    void untiedHeadAndPaddedStripsEqualFloat32() {
        Gpt2Config c = new Gpt2Config(48, 4, 2, 64, 300, 1e-5f, "gelu_new");
        try (Gpt2Model wide = Gpt2Model.create(c, false); Gpt2Model packed = Gpt2Model.create(c, false, WeightFormat.F32_PACKED)) {
            RandomInit.fill(wide.params, 7);
            for (var e : packed.params.byName().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
            for (var e : packed.params.packed().entrySet()) e.getValue().copyFrom(wide.params.get(e.getKey()));
            assertNotSame(packed.params.wtePacked, packed.params.lmHeadPacked);
            int[] ids = {5, 17, 250, 3, 99, 42, 7};
            float[][] want = prefillAndDecodeLogits(wide, ids), got = prefillAndDecodeLogits(packed, ids);
            for (int s = 0; s < want.length; s++) assertArrayEquals(want[s], got[s], "step " + s);
        }
    }

    /** A 124M-shaped model: the blocks' panels hold what F32 holds (plus padding), the tied head twice (rows and panels). */
    @Test
    void gpt2SmallResidentBytes() {
        Gpt2Config c = new Gpt2Config(768, 12, 12, 1024, 50257, 1e-5f, "gelu_new");
        try (Gpt2Model f32 = Gpt2Model.create(c, true); Gpt2Model packed = Gpt2Model.create(c, true, WeightFormat.F32_PACKED)) {
            long a = f32.params.byteSize(), b = packed.params.byteSize(), head = 4L * c.vocabSize() * c.nEmbd();
            System.out.printf("GPT-2 124M parameters: F32 %.1f MiB, F32_PACKED %.1f MiB%n", a / 1048576.0, b / 1048576.0);
            assertEquals(f32.params.count(), packed.params.count());
            assertTrue(b > a + head - 4L * 64 * c.nEmbd() && b <= a + head, "F32_PACKED " + b + " bytes vs F32 " + a);
        }
    }

    @Test
    void trainingAndMergedEditsRefusePackedWeights() {
        try (Gpt2Model m = Gpt2Model.load(model("gpt2-tiny-random"), WeightFormat.F32_PACKED)) {
            var e1 = assertThrows(IllegalStateException.class, () -> new Gpt2Backprop(m, 1, 4));
            assertTrue(e1.getMessage().startsWith("backward (training) needs float32 weights") && e1.getMessage().contains("F32_PACKED"), e1.getMessage());
            var e2 = assertThrows(IllegalStateException.class, () -> m.params.get("h.0.attn.c_attn.weight"));
            assertTrue(e2.getMessage().contains("merged edits") && e2.getMessage().contains("F32_PACKED"), e2.getMessage());
        }
    }
}
