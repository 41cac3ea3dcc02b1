package sealjvm.seal.edit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.LinearHook;

/**
 * PEFT LoRA adapters on a loaded model, applied in the order given: merged into the weights (reverted bit-exactly on
 * {@link #close}) or kept beside them as a forward hook. The base model an adapter names in
 * {@code adapter_config.json} ({@code base_model_name_or_path}) is an absolute path, or a path relative to the
 * adapter's own folder.
 */
public final class Adapters implements AutoCloseable {
    /** How an adapter enters the forward pass. */
    public enum Mode {
        /** W += (α/r)·A·B in place; the weights are restored bit-exactly afterwards. */
        MERGED,
        /** W untouched; each targeted linear's output gets s·(x·A)·B added. */
        HOOK;

        public String cliName() { return name().toLowerCase(Locale.ROOT); }

        public static Mode parse(String option, String s) {
            for (Mode m : values()) if (m.cliName().equals(s)) return m;
            throw new IllegalArgumentException(option + " must be one of " + Arrays.stream(values()).map(Mode::cliName).toList() + ", got '" + s + "'");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Arena arena = Arena.ofShared();
    private final List<Edit> edits = new ArrayList<>();
    private final Mode mode;
    private final MergedEdits merged;

    private Adapters(Gpt2Model model, Mode mode) {
        this.mode = mode;
        this.merged = mode == Mode.MERGED ? new MergedEdits(model.params) : null;
    }

    /** Reads every adapter folder (checked against {@code model}'s config) and applies it, in order. */
    public static Adapters apply(Gpt2Model model, List<Path> dirs, Mode mode) throws IOException {
        Adapters a = new Adapters(model, mode);
        try {
            for (Path d : dirs) {
                Edit e = PeftAdapter.read(d, model.config, a.arena);
                a.edits.add(e);
                if (a.merged != null) a.merged.apply(e);
            }
            return a;
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    public List<Edit> edits() { return List.copyOf(edits); }

    public Mode mode() { return mode; }

    /** The hook a forward pass needs: the adapters in {@link Mode#HOOK}, else none (they are in the weights). */
    public LinearHook hook() {
        if (mode == Mode.MERGED || edits.isEmpty()) return LinearHook.NONE;
        return (name, inp, out) -> {
            for (Edit e : edits) BatchedAdapters.blocks(List.of(e), inp.dim(0)).afterLinear(name, inp, out);
        };
    }

    /**
     * The base model named by {@code dir/adapter_config.json}: {@code base_model_name_or_path} as an absolute path,
     * or relative to {@code dir}. A name that is no folder (a Hub id such as "gpt2") is refused with a hint.
     */
    public static Path baseModel(Path dir) throws IOException {
        Path cfgFile = dir.resolve("adapter_config.json");
        if (!Files.isRegularFile(cfgFile)) throw new IllegalArgumentException(cfgFile + ": not found (a PEFT adapter directory has adapter_config.json)");
        JsonNode cfg;
        try {
            cfg = JSON.readTree(cfgFile.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(cfgFile + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode name = cfg == null ? null : cfg.get("base_model_name_or_path");
        if (name == null || !name.isTextual() || name.textValue().isBlank()) {
            throw new IllegalArgumentException(cfgFile + ": field \"base_model_name_or_path\" is " + name + "; give the base model with --model DIR");
        }
        Path base = dir.resolve(name.textValue()).normalize();
        if (!Files.isDirectory(base)) {
            throw new IllegalArgumentException(cfgFile + ": field \"base_model_name_or_path\" is \"" + name.textValue() + "\", which is not a folder ("
                    + base + "); give the base model with --model DIR");
        }
        return base;
    }

    /**
     * Merges the adapters into {@code model}'s weights for good (no snapshot is kept): for a model that lives only as
     * long as one evaluation on "base + adapters".
     */
    public static void mergeForGood(Gpt2Model model, List<Path> dirs) throws IOException {
        for (Path d : dirs) {
            try (Arena tmp = Arena.ofShared()) {
                for (LowRankDelta delta : PeftAdapter.read(d, model.config, tmp).deltas()) {
                    sealjvm.tensor.Tensor w = model.params.get(delta.target().weightName());
                    sealjvm.tensor.Tensor snapshot = sealjvm.tensor.Tensor.allocate(tmp, Math.toIntExact(w.size()));
                    sealjvm.tensor.LowRank.applyWithSnapshot(w, delta.a(), delta.b(), delta.scale(), snapshot);
                }
            }
        }
    }

    /**
     * A folder name for what an evaluation caches about "base + these adapters": "eval-adapters-" and the first 12 hex
     * digits of the SHA-256 of every adapter's adapter_config.json and adapter_model.safetensors, in order.
     */
    public static String cacheName(List<Path> dirs) throws IOException {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path d : dirs) {
                sha.update(Files.readAllBytes(d.resolve("adapter_config.json")));
                sha.update(Files.readAllBytes(d.resolve("adapter_model.safetensors")));
            }
            return "eval-adapters-" + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Restores the weights (merged adapters are reverted newest first, bit-exactly) and frees the factors. */
    @Override
    public void close() {
        if (merged != null) merged.close();
        arena.close();
    }
}
