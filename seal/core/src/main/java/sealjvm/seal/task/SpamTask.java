package sealjvm.seal.task;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.SpamAssassin.Message;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.seal.edit.Edit;
import sealjvm.tensor.Tensor;

/**
 * {@code spam}: the guide's downstream classification task on the SpamAssassin corpus.
 * Context = a few newly arrived labeled messages ("Label: spam" + text); held-out = a batch of other
 * messages of the same task; score = mean log-likelihood of the correct label under the frozen
 * {@link SpamHead} on the last-token hidden state (accuracy reported too).
 */
public final class SpamTask implements Task<SpamTask.Heldout> {
    public record Options(int contextMessages, int heldoutBatch, int maxTokens) {
        public static Options defaults() { return new Options(4, 16, 48); }
    }

    private final Gpt2Tokenizer tokenizer;
    private final SpamAssassin.Split split;
    private final Options options;
    private final int maxContext;
    private final SpamHead head;
    private final Map<String, int[]> tokens = new HashMap<>();

    public SpamTask(Gpt2Backend model, Gpt2Tokenizer tokenizer, SpamAssassin.Split split, Options options, SpamHead head) {
        this.tokenizer = tokenizer;
        this.split = split;
        this.options = options;
        this.maxContext = model.config().nPositions();
        this.head = head;
        if (split.train().size() < options.contextMessages() || split.heldout().size() < options.heldoutBatch()
                || split.eval().size() < options.contextMessages() + options.heldoutBatch()) {
            throw new IllegalArgumentException("spam: too few messages for contexts of " + options.contextMessages()
                    + " and held-out batches of " + options.heldoutBatch() + " (train " + split.train().size() + ", heldout "
                    + split.heldout().size() + ", eval " + split.eval().size() + ")");
        }
    }

    /** Fits the frozen head on (up to 400 of) the training messages with the unedited model. */
    public static SpamHead fitHead(Gpt2Backend model, Gpt2Tokenizer tokenizer, SpamAssassin.Split split, Options options) {
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

    /** The context's labeled messages (for the head-recalibration control) and the held-out batch. */
    public record Heldout(List<Message> context, List<Message> messages) {}

    @Override
    public Episode<Heldout> draw(Stage stage, SplittableRandom rng) {
        boolean eval = stage == Stage.EVAL;
        List<Message> ctxPool = eval ? split.eval() : split.train();
        List<Message> heldPool = eval ? split.eval() : split.heldout();
        int[] ctxIdx = distinct(rng, ctxPool.size(), options.contextMessages(), new int[0]);
        // In EVAL both come from the eval split: the held-out batch excludes the context's messages.
        int[] heldIdx = distinct(rng, heldPool.size(), options.heldoutBatch(), eval ? ctxIdx : new int[0]);
        List<Message> ctx = new ArrayList<>(), held = new ArrayList<>();
        for (int i : ctxIdx) ctx.add(ctxPool.get(i));
        for (int i : heldIdx) held.add(heldPool.get(i));
        return episode(ctx, held);
    }

    private Episode<Heldout> episode(List<Message> ctx, List<Message> held) {
        List<Integer> context = new ArrayList<>();
        int perMessage = Math.max(8, (maxContext - 1) / options.contextMessages());
        for (Message m : ctx) {
            int[] ids = tokenizer.encode("Label: " + (m.spam() ? "spam" : "ham") + "\n" + m.text() + "\n\n");
            for (int t : truncate(ids, perMessage)) context.add(t);
        }
        return new Episode(context.stream().mapToInt(Integer::intValue).toArray(), new Heldout(List.copyOf(ctx), List.copyOf(held)));
    }

    /**
     * Consecutive groups of the split's messages, each group one episode (context, then held-out batch): no message
     * is in two episodes. The context and held-out messages of an episode are drawn independently of each other, so
     * the context carries no information about the held-out labels beyond what every context does.
     */
    @Override
    public List<Episode<Heldout>> episodes(Stage stage, int n) {
        List<Message> pool = stage == Stage.EVAL ? split.eval() : stage == Stage.HELDOUT ? split.heldout() : split.train();
        int per = options.contextMessages() + options.heldoutBatch();
        if (n < 0 || n > pool.size() / per) {
            throw new IllegalArgumentException("spam: asked for " + n + " " + stage.name().toLowerCase() + " episodes, the split has messages for " + pool.size() / per);
        }
        List<Episode<Heldout>> out = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            int at = e * per;
            out.add(episode(pool.subList(at, at + options.contextMessages()), pool.subList(at + options.contextMessages(), at + per)));
        }
        return out;
    }

    @Override
    public int episodeCount(Stage stage) {
        List<Message> pool = stage == Stage.EVAL ? split.eval() : stage == Stage.HELDOUT ? split.heldout() : split.train();
        return pool.size() / (options.contextMessages() + options.heldoutBatch());
    }

    private int[] messageTokens(Message m) {
        return tokens.computeIfAbsent(m.id(), k -> truncate(tokenizer.encode(m.text()), options.maxTokens()));
    }

    @Override
    public Detail detail(Gpt2Backend model, Episode<Heldout> episode, List<Edit> edits, boolean margins) {
        List<Message> msgs = episode.heldout().messages();
        List<int[]> seqs = new ArrayList<>();
        for (Message m : msgs) seqs.add(messageTokens(m));
        int n = seqs.size(), blocks = 1 + edits.size();
        double[][] score = new double[blocks][n], correct = new double[blocks][n];
        String[] group = new String[n];
        for (int i = 0; i < n; i++) group[i] = msgs.get(i).spam() ? "spam" : "ham";
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, edits, arena);
            for (int j = 0; j < blocks; j++) {
                for (int i = 0; i < n; i++) {
                    double logit = head.logit(Scoring.at(h, j * n + i, seqs.get(i).length - 1));
                    boolean spam = msgs.get(i).spam();
                    score[j][i] = SpamHead.logLik(logit, spam);
                    correct[j][i] = (logit > 0) == spam ? 1 : 0;
                }
            }
        }
        return new Detail(score, correct, null, group);
    }

    /** {@link #headRecalibration(Gpt2Backend, Episode)} of {@code task}'s episode, when {@code task} is a spam task. */
    public static Detail headRecalibration(Task<?> task, Gpt2Backend model, Episode<?> episode) {
        if (!(task instanceof SpamTask spam) || !(episode.heldout() instanceof Heldout held)) {
            throw new IllegalArgumentException("head recalibration is a control of the spam task, not " + task.name());
        }
        return spam.headRecalibration(model, new Episode<>(episode.context(), held));
    }

    /**
     * The cheapest context-specific fix, as a control: the frozen head's bias refit on the context's labeled messages
     * (logit' = w·h + b', a Newton fit of the context's log-loss with a unit Gaussian prior around the frozen head's
     * b; a refit scale ran away on four separable messages); the held-out batch scored with it. Block 0 of the result
     * is the unedited model's.
     */
    public Detail headRecalibration(Gpt2Backend model, Episode<Heldout> episode) {
        Heldout held = episode.heldout();
        double[] ctxScore = new double[held.context().size()];
        boolean[] ctxSpam = new boolean[held.context().size()];
        List<int[]> ctxSeqs = new ArrayList<>();
        for (Message m : held.context()) ctxSeqs.add(messageTokens(m));
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, ctxSeqs, List.of(), arena);
            for (int i = 0; i < ctxSeqs.size(); i++) {
                ctxScore[i] = head.logit(Scoring.at(h, i, ctxSeqs.get(i).length - 1)) - head.b();
                ctxSpam[i] = held.context().get(i).spam();
            }
        }
        double b = head.b();
        for (int iter = 0; iter < 50; iter++) {
            double g = b - head.b(), h = 1;   // the prior's gradient and curvature
            for (int i = 0; i < ctxScore.length; i++) {
                double p = 1 / (1 + Math.exp(-(ctxScore[i] + b))), y = ctxSpam[i] ? 1 : 0;
                g += p - y;
                h += p * (1 - p);
            }
            double step = g / h;
            b -= step;
            if (Math.abs(step) < 1e-12) break;
        }
        double a = 1;
        Detail base = detail(model, episode, List.of(), false);
        int n = base.units();
        double[][] score = {base.score()[0], new double[n]}, correct = {base.correct()[0], new double[n]};
        List<Message> msgs = held.messages();
        List<int[]> seqs = new ArrayList<>();
        for (Message m : msgs) seqs.add(messageTokens(m));
        try (Arena arena = Arena.ofShared()) {
            Tensor h = Scoring.hidden(model, seqs, List.of(), arena);
            for (int i = 0; i < n; i++) {
                double logit = a * (head.logit(Scoring.at(h, i, seqs.get(i).length - 1)) - head.b()) + b;
                boolean spam = msgs.get(i).spam();
                score[1][i] = SpamHead.logLik(logit, spam);
                correct[1][i] = (logit > 0) == spam ? 1 : 0;
            }
        }
        return new Detail(score, correct, null, base.group());
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
