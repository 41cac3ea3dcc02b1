package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sealjvm.tensor.Tensor;

/**
 * Every GPT-2 parameter as a named view into one float32 allocation (llm.c's ParameterTensors).
 * One allocation means one snapshot, one optimizer state and one device copy serve the whole model.
 * Names are Hugging Face's without the {@code transformer.} prefix, e.g. {@code h.3.mlp.c_fc.weight};
 * Conv1D weights are stored [in, out] as in the checkpoint (y = x·W + b).
 */
public final class Gpt2Params {
    /** One transformer block's parameters. */
    public record Block(Tensor ln1W, Tensor ln1B,       // (C), (C)
                        Tensor attnW, Tensor attnB,     // c_attn: (C,3C), (3C)
                        Tensor attnProjW, Tensor attnProjB, // c_proj: (C,C), (C)
                        Tensor ln2W, Tensor ln2B,       // (C), (C)
                        Tensor fcW, Tensor fcB,         // c_fc: (C,4C), (4C)
                        Tensor fcProjW, Tensor fcProjB) {} // mlp.c_proj: (4C,C), (C)

    public final Gpt2Config config;
    public final Tensor all;          // every float, in the order of names()
    public final Tensor wte;          // (V,C)
    public final Tensor wpe;          // (P,C)
    public final List<Block> blocks;  // n_layer of them
    public final Tensor lnfW, lnfB;   // (C), (C)
    public final Tensor lmHead;       // (V,C): wte itself when tied
    public final boolean tied;
    private final Map<String, Tensor> byName;

    private Gpt2Params(Gpt2Config config, Tensor all, Map<String, Tensor> byName, boolean tied) {
        this.config = config;
        this.all = all;
        this.byName = Collections.unmodifiableMap(byName);
        this.tied = tied;
        this.wte = byName.get(Gpt2Names.WTE);
        this.wpe = byName.get(Gpt2Names.WPE);
        this.lnfW = byName.get(Gpt2Names.LN_F_WEIGHT);
        this.lnfB = byName.get(Gpt2Names.LN_F_BIAS);
        this.lmHead = tied ? wte : byName.get(Gpt2Names.LM_HEAD);
        List<Block> bs = new ArrayList<>();
        for (int l = 0; l < config.nLayer(); l++) {
            Gpt2Names.Block n = Gpt2Names.block(l);
            bs.add(new Block(get(n.ln1W()), get(n.ln1B()), get(n.attnW()), get(n.attnB()), get(n.attnProjW()), get(n.attnProjB()),
                    get(n.ln2W()), get(n.ln2B()), get(n.fcW()), get(n.fcB()), get(n.fcProjW()), get(n.fcProjB())));
        }
        this.blocks = List.copyOf(bs);
    }

    /** The shape of every parameter, in storage order. */
    public static Map<String, int[]> shapes(Gpt2Config c, boolean tied) {
        int C = c.nEmbd();
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put(Gpt2Names.WTE, new int[] {c.vocabSize(), C});
        s.put(Gpt2Names.WPE, new int[] {c.nPositions(), C});
        for (int l = 0; l < c.nLayer(); l++) {
            Gpt2Names.Block n = Gpt2Names.block(l);
            s.put(n.ln1W(), new int[] {C});
            s.put(n.ln1B(), new int[] {C});
            s.put(n.attnW(), new int[] {C, 3 * C});
            s.put(n.attnB(), new int[] {3 * C});
            s.put(n.attnProjW(), new int[] {C, C});
            s.put(n.attnProjB(), new int[] {C});
            s.put(n.ln2W(), new int[] {C});
            s.put(n.ln2B(), new int[] {C});
            s.put(n.fcW(), new int[] {C, 4 * C});
            s.put(n.fcB(), new int[] {4 * C});
            s.put(n.fcProjW(), new int[] {4 * C, C});
            s.put(n.fcProjB(), new int[] {C});
        }
        s.put(Gpt2Names.LN_F_WEIGHT, new int[] {C});
        s.put(Gpt2Names.LN_F_BIAS, new int[] {C});
        if (!tied) s.put(Gpt2Names.LM_HEAD, new int[] {c.vocabSize(), C});
        return s;
    }

    /** Zero-filled parameters in one 64-byte-aligned allocation. */
    public static Gpt2Params allocate(Gpt2Config config, boolean tied, Arena arena) {
        checkSize(config, tied);
        Map<String, int[]> shapes = shapes(config, tied);
        long total = 0;
        for (int[] s : shapes.values()) total += Tensor.numel(s);
        Tensor all = Tensor.allocate(arena, Math.toIntExact(total));
        Map<String, Tensor> byName = new LinkedHashMap<>();
        long off = 0;
        for (var e : shapes.entrySet()) {
            byName.put(e.getKey(), all.slice(off, e.getValue()));
            off += Tensor.numel(e.getValue());
        }
        return new Gpt2Params(config, all, byName, tied);
    }

    /**
     * A model that does not fit one allocation (2^31-1 floats) is refused in one line naming the config field that
     * makes it large, before anything is allocated.
     */
    static void checkSize(Gpt2Config c, boolean tied) {
        long C = c.nEmbd(), V = c.vocabSize(), P = c.nPositions(), L = c.nLayer();
        double total = (double) V * C * (tied ? 1 : 2) + (double) P * C + (double) L * (12.0 * C * C + 13.0 * C) + 2.0 * C;
        if (total <= Integer.MAX_VALUE) return;
        // The field whose term dominates: wte/lm_head (vocab_size), wpe (n_positions), the blocks (n_layer, n_embd).
        double wte = (double) V * C * (tied ? 1 : 2), wpe = (double) P * C, blocks = L * (12.0 * C * C + 13.0 * C);
        String field = wpe >= wte && wpe >= blocks ? "n_positions=" + P
                : wte >= blocks ? "vocab_size=" + V
                : (L > C ? "n_layer=" + L : "n_embd=" + C);
        throw new ModelFormatException("config " + field + " (with n_embd=" + C + ", n_layer=" + L + ", n_positions=" + P + ", vocab_size=" + V
                + ") gives a model of " + String.format(java.util.Locale.ROOT, "%.0f", total) + " parameters, more than one allocation holds ("
                + Integer.MAX_VALUE + ")");
    }

    /** The parameter called {@code name} (Hugging Face name, no {@code transformer.} prefix). */
    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return t;
    }

    /** All parameters by name, in storage order. */
    public Map<String, Tensor> byName() { return byName; }

    public long count() { return all.size(); }
}
