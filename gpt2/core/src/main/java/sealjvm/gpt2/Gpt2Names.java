package sealjvm.gpt2;

import java.util.List;

/**
 * GPT-2's parameter names, the one place they are spelled: Hugging Face's names without the {@code transformer.}
 * prefix (e.g. {@code h.3.mlp.c_fc.weight}). Storage order is {@link #WTE}, {@link #WPE}, each block's
 * {@link Block#all()}, {@link #LN_F_WEIGHT}, {@link #LN_F_BIAS}, then {@link #LM_HEAD} when untied.
 */
public final class Gpt2Names {
    private Gpt2Names() {}

    public static final String WTE = "wte.weight";
    public static final String WPE = "wpe.weight";
    public static final String LN_F_WEIGHT = "ln_f.weight";
    public static final String LN_F_BIAS = "ln_f.bias";
    public static final String LM_HEAD = "lm_head.weight";

    /** The four Conv1D linears of a block, in forward order. */
    public static final List<String> LINEARS = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");

    /** A block linear's name, e.g. {@code h.3.mlp.c_fc}. */
    public static String linear(int layer, String module) { return "h." + layer + "." + module; }

    /** The parameter names of block {@code layer}, one per field of {@link Gpt2Params.Block}. */
    public record Block(String ln1W, String ln1B, String attnW, String attnB, String attnProjW, String attnProjB,
                        String ln2W, String ln2B, String fcW, String fcB, String fcProjW, String fcProjB) {
        /** Every name, in storage order. */
        public List<String> all() {
            return List.of(ln1W, ln1B, attnW, attnB, attnProjW, attnProjB, ln2W, ln2B, fcW, fcB, fcProjW, fcProjB);
        }

        /** The weights of the four linears, in forward order (as {@link LinearHook}s see them). */
        public String[] linearWeights() { return new String[] {attnW, attnProjW, fcW, fcProjW}; }
    }

    public static Block block(int layer) {
        String h = "h." + layer + ".";
        return new Block(h + "ln_1.weight", h + "ln_1.bias", h + "attn.c_attn.weight", h + "attn.c_attn.bias",
                h + "attn.c_proj.weight", h + "attn.c_proj.bias", h + "ln_2.weight", h + "ln_2.bias",
                h + "mlp.c_fc.weight", h + "mlp.c_fc.bias", h + "mlp.c_proj.weight", h + "mlp.c_proj.bias");
    }
}
