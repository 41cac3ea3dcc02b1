package sealjvm.gpt2.train;

import java.lang.foreign.Arena;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.tensor.Tensor;

/**
 * What the backward pass needs from the forward pass of a (B,T) batch, as named views into one allocation
 * (llm.c's ActivationTensors), plus the scratch the backward pass writes into.
 */
final class Activations {
    /** One block's saved activations. */
    record Block(Tensor ln1, Tensor ln1Mean, Tensor ln1Rstd,   // (B,T,C), (B*T), (B*T)
                 Tensor qkv,                                  // (B,T,3C)
                 Tensor att,                                  // (B,NH,T,T) attention probabilities
                 Tensor atty,                                 // (B,T,C) attention output, before c_proj
                 Tensor residual2,                            // (B,T,C) x after the attention half
                 Tensor ln2, Tensor ln2Mean, Tensor ln2Rstd,  // (B,T,C), (B*T), (B*T)
                 Tensor fch,                                  // (B,T,4C) c_fc output, before GELU
                 Tensor fchGelu,                              // (B,T,4C)
                 Tensor residual3) {}                         // (B,T,C) x after the block

    final int B, T;
    final Tensor encoded;                 // (B,T,C) wte[ids] + wpe
    final Block[] blocks;
    final Tensor lnf, lnfMean, lnfRstd;   // (B,T,C), (B*T), (B*T)
    final Tensor logits;                  // (B,T,V); the backward turns it into dlogits in place
    // The head over the counted positions only (when some targets are −1): their ln_f rows gathered, and d of those rows.
    final Tensor headRows, dheadRows;     // (B*T, C); the first max(counted, 4) rows are used
    // Backward scratch.
    final Tensor dresidual, dln, datty;   // (B,T,C)
    final Tensor dqkv;                    // (B,T,3C)
    final Tensor dfch;                    // (B,T,4C)
    final Tensor scratch;                 // transposes: max(4C·BT, headBlock·BT)
    final float[] losses, lse;            // (B*T)

    private final Arena arena = Arena.ofShared();

    Activations(Gpt2Config cfg, int B, int T) {
        this.B = B;
        this.T = T;
        int C = cfg.nEmbd(), NH = cfg.nHead(), V = cfg.vocabSize(), L = cfg.nLayer();
        int BT = B * T;
        // per block: ln1, qkv (3), atty, residual2, ln2, fch (4), fchGelu (4), residual3 = 16 (B,T,C); 4 stats; att
        long perBlock = 16L * BT * C + 4L * BT + (long) B * NH * T * T;
        long headBlock = Math.min(V, 8192);
        long total = (long) BT * C + L * perBlock + ((long) BT * C + 2L * BT) + (long) BT * V + 2L * BT * C
                + 3L * BT * C + 3L * BT * C + 4L * BT * C + Math.max(4L * C, headBlock) * BT;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("activations of " + total + " floats for B=" + B + " T=" + T + ": use a smaller batch");
        Tensor all = Tensor.allocate(arena, Math.toIntExact(total));
        long[] off = {0};
        java.util.function.Function<int[], Tensor> next = shape -> {
            Tensor t = all.slice(off[0], shape);
            off[0] += Tensor.numel(shape);
            return t;
        };
        encoded = next.apply(new int[] {B, T, C});
        blocks = new Block[L];
        for (int l = 0; l < L; l++) {
            blocks[l] = new Block(next.apply(new int[] {B, T, C}), next.apply(new int[] {BT}), next.apply(new int[] {BT}),
                    next.apply(new int[] {B, T, 3 * C}), next.apply(new int[] {B, NH, T, T}), next.apply(new int[] {B, T, C}),
                    next.apply(new int[] {B, T, C}), next.apply(new int[] {B, T, C}), next.apply(new int[] {BT}), next.apply(new int[] {BT}),
                    next.apply(new int[] {B, T, 4 * C}), next.apply(new int[] {B, T, 4 * C}), next.apply(new int[] {B, T, C}));
        }
        lnf = next.apply(new int[] {B, T, C});
        lnfMean = next.apply(new int[] {BT});
        lnfRstd = next.apply(new int[] {BT});
        logits = next.apply(new int[] {B, T, V});
        headRows = next.apply(new int[] {BT, C});
        dheadRows = next.apply(new int[] {BT, C});
        dresidual = next.apply(new int[] {B, T, C});
        dln = next.apply(new int[] {B, T, C});
        datty = next.apply(new int[] {B, T, C});
        dqkv = next.apply(new int[] {B, T, 3 * C});
        dfch = next.apply(new int[] {B, T, 4 * C});
        scratch = next.apply(new int[] {(int) (Math.max(4L * C, headBlock) * BT)});
        if (off[0] != total) throw new IllegalStateException("activation layout: " + off[0] + " != " + total);
        losses = new float[BT];
        lse = new float[BT];
    }

    void close() { arena.close(); }
}
