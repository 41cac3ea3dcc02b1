package sealjvm.seal.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.SpamAssassin.Message;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.seal.edit.Edit;

/**
 * {@code lm}: test-time adaptation of the language model. Context = the first {@code contextTokens} tokens of a
 * document the base model never trained on; held-out = the next {@code continuationTokens} tokens of the same
 * document, scored WITHOUT the context in the window, so whatever the edit learned from the context can only reach
 * the score through the weights. Score = mean next-token log-likelihood of the continuation (nats per token).
 *
 * <p>Documents: the ham (non-spam) messages of the SpamAssassin corpus — mails written by people, unseen in the
 * Brown pretraining, thousands of them (Brown's 29 held-out files are too few to train a policy on). Splits are by
 * message ({@link SpamAssassin.Split}), so no document is in two splits.
 */
public final class LmTask implements Task<LmTask.Continuation> {
    public record Options(int contextTokens, int continuationTokens) {
        public Options {
            if (contextTokens < 2 || continuationTokens < 2) throw new IllegalArgumentException("lm: context and continuation need >= 2 tokens, got " + contextTokens + ", " + continuationTokens);
        }

        public static Options defaults() { return new Options(64, 64); }
    }

    /** The held-out part of a document: its id (for split checks) and the continuation's tokens. */
    public record Continuation(String id, int[] tokens) {}

    private final Map<Stage, List<Episode<Continuation>>> episodes = new EnumMap<>(Stage.class);

    public LmTask(Gpt2Tokenizer tokenizer, SpamAssassin.Split split, Options options, int nPositions) {
        if (options.contextTokens() > nPositions || options.continuationTokens() > nPositions) {
            throw new IllegalArgumentException("lm: context " + options.contextTokens() + " / continuation " + options.continuationTokens() + " tokens exceed n_positions=" + nPositions);
        }
        episodes.put(Stage.TRAIN, build(tokenizer, split.train(), options));
        episodes.put(Stage.HELDOUT, build(tokenizer, split.heldout(), options));
        episodes.put(Stage.EVAL, build(tokenizer, split.eval(), options));
        if (episodes.get(Stage.TRAIN).isEmpty() || episodes.get(Stage.EVAL).isEmpty()) {
            throw new IllegalArgumentException("lm: no ham message of at least " + (options.contextTokens() + options.continuationTokens()) + " tokens in the train or eval split");
        }
    }

    /** Ham messages long enough for context + continuation, in split order. */
    private static List<Episode<Continuation>> build(Gpt2Tokenizer tok, List<Message> msgs, Options o) {
        List<Episode<Continuation>> out = new ArrayList<>();
        int need = o.contextTokens() + o.continuationTokens();
        for (Message m : msgs) {
            if (m.spam()) continue;
            int[] ids = tok.encode(m.text());
            if (ids.length < need) continue;
            out.add(new Episode(Arrays.copyOf(ids, o.contextTokens()),
                    new Continuation(m.id(), Arrays.copyOfRange(ids, o.contextTokens(), need))));
        }
        return List.copyOf(out);
    }

    @Override public String name() { return "lm"; }

    @Override
    public Episode<Continuation> draw(Stage stage, SplittableRandom rng) {
        List<Episode<Continuation>> pool = episodes.get(stage);
        return pool.get(rng.nextInt(pool.size()));
    }

    @Override
    public List<Episode<Continuation>> episodes(Stage stage, int n) {
        List<Episode<Continuation>> pool = episodes.get(stage);
        if (n < 0 || n > pool.size()) throw new IllegalArgumentException("lm: asked for " + n + " " + stage.name().toLowerCase() + " documents, the split has " + pool.size());
        return pool.subList(0, n);
    }

    @Override public int episodeCount(Stage stage) { return episodes.get(stage).size(); }

    @Override
    public List<Supervised> supervised(Episode<Continuation> episode) {
        return List.of(new Supervised(episode.heldout().tokens(), 1));
    }

    @Override
    public Detail detail(Gpt2Backend model, Episode<Continuation> episode, List<Edit> edits, boolean margins) {
        int[] cont = episode.heldout().tokens();
        double[] ll = Scoring.meanTokenLogLik(model, List.of(cont), edits);
        double[][] score = new double[ll.length][1];
        for (int j = 0; j < ll.length; j++) score[j][0] = ll[j];
        return new Detail(score, null, null, new String[] {"document"});
    }
}
