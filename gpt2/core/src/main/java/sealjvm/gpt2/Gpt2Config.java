package sealjvm.gpt2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The hyperparameters of a Hugging Face GPT-2 {@code config.json}.
 * The five shape fields are required; {@code layer_norm_epsilon} and {@code activation_function}
 * default to Hugging Face's defaults (1e-5, "gelu_new") when absent, as transformers does.
 */
public record Gpt2Config(int nEmbd, int nHead, int nLayer, int nPositions, int vocabSize,
                         float layerNormEpsilon, String activationFunction) {

    /** GELU spellings that mean the tanh approximation GPT-2 was trained with. */
    public static final Set<String> TANH_GELU = Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast");

    public Gpt2Config {
        check(nEmbd > 0, "n_embd", nEmbd);
        check(nHead > 0, "n_head", nHead);
        check(nLayer > 0, "n_layer", nLayer);
        check(nPositions > 0, "n_positions", nPositions);
        check(vocabSize > 0, "vocab_size", vocabSize);
        if (nEmbd % nHead != 0) {
            throw new ModelFormatException("config: n_embd=" + nEmbd + " is not divisible by n_head=" + nHead);
        }
        if (!(layerNormEpsilon > 0) || !Float.isFinite(layerNormEpsilon)) {
            throw new ModelFormatException("config: layer_norm_epsilon must be a positive number, got " + layerNormEpsilon);
        }
        if (!TANH_GELU.contains(activationFunction)) {
            throw new ModelFormatException("config: activation_function \"" + activationFunction
                    + "\" is not supported (GPT-2 uses the tanh GELU: one of " + TANH_GELU + ")");
        }
    }

    private static void check(boolean ok, String field, int value) {
        if (!ok) throw new ModelFormatException("config: " + field + " must be positive, got " + value);
    }

    public int headSize() { return nEmbd / nHead; }

    /** Reads {@code config.json}; every problem is one exception naming the file and the field. */
    public static Gpt2Config read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": not found (a Hugging Face GPT-2 directory has config.json beside model.safetensors)");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new ModelFormatException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
            throw new ModelFormatException(file + ": cannot be read: " + why, e);
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(file + ": expected a JSON object");
        JsonNode type = root.get("model_type");
        if (type != null && !type.isNull() && !"gpt2".equals(type.asText())) {
            throw new ModelFormatException(file + ": field \"model_type\" is " + type + ", not \"gpt2\" (this engine runs GPT-2 models only)");
        }
        if (root.has("n_positions") && root.has("n_ctx") && !root.get("n_ctx").equals(root.get("n_positions"))) {
            throw new ModelFormatException(file + ": field \"n_ctx\" is " + root.get("n_ctx") + " but \"n_positions\" is "
                    + root.get("n_positions") + " (GPT-2 has one context length; make them equal)");
        }
        try {
            int nPositions = root.has("n_positions") ? intField(root, "n_positions") : intField(root, "n_ctx");
            float eps = root.has("layer_norm_epsilon") ? (float) numberField(root, "layer_norm_epsilon") : 1e-5f;
            String act = root.has("activation_function") ? root.get("activation_function").asText() : "gelu_new";
            return new Gpt2Config(intField(root, "n_embd"), intField(root, "n_head"), intField(root, "n_layer"),
                    nPositions, intField(root, "vocab_size"), eps, act);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(file + ": " + e.getMessage().replaceFirst("^config: ", ""), e);
        }
    }

    private static int intField(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) throw new ModelFormatException("config: missing field \"" + field + "\"");
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new ModelFormatException("config: field \"" + field + "\" must be an integer, got " + n);
        }
        return n.intValue();
    }

    private static double numberField(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (!n.isNumber()) throw new ModelFormatException("config: field \"" + field + "\" must be a number, got " + n);
        return n.doubleValue();
    }

    /**
     * The id that pads a sequence past its end (never attended under the causal mask): GPT-2's end-of-text token,
     * folded into the vocabulary of a model with fewer tokens.
     */
    public int paddingId() { return Gpt2Tokenizer.GPT2_EOT_ID % vocabSize; }
}
