package sealjvm.seal.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Names;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.gpt2.safetensors.SafeTensorsWriter;
import sealjvm.gpt2.train.AdamW;
import sealjvm.gpt2.train.Gpt2Backprop;
import sealjvm.gpt2.train.LrSchedule;
import sealjvm.seal.Progress;
import sealjvm.seal.RunDir;
import sealjvm.tensor.Tensor;

/**
 * Pretrains a GPT-2 on a token stream (nanoGPT's train loop on our backward pass), from GPT-2's random
 * initialization or, with {@link PretrainConfig#init()}, from the parameters of a Hugging Face model folder
 * (continued pretraining; the run starts from them, its AdamW moments from zero).
 *
 * <p>A step: {@code accum} micro-batches of {@code batch} random windows of {@code context + 1} tokens, gradients
 * accumulated, clipped to a global norm, AdamW at the warmup-cosine learning rate. The windows of step s come from
 * a generator seeded by (seed, s), so a resumed run draws exactly the windows the uninterrupted one would have.
 *
 * <p>Run folder: pretrain_config.json, metrics.jsonl (a line per step; "val_loss" every eval_every steps),
 * checkpoint.safetensors (parameters + AdamW moments, float32 as trained, so resume is exact) and model/ (Hugging
 * Face layout in the configured dtype, written at each checkpoint and at the end); loss_curve.png ({@link #plotFile()}) is drawn
 * from the metrics by the command line.
 */
public final class Pretrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final int VOCAB = 50257;

    private final PretrainConfig c;
    private final int[] train, val;
    private final Path dir;

    public Pretrainer(PretrainConfig config, int[] train, int[] val, Path dir) {
        this.c = config;
        this.train = train;
        this.val = val;
        this.dir = dir;
        if (train.length < c.context() + 2) throw new IllegalArgumentException("training corpus of " + train.length + " tokens is shorter than one window of " + (c.context() + 1));
        if (val.length < c.context() + 2) throw new IllegalArgumentException("held-out corpus of " + val.length + " tokens is shorter than one window of " + (c.context() + 1));
    }

    /**
     * The model in {@code initDir} has exactly the config's shape (layers, width, heads, n_positions = context, GPT-2
     * vocabulary), a tied head and layer_norm_epsilon 1e-5, as the models this trainer makes.
     */
    public static Gpt2Config checkInit(PretrainConfig c, Path initDir) {
        if (!Files.isRegularFile(initDir.resolve("config.json")) || !Files.isRegularFile(initDir.resolve("model.safetensors"))) {
            throw new IllegalArgumentException("--init " + initDir + ": not a Hugging Face model folder (config.json and model.safetensors)");
        }
        Gpt2Config m = Gpt2Config.read(initDir.resolve("config.json"));
        if (m.nLayer() != c.nLayer() || m.nEmbd() != c.nEmbd() || m.nHead() != c.nHead() || m.nPositions() != c.context() || m.vocabSize() != VOCAB) {
            throw new IllegalArgumentException(String.format("--init %s has n_layer %d, n_embd %d, n_head %d, n_positions %d, vocab %d; the run needs %d, %d, %d, %d (context), %d",
                    initDir, m.nLayer(), m.nEmbd(), m.nHead(), m.nPositions(), m.vocabSize(), c.nLayer(), c.nEmbd(), c.nHead(), c.context(), VOCAB));
        }
        if (m.layerNormEpsilon() != LN_EPS) {
            throw new IllegalArgumentException("--init " + initDir + ": layer_norm_epsilon " + m.layerNormEpsilon() + ", the trainer's models use " + LN_EPS);
        }
        try (SafeTensors st = SafeTensors.open(initDir.resolve("model.safetensors"))) {
            if (st.contains(Gpt2Names.LM_HEAD) || st.contains("transformer." + Gpt2Names.LM_HEAD)) {
                throw new IllegalArgumentException("--init " + initDir + ": has an untied lm_head; the trainer's models tie it to wte");
            }
        }
        return m;
    }

    private static final float LN_EPS = 1e-5f;

    /** Copies the parameters of the model in {@code initDir} (any stored dtype, widened to float32) into {@code model}. */
    static void initializeFrom(Gpt2Model model, Path initDir) {
        try (Gpt2Model init = Gpt2Model.load(initDir)) {
            if (!init.params.tied || init.config.layerNormEpsilon() != model.config.layerNormEpsilon()
                    || init.params.all.size() != model.params.all.size()) {
                throw new IllegalArgumentException("--init " + initDir + ": needs a tied-head GPT-2 of the run's shape with layer_norm_epsilon "
                        + model.config.layerNormEpsilon());
            }
            model.params.all.copyFrom(init.params.all);
        }
    }

    public Path configFile() { return dir.resolve("pretrain_config.json"); }
    public Path metricsFile() { return dir.resolve("metrics.jsonl"); }
    public Path checkpointFile() { return dir.resolve("checkpoint.safetensors"); }
    public Path modelDir() { return dir.resolve("model"); }
    public Path plotFile() { return dir.resolve("loss_curve.png"); }

    public static PretrainConfig readConfig(Path dir) throws IOException {
        Path f = dir.resolve("pretrain_config.json");
        if (!Files.exists(f)) throw new IllegalArgumentException(dir + ": not a pretraining run (no pretrain_config.json)");
        try {
            return JSON.readValue(f.toFile(), PretrainConfig.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(f + ": invalid config: " + e.getOriginalMessage(), e);
        }
    }

    /** Trains from scratch ({@code resume} false, the folder must not hold a run) or from the last checkpoint. */
    public List<JsonNode> run(boolean resume, Progress progress) throws IOException {
        return run(resume, progress, c.steps());
    }

    /** As {@link #run(boolean, boolean)}, stopping after step {@code stopAt} (an interruption, for tests). */
    public List<JsonNode> run(boolean resume, Progress progress, int stopAt) throws IOException {
        if (!resume && (Files.exists(configFile()) || Files.exists(checkpointFile()))) {
            throw new IllegalArgumentException(dir + " already holds a run: use --resume " + dir + " to continue it, or choose another --out");
        }
        // Checked before anything is written, so a bad --init leaves no half-made run folder behind.
        if (c.init() != null && !(resume && Files.exists(checkpointFile()))) checkInit(c, Path.of(c.init()));
        Files.createDirectories(dir);
        if (!resume) RunDir.writeAtomically(configFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
        Gpt2Config cfg = new Gpt2Config(c.nEmbd(), c.nHead(), c.nLayer(), c.context(), VOCAB, LN_EPS, "gelu_new");
        RunDir metrics = new RunDir(dir);
        try (Gpt2Model model = Gpt2Model.create(cfg, true);
             Gpt2Backprop bp = new Gpt2Backprop(model, c.batch(), c.context());
             AdamW opt = new AdamW(model.params, 0.9f, 0.95f, 1e-8f, (float) c.weightDecay(), AdamW.decayMatrices(model.params))) {
            int step = 0;
            if (resume && Files.exists(checkpointFile())) step = loadCheckpoint(model, opt);
            else if (c.init() != null) initializeFrom(model, Path.of(c.init()));
            else initialize(model, c.seed());
            truncate(step);
            LrSchedule schedule = new LrSchedule(c.lr(), c.minLr(), c.warmup(), c.steps());
            progress.start("pretrain", c.steps(), step);
            long t0 = System.nanoTime();
            int startStep = step;
            try {
                while (step < Math.min(stopAt, c.steps())) {
                    long ts = System.nanoTime();
                    bp.zeroGrad();
                    double loss = 0;
                    SplittableRandom rng = new SplittableRandom(c.seed() * 0x9E3779B97F4A7C15L + step);
                    for (int micro = 0; micro < c.accum(); micro++) {
                        int[][] xy = windows(train, c.batch(), c.context(), rng);
                        loss += bp.forward(xy[0], xy[1]) / c.accum();
                        bp.backward(1f / c.accum());
                    }
                    double norm = c.gradClip() > 0 ? AdamW.clipGradNorm(bp.grads, c.gradClip()) : AdamW.clipGradNorm(bp.grads, Double.POSITIVE_INFINITY);
                    double lr = schedule.at(step);
                    opt.update(bp.grads, lr);
                    step++;
                    ObjectNode m = JSON.createObjectNode();
                    m.put("step", step).put("loss", loss).put("lr", lr).put("grad_norm", norm)
                            .put("tokens", (long) step * c.tokensPerStep())
                            .put("tokens_per_s", c.tokensPerStep() / ((System.nanoTime() - ts) / 1e9));
                    if (step % c.evalEvery() == 0 || step == c.steps()) m.put("val_loss", validationLoss(bp));
                    m.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                    if (!Double.isFinite(loss)) throw new IllegalStateException("loss became " + loss + " at step " + step + ": lower --lr");
                    metrics.appendMetrics(m);
                    if (step % c.checkpointEvery() == 0 || step == c.steps() || step == stopAt) {
                        saveCheckpoint(model, opt, step);
                        model.save(modelDir(), c.dtype());
                    }
                    progress.step(step, String.format("loss %.3f%s %.0f tok/s", loss,
                            m.has("val_loss") ? String.format(" val %.3f", m.get("val_loss").asDouble()) : "",
                            (double) (step - startStep) * c.tokensPerStep() / ((System.nanoTime() - t0) / 1e9)));
                }
            } finally {
                progress.finish();
            }
            return metrics.readMetrics();
        }
    }

    /** Mean loss over the first {@code evalBatches × batch} non-overlapping windows of the held-out tokens. */
    double validationLoss(Gpt2Backprop bp) {
        int B = c.batch(), T = c.context();
        int windows = Math.min(c.evalBatches() * B, (val.length - 1) / T);
        double sum = 0;
        int n = 0;
        for (int w0 = 0; w0 < windows; w0 += B) {
            int[] x = new int[B * T], y = new int[B * T];
            java.util.Arrays.fill(y, -1);
            for (int b = 0; b < B && w0 + b < windows; b++) {
                int s = (w0 + b) * T;
                System.arraycopy(val, s, x, b * T, T);
                System.arraycopy(val, s + 1, y, b * T, T);
            }
            float l = bp.forward(x, y);
            sum += (double) l * bp.counted();
            n += bp.counted();
        }
        return sum / n;
    }

    /** B random windows: inputs tokens[s..s+T), targets tokens[s+1..s+T]. */
    static int[][] windows(int[] tokens, int B, int T, SplittableRandom rng) {
        int[] x = new int[B * T], y = new int[B * T];
        for (int b = 0; b < B; b++) {
            int s = rng.nextInt(tokens.length - T);
            System.arraycopy(tokens, s, x, b * T, T);
            System.arraycopy(tokens, s + 1, y, b * T, T);
        }
        return new int[][] {x, y};
    }

    /** GPT-2's initialization: N(0, 0.02), residual projections N(0, 0.02/√(2L)), biases 0, layernorm gains 1. */
    static void initialize(Gpt2Model model, long seed) {
        SplittableRandom root = new SplittableRandom(seed);
        double projStd = 0.02 / Math.sqrt(2.0 * model.config.nLayer());
        for (var e : model.params.byName().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            SplittableRandom r = root.split();
            if (name.contains("ln_") && name.endsWith(".weight")) t.fill(1f);
            else if (name.endsWith(".bias")) t.fill(0f);
            else {
                double std = name.endsWith("c_proj.weight") ? projStd : 0.02;
                for (long i = 0; i < t.size(); i++) t.set(i, (float) (r.nextGaussian() * std));
            }
        }
    }

    private void saveCheckpoint(Gpt2Model model, AdamW opt, int step) {
        Map<String, String> meta = new HashMap<>();
        meta.put("format", "seal-jvm-pretrain-1");
        meta.put("step", Integer.toString(step));
        meta.put("adam_step", Integer.toString(opt.step()));
        SafeTensorsWriter.write(checkpointFile(), Map.of("params", model.params.all, "adam.m", opt.m, "adam.v", opt.v), meta, DType.F32);
    }

    private int loadCheckpoint(Gpt2Model model, AdamW opt) {
        try (SafeTensors st = SafeTensors.open(checkpointFile())) {
            for (var e : Map.of("params", model.params.all, "adam.m", opt.m, "adam.v", opt.v).entrySet()) {
                long n = st.info(e.getKey()).orElseThrow(() -> new IllegalArgumentException(checkpointFile() + ": no tensor '" + e.getKey() + "'")).numel();
                if (n != e.getValue().size()) {
                    throw new IllegalArgumentException(checkpointFile() + ": '" + e.getKey() + "' has " + n + " values, the config's model has " + e.getValue().size());
                }
                st.readInto(e.getKey(), e.getValue());
            }
            opt.setStep(Integer.parseInt(st.metadata().get("adam_step")));
            return Integer.parseInt(st.metadata().get("step"));
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(checkpointFile() + ": missing or invalid metadata (" + e.getMessage() + ")", e);
        }
    }

    // Metrics lines of steps 1..done are kept; later or torn lines (a kill after the line, before the checkpoint) go.
    private List<JsonNode> truncate(int done) throws IOException {
        List<JsonNode> kept = new java.util.ArrayList<>();
        if (Files.exists(metricsFile())) {
            for (String line : Files.readAllLines(metricsFile())) {
                if (kept.size() == done) break;
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.path("step").asInt(-1) == kept.size() + 1) kept.add(n);
                    else break;
                } catch (com.fasterxml.jackson.core.JacksonException torn) {
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : kept) sb.append(JSON.writeValueAsString(n)).append('\n');
        RunDir.writeAtomically(metricsFile(), sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return kept;
    }
}
