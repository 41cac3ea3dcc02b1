package sealjvm.seal.edit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Names;

/**
 * One editable GPT-2 linear (Hugging Face Conv1D, weight [in, out]): layer and module,
 * e.g. {@code h.10.mlp.c_proj} whose weight is {@code h.10.mlp.c_proj.weight} of shape [4C, C].
 */
public record Target(int layer, String module, int in, int out) {
    /** The four Conv1D modules of a GPT-2 block. */
    public static final List<String> MODULES = Gpt2Names.LINEARS;

    public String name() { return Gpt2Names.linear(layer, module); }

    public String weightName() { return name() + ".weight"; }

    public static Target of(Gpt2Config c, int layer, String module) {
        int C = c.nEmbd();
        return switch (module) {
            case "attn.c_attn" -> new Target(layer, module, C, 3 * C);
            case "attn.c_proj" -> new Target(layer, module, C, C);
            case "mlp.c_fc" -> new Target(layer, module, C, 4 * C);
            case "mlp.c_proj" -> new Target(layer, module, 4 * C, C);
            default -> throw new IllegalArgumentException("unknown module '" + module + "' (one of " + MODULES + ")");
        };
    }

    /**
     * Targets named by a pattern: comma-separated items {@code h.LAYERS.MODULE} where LAYERS is a number,
     * a range {@code 10-11} or {@code *}, and MODULE one of {@link #MODULES} or {@code *}
     * (e.g. {@code h.10-11.mlp.c_proj}, {@code h.*.attn.c_attn}). Order: as written, without duplicates.
     */
    public static List<Target> parse(String pattern, Gpt2Config c) {
        Set<Target> out = new LinkedHashSet<>();
        for (String item : pattern.split(",")) {
            String s = item.strip();
            String[] parts = s.split("\\.", 3);
            if (parts.length != 3 || !parts[0].equals("h")) {
                throw new IllegalArgumentException("target '" + s + "' is not of the form h.LAYERS.MODULE (e.g. h.10-11.mlp.c_proj, h.*.attn.c_attn)");
            }
            List<String> modules = parts[2].equals("*") ? MODULES : List.of(parts[2]);
            for (int layer : layers(parts[1], c.nLayer(), s)) {
                for (String m : modules) {
                    if (!MODULES.contains(m)) throw new IllegalArgumentException("target '" + s + "': unknown module '" + m + "' (one of " + MODULES + " or *)");
                    out.add(of(c, layer, m));
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> layers(String spec, int nLayer, String item) {
        List<Integer> out = new ArrayList<>();
        int lo, hi;
        try {
            if (spec.equals("*")) { lo = 0; hi = nLayer - 1; }
            else if (spec.contains("-")) { String[] r = spec.split("-", 2); lo = Integer.parseInt(r[0]); hi = Integer.parseInt(r[1]); }
            else { lo = hi = Integer.parseInt(spec); }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target '" + item + "': layers '" + spec + "' must be N, N-M or *");
        }
        if (lo < 0 || hi >= nLayer || lo > hi) {
            throw new IllegalArgumentException("target '" + item + "': layers " + spec + " outside the model's 0.." + (nLayer - 1));
        }
        for (int l = lo; l <= hi; l++) out.add(l);
        return out;
    }
}
