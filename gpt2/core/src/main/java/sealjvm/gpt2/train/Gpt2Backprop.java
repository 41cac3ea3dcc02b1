package sealjvm.gpt2.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Predicate;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Names;
import sealjvm.gpt2.Gpt2Params;
import sealjvm.tensor.Kernels;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.PackedMatmul;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.TrainKernels;

/**
 * Forward and backward of GPT-2 over one (B,T) batch with next-token cross-entropy (llm.c's gpt2_forward /
 * gpt2_backward). Gradients land in {@link #grads}, a parameter set with the model's layout, and accumulate
 * across calls until {@link #zeroGrad()}: that is gradient accumulation.
 *
 * <pre>
 * x = wte[ids] + wpe                                        encoded (B,T,C)
 * per block: x += c_proj(attention(c_attn(ln_1(x))))        residual2
 *            x += mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))       residual3
 * loss = mean_t CE(ln_f(x) · lm_headᵀ, targets)             targets of −1 are not counted
 * </pre>
 *
 * A predicate says which parameters need gradients (e.g. only the LoRA targets); the backward pass then skips
 * the others' weight gradients and stops at the lowest block that holds one.
 */
public final class Gpt2Backprop implements AutoCloseable {
    public final Gpt2Model model;
    /** d(loss)/d(parameter), accumulated; only the entries of needed parameters are written. */
    public final Gpt2Params grads;
    public final int B, T;

    private final Gpt2Config cfg;
    private final Predicate<String> needsGrad;
    private final Activations acts;
    private final Arena arena = Arena.ofShared();
    private final int lowestBlock;
    private final boolean embeddingGrads, needsAll;
    private final boolean headGrad;
    private int[] inputs, targets;
    private int[] countedRows;      // of the last forward: see countedRows(int[])
    private FrozenHead head;        // of the last forward, or null
    private int counted = -1;

    public Gpt2Backprop(Gpt2Model model, int B, int T) {
        this(model, B, T, name -> true);
    }

    public Gpt2Backprop(Gpt2Model model, int B, int T, Predicate<String> needsGrad) {
        model.params.requireF32("backward (training)");
        this.model = model;
        this.cfg = model.config;
        if (B < 1 || T < 1 || T > cfg.nPositions()) {
            throw new IllegalArgumentException("batch " + B + " x " + T + " (T must be in [1, n_positions=" + cfg.nPositions() + "])");
        }
        this.B = B;
        this.T = T;
        this.needsGrad = needsGrad;
        this.grads = Gpt2Params.allocate(cfg, model.params.tied, arena);
        this.acts = new Activations(cfg, B, T);
        embeddingGrads = needsGrad.test(Gpt2Names.WTE) || needsGrad.test(Gpt2Names.WPE);
        headGrad = needsGrad.test(model.params.tied ? Gpt2Names.WTE : Gpt2Names.LM_HEAD);
        needsAll = grads.byName().keySet().stream().allMatch(needsGrad);
        int lowest = cfg.nLayer();
        for (String name : model.params.byName().keySet()) {
            if (name.startsWith("h.") && needsGrad.test(name)) lowest = Math.min(lowest, Integer.parseInt(name.split("\\.")[1]));
        }
        lowestBlock = embeddingGrads ? 0 : lowest;
    }

    /** inputs, targets (B·T, sequence-major) -> mean cross-entropy over the targets that are not −1. */
    public float forward(int[] inputs, int[] targets) { return forwardWith(inputs, targets, null); }

    private float forwardWith(int[] inputs, int[] targets, FrozenHead head) {
        int BT = B * T;
        if (inputs.length != BT || targets.length != BT) {
            throw new IllegalArgumentException(inputs.length + " inputs and " + targets.length + " targets for a batch of " + B + " x " + T);
        }
        this.inputs = inputs.clone();
        this.targets = targets.clone();
        Gpt2Params p = model.params;
        float eps = cfg.layerNormEpsilon();
        Kernels.embedding(acts.encoded, inputs, B, T, p.wte, p.wpe, 0);            // (B,T) -> (B,T,C)
        Tensor residual = acts.encoded;
        for (int l = 0; l < cfg.nLayer(); l++) {
            Gpt2Params.Block w = p.blocks.get(l);
            Activations.Block a = acts.blocks[l];
            TrainKernels.layernormForward(a.ln1(), a.ln1Mean(), a.ln1Rstd(), residual, w.ln1W(), w.ln1B(), eps);
            Matmul.matmul(a.qkv(), a.ln1(), w.attnW(), w.attnB());                  // (B,T,C) -> (B,T,3C)
            TrainKernels.attentionForward(a.atty(), a.att(), a.qkv(), cfg.nHead());  // (B,T,3C) -> (B,T,C)
            a.residual2().copyFrom(residual);
            Matmul.matmulResidual(a.residual2(), a.atty(), w.attnProjW(), w.attnProjB());
            TrainKernels.layernormForward(a.ln2(), a.ln2Mean(), a.ln2Rstd(), a.residual2(), w.ln2W(), w.ln2B(), eps);
            Matmul.matmul(a.fch(), a.ln2(), w.fcW(), w.fcB());                      // (B,T,C) -> (B,T,4C)
            Kernels.gelu(a.fchGelu(), a.fch());
            a.residual3().copyFrom(a.residual2());
            Matmul.matmulResidual(a.residual3(), a.fchGelu(), w.fcProjW(), w.fcProjB()); // (B,T,4C) -> (B,T,C)
            residual = a.residual3();
        }
        TrainKernels.layernormForward(acts.lnf, acts.lnfMean, acts.lnfRstd, residual, p.lnfW, p.lnfB, eps);
        this.head = head;
        countedRows = countedRows(targets);
        if (countedRows == null) {
            headTimesTransposed(acts.logits, acts.lnf);                           // (B,T,C) -> (B,T,V)
            counted = TrainKernels.crossEntropyForward(acts.losses, acts.lse, acts.logits, targets);
        } else if (countedRows.length == 0) {
            java.util.Arrays.fill(acts.losses, 0f);
            counted = 0;
        } else {
            // Only the counted positions' logits: (n,C) -> (n,V), n = max(counted, 4) (rows past counted are zero
            // inputs whose logits are not read); each logit is the same fma chain as in the full product.
            int n = countedRows.length, m = headRowCount(n), C = cfg.nEmbd(), V = cfg.vocabSize();
            Tensor x = acts.headRows.slice(0, m, C);
            x.fill(0f);
            for (int r = 0; r < n; r++) MemorySegment.copy(acts.lnf.segment(), (long) countedRows[r] * C * 4, x.segment(), (long) r * C * 4, (long) C * 4);
            headTimesTransposed(acts.logits.slice(0, m, V), x);
            int[] y = new int[n];
            for (int r = 0; r < n; r++) y[r] = targets[countedRows[r]];
            float[] losses = new float[n], lse = new float[n];
            counted = TrainKernels.crossEntropyForward(losses, lse, acts.logits.slice(0, n, V), y);
            java.util.Arrays.fill(acts.losses, 0f);
            for (int r = 0; r < n; r++) { acts.losses[countedRows[r]] = losses[r]; acts.lse[r] = lse[r]; }
        }
        double sum = 0;
        for (float l : acts.losses) sum += l;
        return counted == 0 ? 0f : (float) (sum / counted);
    }

    /** inputs, targets -> mean cross-entropy, as {@link #forward(int[], int[])}, with the head read from {@code head}. */
    public float forward(int[] inputs, int[] targets, FrozenHead head) {
        if (head != null && headGrad) {
            throw new IllegalArgumentException("a frozen head for a backward that trains the head");
        }
        if (head != null && !java.util.Arrays.equals(head.weights.shape(), model.params.lmHead.shape())) {
            throw new IllegalArgumentException("a frozen head of shape " + java.util.Arrays.toString(head.weights.shape())
                    + " for a model whose head is " + java.util.Arrays.toString(model.params.lmHead.shape()));
        }
        return forwardWith(inputs, targets, head);
    }

    // The positions whose target counts, when some do not and the head is not trained (its gradient would need
    // every row), else null: the head then runs over those rows only. Targets are checked here, before any work.
    private int[] countedRows(int[] targets) {
        int n = 0, V = cfg.vocabSize();
        for (int i = 0; i < targets.length; i++) {
            int y = targets[i];
            if (y == -1) continue;
            if (y < 0 || y >= V) throw new IllegalArgumentException("target id " + y + " at position " + i + " is outside [0, " + V + ")");
            n++;
        }
        if (n == targets.length || targets.length < Matmul.GEMM_MIN_ROWS || headGrad) return null;
        int[] rows = new int[n];
        for (int i = 0, r = 0; i < targets.length; i++) if (targets[i] != -1) rows[r++] = i;
        return rows;
    }

    // Rows of the gathered head product: at least GEMM_MIN_ROWS, where matmulTransposed runs the tiles the full
    // product's rows ran (below it, its dot-product path sums in another order).
    private static int headRowCount(int counted) { return Math.max(counted, Matmul.GEMM_MIN_ROWS); }

    // out (M,V) = x (M,C) · headᵀ
    private void headTimesTransposed(Tensor out, Tensor x) {
        if (head != null) Matmul.matmulTransposed(out, x, head.transposed);
        else Matmul.matmulTransposed(out, x, model.params.lmHead, null);
    }

    /**
     * The logits of the last forward, (B,T,V); when some targets were −1 (and the head is not trained) only the
     * counted positions' rows were computed, in order, at the start. The backward pass overwrites them.
     */
    public Tensor logits() { return acts.logits; }

    /** Per-position losses of the last forward (0 where the target is −1). */
    public float[] losses() { return acts.losses.clone(); }

    /** Number of positions the last forward's loss counted. */
    public int counted() { return counted; }

    /** Accumulates d(weight · loss)/dθ into {@link #grads} for the last forward (weight 1/n for n micro-batches). */
    public void backward(float weight) {
        if (counted < 0) throw new IllegalStateException("backward() before forward()");
        if (counted == 0) { counted = -1; return; }
        Gpt2Params p = model.params, g = grads;
        Tensor scratch = acts.scratch;
        int L = cfg.nLayer();
        Tensor last = L == 0 ? acts.encoded : acts.blocks[L - 1].residual3();

        if (countedRows == null) {
            TrainKernels.crossEntropyBackward(acts.logits, acts.logits, acts.lse, targets, weight / counted); // logits -> dlogits
            if (head != null) PackedMatmul.matmul(acts.dln, acts.logits.view(B * T, cfg.vocabSize()), head.plain, null);
            else TrainKernels.matmulTransposedBackward(acts.dln, need(p.tied ? Gpt2Names.WTE : Gpt2Names.LM_HEAD, g.lmHead),
                    acts.logits, acts.lnf, p.lmHead, scratch);
        } else {
            // dlogits of the counted rows, their d(ln_f rows), scattered back; the other rows' gradient is zero.
            int n = countedRows.length, m = headRowCount(n), C = cfg.nEmbd(), V = cfg.vocabSize();
            int[] y = new int[n];
            for (int r = 0; r < n; r++) y[r] = targets[countedRows[r]];
            Tensor dlogits = acts.logits.slice(0, m, V);
            TrainKernels.crossEntropyBackward(acts.logits.slice(0, n, V), acts.logits.slice(0, n, V), acts.lse, y, weight / counted);
            if (m > n) acts.logits.slice((long) n * V, m - n, V).fill(0f);
            Tensor dx = acts.dheadRows.slice(0, m, C);
            if (head != null) PackedMatmul.matmul(dx, dlogits, head.plain, null);
            else Matmul.matmul(dx, dlogits, p.lmHead, null);
            acts.dln.fill(0f);
            for (int r = 0; r < n; r++) MemorySegment.copy(dx.segment(), (long) r * C * 4, acts.dln.segment(), (long) countedRows[r] * C * 4, (long) C * 4);
        }
        acts.dresidual.fill(0f);
        TrainKernels.layernormBackward(acts.dresidual, need(Gpt2Names.LN_F_WEIGHT, g.lnfW), need(Gpt2Names.LN_F_BIAS, g.lnfB), acts.dln,
                last, p.lnfW, acts.lnfMean, acts.lnfRstd);

        for (int l = L - 1; l >= lowestBlock; l--) {
            Gpt2Params.Block w = p.blocks.get(l), gw = g.blocks.get(l);
            Activations.Block a = acts.blocks[l];
            Tensor residual = l == 0 ? acts.encoded : acts.blocks[l - 1].residual3();
            Gpt2Names.Block n = Gpt2Names.block(l);
            // MLP half: residual3 = residual2 + gelu(ln_2(residual2) · W_fc + b_fc) · W_proj + b_proj
            TrainKernels.matmulBackward(acts.dfch, need(n.fcProjW(), gw.fcProjW()), need(n.fcProjB(), gw.fcProjB()),
                    acts.dresidual, a.fchGelu(), w.fcProjW(), scratch);
            TrainKernels.geluBackward(acts.dfch, a.fch(), acts.dfch);
            TrainKernels.matmulBackward(acts.dln, need(n.fcW(), gw.fcW()), need(n.fcB(), gw.fcB()),
                    acts.dfch, a.ln2(), w.fcW(), scratch);
            TrainKernels.layernormBackward(acts.dresidual, need(n.ln2W(), gw.ln2W()), need(n.ln2B(), gw.ln2B()),
                    acts.dln, a.residual2(), w.ln2W(), a.ln2Mean(), a.ln2Rstd());
            // Attention half: residual2 = residual + attention(ln_1(residual) · W_attn + b_attn) · W_proj + b_proj
            TrainKernels.matmulBackward(acts.datty, need(n.attnProjW(), gw.attnProjW()), need(n.attnProjB(), gw.attnProjB()),
                    acts.dresidual, a.atty(), w.attnProjW(), scratch);
            TrainKernels.attentionBackward(acts.dqkv, acts.datty, a.qkv(), a.att(), cfg.nHead());
            TrainKernels.matmulBackward(acts.dln, need(n.attnW(), gw.attnW()), need(n.attnB(), gw.attnB()),
                    acts.dqkv, a.ln1(), w.attnW(), scratch);
            TrainKernels.layernormBackward(acts.dresidual, need(n.ln1W(), gw.ln1W()), need(n.ln1B(), gw.ln1B()),
                    acts.dln, residual, w.ln1W(), a.ln1Mean(), a.ln1Rstd());
        }
        if (embeddingGrads) {
            // A tied wte also got the head's gradient above: both add into the same tensor.
            TrainKernels.embeddingBackward(need(Gpt2Names.WTE, g.wte), need(Gpt2Names.WPE, g.wpe), acts.dresidual, inputs, B, T);
        }
        counted = -1;   // the logits now hold dlogits: a second backward would be wrong
    }

    private Tensor need(String name, Tensor grad) { return needsGrad.test(name) ? grad : null; }

    /**
     * Zeroes the gradients the backward writes: all of them, or with a {@code needsGrad} filter only those it passes
     * (a LoRA fine-tune of a few linears would otherwise clear the whole model's worth, the embedding's 50257 rows
     * included, on every step).
     */
    public void zeroGrad() {
        if (needsAll) { grads.all.fill(0f); return; }
        for (var e : grads.byName().entrySet()) if (needsGrad.test(e.getKey())) e.getValue().fill(0f);
    }

    @Override
    public void close() {
        acts.close();
        arena.close();
    }
}
