package sealjvm.gpt2;

import sealjvm.tensor.Tensor;

/**
 * Called by the forward pass after each Conv1D linear of a block (c_attn, attn.c_proj, mlp.c_fc,
 * mlp.c_proj), before its output is used. Low-rank adapters use it to add s·(x·A)·B per sequence
 * without touching the weights.
 */
@FunctionalInterface
public interface LinearHook {
    /** {@code out} (B,T,out) = {@code inp} (B,T,in) · W + b was just computed for the weight {@code weightName}; add to out. */
    void afterLinear(String weightName, Tensor inp, Tensor out);

    LinearHook NONE = (name, inp, out) -> {};
}
