package sealjvm.gpt2.train;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.PanelMatrix;
import sealjvm.tensor.Tensor;

/**
 * The LM head (V,C) packed once for the fine-tunes that leave it unchanged (LoRA on the blocks), so that
 * {@link Gpt2Backprop} does not pack its 50257 rows again on every pass: transposed for the logits
 * (x · headᵀ) and plain for the input gradient (dlogits · head). Computed from a copy taken at {@link #of}, with
 * the same kernels on the same panels, so the bits equal the unpacked head's while {@link #matches} holds.
 */
public final class FrozenHead {
    final Tensor weights;              // (V,C), the copy the panels were packed from
    final Matmul.Packed transposed;    // for logits = x · weightsᵀ
    final PanelMatrix plain;           // for dx = dlogits · weights

    private FrozenHead(Tensor weights) {
        this.weights = weights;
        this.transposed = Matmul.packTransposed(weights);
        this.plain = PanelMatrix.allocate(Arena.ofAuto(), weights.dim(0), weights.dim(1), PanelMatrix.Product.PLAIN);
        plain.copyFrom(weights);
    }

    /** The model's head as it is now. */
    public static FrozenHead of(Gpt2Model model) {
        Tensor live = model.params.lmHead;
        Tensor copy = Tensor.allocate(Arena.ofAuto(), live.shape());
        copy.copyFrom(live);
        return new FrozenHead(copy);
    }

    /** Whether the model's head still holds exactly the floats this was packed from. */
    public boolean matches(Gpt2Model model) {
        MemorySegment live = model.params.lmHead.segment();
        return live.byteSize() == weights.byteSize() && live.mismatch(weights.segment()) == -1;
    }
}
