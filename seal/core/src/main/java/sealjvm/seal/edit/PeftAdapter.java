package sealjvm.seal.edit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.gpt2.safetensors.SafeTensorsWriter;
import sealjvm.tensor.AtomicFiles;
import sealjvm.tensor.Tensor;

/**
 * An edit as a Hugging Face PEFT LoRA adapter directory ({@code adapter_config.json} +
 * {@code adapter_model.safetensors}), loadable with {@code PeftModel.from_pretrained(gpt2, dir)}.
 *
 * <p>PEFT stores {@code lora_A.weight} [r, in] and {@code lora_B.weight} [out, r] and, for GPT-2's
 * Conv1D ({@code fan_in_fan_out: true}), adds (B_peft·A_peft)ᵀ·α/r to the [in, out] weight — that is
 * our A·B·α/r with A = A_peftᵀ and B = B_peftᵀ.
 */
public final class PeftAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "base_model.model.transformer.";

    private PeftAdapter() {}

    /**
     * Writes {@code edit} as an adapter of the model folder {@code baseModel}, which adapter_config.json names by its
     * absolute path ({@code base_model_name_or_path}; {@link Adapters#baseModel} also accepts a path relative to the
     * adapter folder).
     */
    public static void write(Path dir, Edit edit, String baseModel) throws IOException {
        if (edit.deltas().isEmpty()) throw new IllegalArgumentException("an empty edit has no adapter");
        int r = edit.deltas().get(0).rank();
        float alpha = edit.deltas().get(0).alpha();
        for (LowRankDelta d : edit.deltas()) {
            if (d.rank() != r || d.alpha() != alpha) {
                throw new IllegalArgumentException("a PEFT adapter has one rank and alpha: " + d.target().name() + " has r=" + d.rank() + ", α=" + d.alpha());
            }
        }
        Files.createDirectories(dir);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("peft_type", "LORA");
        cfg.put("task_type", "CAUSAL_LM");
        cfg.put("base_model_name_or_path", Path.of(baseModel).toAbsolutePath().normalize().toString());
        cfg.put("r", r);
        cfg.put("lora_alpha", alpha);
        cfg.put("lora_dropout", 0.0);
        cfg.put("bias", "none");
        cfg.put("fan_in_fan_out", true);
        cfg.put("inference_mode", true);
        cfg.put("use_rslora", false);
        ArrayNode modules = cfg.putArray("target_modules");
        try (Arena arena = Arena.ofShared()) {
            for (LowRankDelta d : edit.deltas()) {
                modules.add("transformer." + d.target().name());
                tensors.put(PREFIX + d.target().name() + ".lora_A.weight", transpose(d.a(), arena));
                tensors.put(PREFIX + d.target().name() + ".lora_B.weight", transpose(d.b(), arena));
            }
            SafeTensorsWriter.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"), DType.F32);
        }
        try {
            AtomicFiles.write(dir.resolve("adapter_config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(cfg));
        } catch (IOException e) {
            throw AtomicFiles.named(dir.resolve("adapter_config.json"), e);
        }
    }

    /** Loads a PEFT LoRA adapter for GPT-2 as an edit of {@code config}'s model; tensors live in {@code arena}. */
    public static Edit read(Path dir, Gpt2Config config, Arena arena) throws IOException {
        Path cfgFile = dir.resolve("adapter_config.json");
        JsonNode cfg;
        try {
            cfg = JSON.readTree(cfgFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(cfgFile + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(cfgFile + ": not found (a PEFT adapter directory has adapter_config.json)");
        }
        if (cfg == null || !cfg.isObject()) throw new IllegalArgumentException(cfgFile + ": expected a JSON object");
        if (!"LORA".equals(cfg.path("peft_type").asText())) throw new IllegalArgumentException(cfgFile + ": peft_type must be LORA, got " + cfg.get("peft_type"));
        JsonNode rNode = cfg.get("r");
        if (rNode == null || !rNode.isIntegralNumber() || !rNode.canConvertToInt() || rNode.intValue() < 1) {
            throw new IllegalArgumentException(cfgFile + ": field \"r\" must be a positive integer, got " + rNode);
        }
        int r = rNode.intValue();
        JsonNode alphaNode = cfg.get("lora_alpha");
        if (alphaNode != null && (!alphaNode.isNumber() || !Double.isFinite(alphaNode.doubleValue()))) {
            throw new IllegalArgumentException(cfgFile + ": field \"lora_alpha\" must be a finite number, got " + alphaNode);
        }
        double alpha = alphaNode == null ? r : alphaNode.doubleValue();
        JsonNode rs = cfg.get("use_rslora");
        if (rs != null && !rs.isBoolean() && !rs.isNull()) throw new IllegalArgumentException(cfgFile + ": field \"use_rslora\" must be true or false, got " + rs);
        JsonNode fifo = cfg.get("fan_in_fan_out");
        if (fifo != null && !fifo.isNull() && !(fifo.isBoolean() && fifo.booleanValue())) {
            throw new IllegalArgumentException(cfgFile + ": field \"fan_in_fan_out\" is " + fifo + ", but GPT-2's Conv1D weights are [in, out], which PEFT "
                    + "adapts with fan_in_fan_out: true");
        }
        JsonNode bias = cfg.get("bias");
        if (bias != null && !bias.isNull() && !"none".equals(bias.asText())) {
            throw new IllegalArgumentException(cfgFile + ": field \"bias\" is " + bias + "; only \"none\" (no trained biases) is supported");
        }
        JsonNode modulesNode = cfg.get("target_modules");
        List<String> modules = null;   // null: not given, every tensor pair is used
        java.util.regex.Pattern modulesRegex = null;
        if (modulesNode != null && !modulesNode.isNull()) {
            if (modulesNode.isTextual()) {
                try {
                    modulesRegex = java.util.regex.Pattern.compile(modulesNode.textValue());
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new IllegalArgumentException(cfgFile + ": field \"target_modules\" is not a valid regular expression: " + modulesNode);
                }
            } else if (modulesNode.isArray()) {
                modules = new ArrayList<>();
                for (JsonNode m : modulesNode) {
                    if (!m.isTextual()) throw new IllegalArgumentException(cfgFile + ": field \"target_modules\" must hold strings, got " + m);
                    modules.add(m.textValue());
                }
            } else {
                throw new IllegalArgumentException(cfgFile + ": field \"target_modules\" must be a list of module names or a regular expression, got " + modulesNode);
            }
        }
        // rsLoRA scales by α/√r; our deltas scale by α/r: the same ΔW with α' = α·√r.
        float effAlpha = (float) (rs != null && rs.asBoolean(false) ? alpha * Math.sqrt(r) : alpha);
        Path weights = dir.resolve("adapter_model.safetensors");
        List<LowRankDelta> deltas = new ArrayList<>();
        java.util.Set<String> matched = new java.util.HashSet<>();
        try (SafeTensors st = SafeTensors.open(weights)) {
            for (String name : st.names()) {
                if (!name.endsWith(".lora_A.weight")) continue;
                String module = name.substring(0, name.length() - ".lora_A.weight".length());
                String bName = module + ".lora_B.weight";
                if (!st.contains(bName)) throw new IllegalArgumentException(dir + ": " + name + " has no matching " + bName);
                String peftName = module.replaceFirst("^base_model\\.model\\.", "");
                if (modules != null || modulesRegex != null) {
                    String hit = null;
                    if (modulesRegex != null) {
                        if (modulesRegex.matcher(peftName).matches()) hit = modulesRegex.pattern();
                    } else {
                        for (String m : modules) if (peftName.equals(m) || peftName.endsWith("." + m)) { hit = m; matched.add(m); }
                    }
                    if (hit == null) {
                        throw new IllegalArgumentException(cfgFile + ": field \"target_modules\" " + modulesNode + " does not name " + peftName
                                + ", which " + weights.getFileName() + " adapts");
                    }
                }
                String local = peftName.replaceFirst("^transformer\\.", "");
                List<Target> ts;
                try {
                    ts = Target.parse(local, config);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(weights + ": module " + module + " is not a linear of this model: " + e.getMessage());
                }
                if (ts.size() != 1) throw new IllegalArgumentException(dir + ": cannot map module " + module + " to a GPT-2 linear");
                Tensor aT = st.readF32(name, arena), bT = st.readF32(bName, arena);
                Target t = ts.get(0);
                if (aT.rank() != 2 || bT.rank() != 2 || aT.dim(1) != t.in() || bT.dim(0) != t.out() || aT.dim(0) != bT.dim(1)) {
                    throw new IllegalArgumentException(dir + ": " + module + ": lora_A " + aT + " / lora_B " + bT
                            + " do not fit a [" + t.in() + "," + t.out() + "] weight");
                }
                if (aT.dim(0) != r) {
                    throw new IllegalArgumentException(cfgFile + ": field \"r\" is " + r + ", but " + module + " has rank " + aT.dim(0)
                            + " (lora_A " + java.util.Arrays.toString(aT.shape()) + ")");
                }
                for (var f : new Object[][] {{name, aT}, {bName, bT}}) {
                    String bad = sealjvm.gpt2.Finite.describeFirst((Tensor) f[1]);
                    if (bad != null) throw new IllegalArgumentException(weights + ": tensor '" + f[0] + "' has a non-finite value: " + bad);
                }
                deltas.add(new LowRankDelta(t, transpose(aT, arena), transpose(bT, arena), effAlpha * aT.dim(0) / r));
            }
        }
        if (deltas.isEmpty()) throw new IllegalArgumentException(dir + ": adapter_model.safetensors has no lora_A/lora_B pairs");
        if (modules != null) {
            for (String m : modules) {
                if (!matched.contains(m)) {
                    throw new IllegalArgumentException(cfgFile + ": field \"target_modules\" names " + m + ", but " + weights.getFileName() + " has no lora_A/lora_B for it");
                }
            }
        }
        return new Edit(deltas);
    }

    static Tensor transpose(Tensor m, Arena arena) {
        int rows = m.dim(0), cols = m.dim(1);
        Tensor t = Tensor.allocate(arena, cols, rows);
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t.set((long) j * rows + i, m.get((long) i * cols + j));
        return t;
    }
}
