package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sealjvm.tensor.HalfMatrix;
import sealjvm.tensor.PackedMatrix;
import sealjvm.tensor.Q8Matrix;
import sealjvm.tensor.Tensor;
import sealjvm.tensor.WeightFormat;

/**
 * Every GPT-2 parameter as a named view into one float32 allocation (llm.c's ParameterTensors).
 * One allocation means one snapshot, one optimizer state and one device copy serve the whole model.
 * Names are Hugging Face's without the {@code transformer.} prefix, e.g. {@code h.3.mlp.c_fc.weight};
 * Conv1D weights are stored [in, out] as in the checkpoint (y = x·W + b).
 *
 * <p>With any other {@link WeightFormat} (inference only) the weight matrices (wte, which is also the tied head, an
 * untied lm_head, and each block's four linears) are instead {@link PackedMatrix packed} ({@link #packed}): float32
 * panels ({@link PanelMatrix}), named views into one 16-bit allocation, or one {@link Q8Matrix} each, blocked along k
 * as its product reads it;
 * {@link #all} then holds only the float32 rest (wpe, biases, layernorms), and the float32 fields of those matrices
 * are null.
 */
public final class Gpt2Params {
    /** One transformer block's parameters. */
    public record Block(Tensor ln1W, Tensor ln1B,       // (C), (C)
                        Tensor attnW, Tensor attnB,     // c_attn: (C,3C), (3C)
                        Tensor attnProjW, Tensor attnProjB, // c_proj: (C,C), (C)
                        Tensor ln2W, Tensor ln2B,       // (C), (C)
                        Tensor fcW, Tensor fcB,         // c_fc: (C,4C), (4C)
                        Tensor fcProjW, Tensor fcProjB) {} // mlp.c_proj: (4C,C), (C)

    /** One block's weight matrices packed (any format but F32; the float32 ones in {@link Block} are then null). */
    public record PackedBlock(PackedMatrix attnW,       // c_attn: (C,3C)
                              PackedMatrix attnProjW,   // c_proj: (C,C)
                              PackedMatrix fcW,         // c_fc: (C,4C)
                              PackedMatrix fcProjW) {}  // mlp.c_proj: (4C,C)

    public final Gpt2Config config;
    public final Tensor all;          // every float, in the order of names()
    public final Tensor wte;          // (V,C)
    public final Tensor wpe;          // (P,C)
    public final List<Block> blocks;  // n_layer of them
    public final Tensor lnfW, lnfB;   // (C), (C)
    public final Tensor lmHead;       // (V,C): wte itself when tied
    public final boolean tied;
    /** How the weight matrices are held: F32 (every parameter in {@link #all}) or packed (see {@link #packed}). */
    public final WeightFormat format;
    public final PackedMatrix wtePacked;      // (V,C) when packed, else null
    public final PackedMatrix lmHeadPacked;   // (V,C): wtePacked itself when tied; null unless packed
    public final List<PackedBlock> packedBlocks; // n_layer of them when packed, else empty
    private final Map<String, Tensor> byName;
    private final Map<String, PackedMatrix> packed;

    private Gpt2Params(Gpt2Config config, Tensor all, Map<String, Tensor> byName, Map<String, PackedMatrix> packed, boolean tied, WeightFormat format) {
        this.config = config;
        this.all = all;
        this.byName = Collections.unmodifiableMap(byName);
        this.packed = Collections.unmodifiableMap(packed);
        this.tied = tied;
        this.format = format;
        this.wte = byName.get(Gpt2Names.WTE);
        this.wpe = byName.get(Gpt2Names.WPE);
        this.lnfW = byName.get(Gpt2Names.LN_F_WEIGHT);
        this.lnfB = byName.get(Gpt2Names.LN_F_BIAS);
        this.lmHead = tied ? wte : byName.get(Gpt2Names.LM_HEAD);
        List<Block> bs = new ArrayList<>();
        for (int l = 0; l < config.nLayer(); l++) {
            Gpt2Names.Block n = Gpt2Names.block(l);
            bs.add(new Block(get(n.ln1W()), get(n.ln1B()), byName.get(n.attnW()), get(n.attnB()), byName.get(n.attnProjW()), get(n.attnProjB()),
                    get(n.ln2W()), get(n.ln2B()), byName.get(n.fcW()), get(n.fcB()), byName.get(n.fcProjW()), get(n.fcProjB())));
        }
        this.blocks = Collections.unmodifiableList(bs);   // List.copyOf refuses the null matrices of a packed model
        this.wtePacked = packed.get(Gpt2Names.WTE);
        this.lmHeadPacked = tied ? wtePacked : packed.get(Gpt2Names.LM_HEAD);
        List<PackedBlock> pb = new ArrayList<>();
        if (!packed.isEmpty()) {
            for (int l = 0; l < config.nLayer(); l++) {
                Gpt2Names.Block n = Gpt2Names.block(l);
                pb.add(new PackedBlock(packed.get(n.attnW()), packed.get(n.attnProjW()), packed.get(n.fcW()), packed.get(n.fcProjW())));
            }
        }
        this.packedBlocks = List.copyOf(pb);
    }

    /** The weight matrices a packed format (any but F32) packs: wte, an untied lm_head and each block's linears. */
    public static boolean heldPacked(String name) {
        return name.equals(Gpt2Names.WTE) || name.equals(Gpt2Names.LM_HEAD)
                || name.endsWith(".attn.c_attn.weight") || name.endsWith(".attn.c_proj.weight")
                || name.endsWith(".mlp.c_fc.weight") || name.endsWith(".mlp.c_proj.weight");
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

    /** Zero-filled float32 parameters in one 64-byte-aligned allocation. */
    public static Gpt2Params allocate(Gpt2Config config, boolean tied, Arena arena) {
        return allocate(config, tied, arena, WeightFormat.F32);
    }

    /**
     * Zero-filled parameters with the weight matrices held as {@code format}: for F32 one float32 allocation; for
     * F16/BF16 one 16-bit allocation for the matrices ({@link #heldPacked}) and one float32 allocation for the rest;
     * for F32_PACKED and Q8_0 one {@link PanelMatrix} or {@link Q8Matrix} per matrix, laid out for the product that
     * reads it (a (K,N) linear's plain one; the (V,C) wte and lm_head, which the head multiplies transposed).
     */
    public static Gpt2Params allocate(Gpt2Config config, boolean tied, Arena arena, WeightFormat format) {
        checkSize(config, tied);
        Map<String, int[]> shapes = shapes(config, tied);
        boolean packs = format != WeightFormat.F32, half = format == WeightFormat.F16 || format == WeightFormat.BF16;
        long total = 0, total16 = 0;
        for (var e : shapes.entrySet()) {
            if (packs && heldPacked(e.getKey())) total16 += Tensor.numel(e.getValue());
            else total += Tensor.numel(e.getValue());
        }
        Tensor all = Tensor.allocate(arena, Math.toIntExact(total));
        var all16 = half ? arena.allocate(2 * total16, Tensor.ALIGNMENT) : null;
        Map<String, Tensor> byName = new LinkedHashMap<>();
        Map<String, PackedMatrix> packed = new LinkedHashMap<>();
        long off = 0, off16 = 0;
        for (var e : shapes.entrySet()) {
            int[] s = e.getValue();
            boolean head = e.getKey().equals(Gpt2Names.WTE) || e.getKey().equals(Gpt2Names.LM_HEAD);   // multiplied transposed
            if (half && heldPacked(e.getKey())) {
                packed.put(e.getKey(), HalfMatrix.wrap(all16.asSlice(2 * off16, 2 * Tensor.numel(s)), format,
                        head ? HalfMatrix.Layout.ROWS : HalfMatrix.Layout.STRIPS, s[0], s[1]));
                off16 += Tensor.numel(s);
            } else if (packs && heldPacked(e.getKey())) {
                packed.put(e.getKey(), PackedMatrix.allocate(arena, s[0], s[1], format, head));
            } else {
                byName.put(e.getKey(), all.slice(off, s));
                off += Tensor.numel(s);
            }
        }
        return new Gpt2Params(config, all, byName, packed, tied, format);
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
        if (t == null && packed.containsKey(name)) throw new IllegalStateException(packedRefusal("training, merged edits or snapshots of '" + name + "' (float32 access)"));
        if (t == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return t;
    }

    /**
     * Why {@code operation} is refused on a model whose weight matrices are packed (any format but F32): they are an
     * inference-only copy (kernels widen them in registers); training, merged edits and snapshots need float32 weights.
     */
    public String packedRefusal(String operation) {
        return operation + " needs float32 weights, but this model holds its weight matrices in " + format
                + " for inference only (forward, logits, generation); load it with WeightFormat.F32";
    }

    /** Throws {@link IllegalStateException} naming {@code operation} unless every parameter is float32. */
    public void requireF32(String operation) {
        if (format != WeightFormat.F32) throw new IllegalStateException(packedRefusal(operation));
    }

    /** The float32 parameters by name, in storage order: all of them unless the matrices are packed ({@link #packed}). */
    public Map<String, Tensor> byName() { return byName; }

    /** The packed weight matrices (any format but F32) by name, in storage order; empty for F32. */
    public Map<String, PackedMatrix> packed() { return packed; }

    /** Number of parameters, in whatever format each is held. */
    public long count() {
        long n = all.size();
        for (PackedMatrix h : packed.values()) n += h.size();
        return n;
    }

    /** Bytes the parameters occupy: float32 ones at 4, 16-bit ones at 2, Q8_0 ones at 1 plus a float32 scale per 32. */
    public long byteSize() {
        long n = all.byteSize();
        for (PackedMatrix h : packed.values()) n += h.byteSize();
        return n;
    }
}
