package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.seal.data.SpamAssassin.Message;
import sealjvm.seal.edit.Edit;
import sealjvm.tensor.Tensor;

/**
 * {@code spam}: the guide's downstream classification task on the SpamAssassin corpus.
 * Context = a few newly arrived labeled messages ("Label: spam" + text); held-out = a batch of other
 * messages of the same task; score = mean log-likelihood of the correct label under the frozen
 * {@link SpamHead} on the last-token hidden state (accuracy reported too).
 */
public final class SpamTask implements Task {
    public record Options(int contextMessages, int heldoutBatch, int maxTokens) {
        public static Options defaults() { return new Options(4, 16, 48); }
    }

    private final Gpt2Tokenizer tokenizer;
    private final SpamAssassin.Split split;
    private final Options options;
    private final int maxContext;
    private final SpamHead head;
    private final Map<String, int[]> tokens = new HashMap<>();

    public SpamTask(Gpt2Model model, Gpt2Tokenizer tokenizer, SpamAssassin.Split split, Options options, SpamHead head) {
        this.tokenizer = tokenizer;
        this.split = split;
        this.options = options;
        this.maxContext = model.config.nPositions();
        this.head = head;
        if (split.train().size() < options.contextMessages() || split.heldout().size() < options.heldoutBatch()
                || split.eval().size() < options.contextMessages() + options.heldoutBatch()) {
            throw new IllegalArgumentException("spam: too few messages for contexts of " + options.contextMessages()
                    + " and held-out batches of " + options.heldoutBatch() + " (train " + split.train().size() + ", heldout "
                    + split.heldout().size() + ", eval " + split.eval().size() + ")");
        }
    }

    /** Fits the frozen head on (up to 400 of) the training messages with the unedited model. */
    public static SpamHead fitHead(Gpt2Model model, Gpt2Tokenizer tokenizer, SpamAssassin.Split split, Options options) {
        List<Message> train = split.train().subList(0, Math.min(400, split.train().size()));
        List<int[]> seqs = new ArrayList<>();
        boolean[] labels = new boolean[train.size()];
        for (int i = 0; i < train.size(); i++) {
            seqs.add(truncate(tokenizer.encode(train.get(i).text()), options.maxTokens()));
            labels[i] = train.get(i).spam();
        }
        return SpamHead.fit(model, seqs, labels, 1e-3);
    }

    public SpamHead head() { return head; }

    @Override public String name() { return "spam"; }

    record Heldout(List<Message> messages) {}

    @Override
    public Episode draw(Stage stage, SplittableRandom rng) {
        List<Message> ctxPool = stage == Stage.TRAIN ? split.train() : split.eval();
        List<Message> heldPool = stage == Stage.TRAIN ? split.heldout() : split.eval();
        int[] ctxIdx = distinct(rng, ctxPool.size(), options.contextMessages(), new int[0]);
        // In EVAL both come from the eval split: the held-out batch excludes the context's messages.
        int[] heldIdx = distinct(rng, heldPool.size(), options.heldoutBatch(), stage == Stage.EVAL ? ctxIdx : new int[0]);
        List<Integer> context = new ArrayList<>();
        int perMessage = Math.max(8, (maxContext - 1) / options.contextMessages());
        for (int i : ctxIdx) {
            Message m = ctxPool.get(i);
            int[] ids = tokenizer.encode("Label: " + (m.spam() ? "spam" : "ham") + "\n" + m.text() + "\n\n");
            for (int t : truncate(ids, perMessage)) context.add(t);
        }
        List<Message> held = new ArrayList<>();
        for (int i : heldIdx) held.add(heldPool.get(i));
        return new Episode(context.stream().mapToInt(Integer::intValue).toArray(), new Heldout(held));
    }

    @Override
    public Scores score(Gpt2Model model, Episode episode, List<Edit> edits) {
        List<Message> msgs = ((Heldout) episode.heldout()).messages();
        List<int[]> seqs = new ArrayList<>();
        for (Message m : msgs) seqs.add(tokens.computeIfAbsent(m.id(), k -> truncate(tokenizer.encode(m.text()), options.maxTokens())));
        int n = seqs.size(), blocks = 1 + edits.size();
        double[] score = new double[blocks], acc = new double[blocks];
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, edits, arena);
            for (int j = 0; j < blocks; j++) {
                for (int i = 0; i < n; i++) {
                    double logit = head.logit(Scoring.at(h, j * n + i, seqs.get(i).length - 1));
                    boolean spam = msgs.get(i).spam();
                    score[j] += SpamHead.logLik(logit, spam) / n;
                    if ((logit > 0) == spam) acc[j] += 1.0 / n;
                }
            }
        }
        return new Scores(score, acc);
    }

    static int[] truncate(int[] ids, int max) {
        if (ids.length == 0) return new int[] {0};
        return ids.length <= max ? ids : Arrays.copyOf(ids, max);
    }

    /** k distinct indices in [0, n) avoiding {@code exclude}, in draw order. */
    static int[] distinct(SplittableRandom rng, int n, int k, int[] exclude) {
        java.util.Set<Integer> seen = new java.util.LinkedHashSet<>();
        java.util.Set<Integer> ex = new java.util.HashSet<>();
        for (int e : exclude) ex.add(e);
        while (seen.size() < k) {
            int i = rng.nextInt(n);
            if (!ex.contains(i)) seen.add(i);
        }
        return seen.stream().mapToInt(Integer::intValue).toArray();
    }
}
