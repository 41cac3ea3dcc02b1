package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.BrownCorpus;
import sealjvm.seal.eval.Perplexity;
import sealjvm.seal.eval.UnigramModel;
import sealjvm.tensor.Parallel;
import sealjvm.tensor.Placement;

/**
 * {@code seal perplexity --model DIR --corpus brown-heldout [--max-tokens N] [--threads N]}: the model's
 * perplexity and that of an add-one unigram fit on brown-train, on the same tokens; one JSON line.
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true,
        description = "Perplexity of a model on a corpus (non-overlapping windows of n_positions), next to an add-one "
                + "unigram baseline fit on brown-train; prints one JSON line.")
final class PerplexityCommand implements Callable<Integer> {
    @Mixin ModelOption model;
    @Mixin AdapterOption adapter;
    @Mixin WeightsOption weights;

    @Option(names = "--corpus", required = true, paramLabel = "NAME|FILE",
            description = "brown-heldout, brown-train, or a UTF-8 text file (one document, followed by <|endoftext|>).")
    String corpus;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Evaluate only the first N tokens of the corpus.")
    Integer maxTokens;

    @Mixin ThreadsOption threads;

    @Option(names = "--brown-dir", paramLabel = "DIR",
            description = "Read the Brown corpus from raw files in DIR (e.g. weights/fixtures/brown) instead of the npm cache.")
    Path brownDir;

    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() throws Exception {
        Placement placement = placementOption.placement();
        long t0 = System.nanoTime();
        if (maxTokens != null && maxTokens < 2) throw new IllegalArgumentException("--max-tokens must be >= 2, got " + maxTokens);
        threads.check();
        if (brownDir != null && !java.nio.file.Files.isDirectory(brownDir)) throw Checks.bad("--brown-dir", brownDir, "not a directory");
        adapter.resolveBase(model);
        adapter.checkPlacement(placement);
        model.config();                                   // config.json checked before the corpus is read
        threads.apply();
        boolean named = corpus.equals("brown-heldout") || corpus.equals("brown-train");
        Path file = named ? null : Path.of(corpus);
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--corpus " + corpus + ": " + (Files.isDirectory(file) ? "is a directory, not a text file"
                    : Files.isSymbolicLink(file) ? "a symbolic link that does not resolve (dangling, or a loop)"
                    : "no such corpus or file (use brown-heldout, brown-train, or a UTF-8 text file)"));
        }
        Gpt2Tokenizer tokenizer = model.tokenizer();
        BrownCorpus brown = brownDir != null ? BrownCorpus.load(brownDir) : BrownCorpus.loadDefault();
        int[] train = brown.tokens(BrownCorpus.Split.TRAIN, tokenizer);
        int[] ids = file != null ? readText(file, tokenizer)
                : corpus.equals("brown-train") ? train : brown.tokens(BrownCorpus.Split.HELDOUT, tokenizer);
        if (maxTokens != null && ids.length > maxTokens) ids = Arrays.copyOf(ids, maxTokens);
        try (AdapterOption.Loaded loaded = adapter.load(model, weights.format, placement)) {
            Gpt2Model m = loaded.model();
            Perplexity.Result r = Perplexity.evaluate(loaded.backend(), ids, loaded.adapters().hook());
            Perplexity.Result u = UnigramModel.fit(train, m.config.vocabSize()).evaluate(ids, r.context());
            if (!Double.isFinite(r.perplexity()) || !Double.isFinite(r.nll())) {
                throw new IllegalStateException("the model's perplexity on --corpus " + corpus + " is not finite (nll " + r.nll() + ", perplexity "
                        + r.perplexity() + "): its logits overflow");
            }
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("model", model.dir().toString());
            if (!adapter.adapters.isEmpty()) {
                var a = o.putArray("adapters");
                for (Path d : adapter.adapters) a.add(d.toString());
                o.put("adapter_mode", adapter.mode.cliName());
            }
            o.put("corpus", corpus).put("tokens", r.tokens()).put("predicted", r.predicted())
                    .put("perplexity", r.perplexity()).put("nll", r.nll()).put("unigram_perplexity", u.perplexity())
                    .put("context", r.context()).put("threads", Parallel.threads())
                    .put("seconds", Math.round((System.nanoTime() - t0) / 1e6) / 1e3);
            System.out.println(o);
        }
        return 0;
    }

    /** The file as one document: strict UTF-8 (a bad byte is an error, not a silent U+FFFD), then EOT. */
    private static int[] readText(Path file, Gpt2Tokenizer tokenizer) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("--corpus " + file + ": not UTF-8 text");
        }
        int[] body = tokenizer.encode(text);
        int[] ids = Arrays.copyOf(body, body.length + 1);
        ids[body.length] = tokenizer.eotId();
        return ids;
    }
}
