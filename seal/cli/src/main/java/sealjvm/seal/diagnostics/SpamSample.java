package sealjvm.seal.diagnostics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.seal.data.SpamAssassin.Message;

/**
 * Writes the committed SpamAssassin sample: {@code SpamSample <out.jsonl> [perClass=120] [seed=0]}
 * (weights/scripts/make_spam_sample.sh). Fetches the full corpus on first use (see {@link SpamAssassin#loadDefault}).
 */
public final class SpamSample {
    private SpamSample() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: SpamSample <out.jsonl> [perClass=120] [seed=0]");
            System.exit(2);
        }
        int perClass = args.length > 1 ? Integer.parseInt(args[1]) : 120;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 0;
        List<Message> all = SpamAssassin.loadDefault(SpamAssassin.DEFAULT_MAX_CHARS);
        List<Message> sample = SpamAssassin.balancedSample(all, perClass, seed);
        SpamAssassin.writeJsonl(sample, Path.of(args[0]));
        long spam = all.stream().filter(Message::spam).count();
        System.err.printf("corpus: %d messages (%d spam, %d ham); wrote %d to %s%n",
                all.size(), spam, all.size() - spam, sample.size(), args[0]);
    }
}
