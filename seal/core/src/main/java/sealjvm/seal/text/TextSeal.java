package sealjvm.seal.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import sealjvm.gpt2.Generator;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.gpt2.Sampler;
import sealjvm.seal.RandomStreams;
import sealjvm.seal.SealLoop;
import sealjvm.seal.Stats;
import sealjvm.seal.data.Facts;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.edit.MergedEdits;
import sealjvm.seal.edit.Target;
import sealjvm.seal.rollout.PassageRollout;
import sealjvm.seal.rollout.RolloutEngine;
import sealjvm.seal.rollout.TextSlot;
import sealjvm.seal.sft.LoraSft;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;

/**
 * The SEAL paper's knowledge-incorporation loop (Zweiger et al. 2025), on our GPT-2:
 * <pre>
 * for round in rounds:                                        (ReST-EM)
 *     for passage in passagesPerRound training passages:
 *         self_edits = K samples of policy(prompt(passage))   (text: "implications" of the passage)
 *         for each self_edit: Δ = LoRA-SFT(base, passage + self_edit)   (the inner loop: an Edit on the base model;
 *                                                                      each line of the self-edit an example)
 *         reward = score(base + Δ, questions) − score(base, questions)   (questions asked WITHOUT the passage;
 *                                                                      averaged over innerSeeds fine-tunes)
 *         keep the best self_edit if its reward > threshold (+ the reward of LoRA-SFT(base, passage) alone)
 *         (keepBy accuracy: best and beating the passage alone by accuracy first, the reward breaking ties)
 *     policy = LoRA-SFT(base, warm-start pairs + keptRepeat × [prompt(passage) → kept self_edit])   (E-step samples,
 *                                                                      M-step fine-tune)
 * </pre>
 * The edited model is always the base model: the policy adapter is merged only while generating, so a gain is
 * what the self-edit's content taught, not what the policy adapter changed. (The paper edits the current model.)
 */
public final class TextSeal implements AutoCloseable {
    public final TextSealConfig config;
    public final Gpt2Model model;
    public final Gpt2Tokenizer tokenizer;
    public final FactsTask task;
    private final MergedEdits merged;
    private final LoraSft inner, policySft;
    private final int eot, newline;

    public TextSeal(TextSealConfig config, Gpt2Model model, Gpt2Tokenizer tokenizer) {
        this.config = config;
        this.model = model;
        this.tokenizer = tokenizer;
        this.task = new FactsTask(tokenizer, Facts.splits(config.dataSeed(), 2000, 200, 400));
        this.merged = new MergedEdits(model.params);
        this.inner = new LoraSft(model, merged, Target.parse(config.innerTargets(), model.config));
        this.policySft = new LoraSft(model, merged, Target.parse(config.policyTargets(), model.config));
        this.eot = tokenizer.eotId() % model.config.vocabSize();
        int[] nl = tokenizer.encode("\n");
        if (nl.length != 1) throw new IllegalStateException("the tokenizer writes a newline as " + nl.length + " tokens, not one");
        this.newline = nl[0];
    }

    /** The prompt tokens for a passage, cut from the front of the passage if the context would overflow. */
    public int[] prompt(int[] passage) {
        int[][] around = promptAround();
        int[] pre = around[0], post = around[1];
        int room = model.config.nPositions() - config.editTokens() - pre.length - post.length;
        if (room < 1) throw new IllegalArgumentException("--prompt and --edit-tokens leave no room for the passage in n_positions=" + model.config.nPositions());
        int[] p = passage.length > room ? Arrays.copyOfRange(passage, passage.length - room, passage.length) : passage;
        int[] out = new int[pre.length + p.length + post.length];
        System.arraycopy(pre, 0, out, 0, pre.length);
        System.arraycopy(p, 0, out, pre.length, p.length);
        System.arraycopy(post, 0, out, pre.length + p.length, post.length);
        return out;
    }

    /** The passage inside {@link #prompt}'s tokens (as cut to fit there). */
    int[] passageOf(int[] prompt) {
        int[][] around = promptAround();
        return Arrays.copyOfRange(prompt, around[0].length, prompt.length - around[1].length);
    }

    // The prompt's tokens before {passage} and after it (the text after the first {passage}, any later ones dropped).
    private int[][] promptAround() {
        String[] parts = config.prompt().split("\\{passage\\}", -1);
        return new int[][] {tokenizer.encode(parts[0]), tokenizer.encode(String.join("", Arrays.copyOfRange(parts, 1, parts.length)))};
    }

    /** K self-edits (token ids, end-of-text dropped) sampled from base + {@code policy} (null: the base model). */
    public List<int[]> selfEdits(int[] prompt, Edit policy, int K, long seed) {
        MergedEdits.Applied applied = policy == null ? null : merged.apply(policy);
        try {
            List<int[]> out = new ArrayList<>();
            for (int k = 0; k < K; k++) out.add(sampleSelfEdit(prompt, seed, k));
            return out;
        } finally {
            if (applied != null) merged.revert(applied);
        }
    }

    /** Self-edit k of a passage's samples, from the model as it is now ({@link TextSealConfig.EditUnit}). */
    private int[] sampleSelfEdit(int[] prompt, long seed, int k) {
        int[] passage = passageOf(prompt);
        if (TextSealConfig.EditUnit.parse(config.editUnit()) == TextSealConfig.EditUnit.PASSAGE) return sampleText(prompt, passage, SealLoop.mix(seed, k), false);
        List<int[]> units = sentenceUnits(passage);
        List<int[]> lines = new ArrayList<>(units.size());
        for (int j = 0; j < units.size(); j++) lines.add(sampleText(prompt(units.get(j)), units.get(j), SealLoop.mix(SealLoop.mix(seed, k), j), true));
        return joinLines(lines);
    }

    /**
     * One text continuing {@code prompt}, the copy bias reading {@code passage}; {@code oneLine}: cut after its first
     * line that is not blank (sampling stops there: end-of-text is forced once that line's newline is written).
     */
    private int[] sampleText(int[] prompt, int[] passage, long rngSeed, boolean oneLine) {
        Sampler sampler = new Sampler(new Sampler.Options(config.temperature(), config.topK(), 1f, rngSeed));
        CopyBias.Sentences sentences = config.copyBias().match() == CopyBias.SpanMatch.SENTENCES ? passageSentences(passage) : null;
        Generator.LogitsProcessor bias = config.copyBias().processor(passage, sentences, this::continuesWord, model.config.vocabSize());
        Generator.LogitsProcessor processor = !oneLine ? bias : (logits, generated, n) -> {
            if (endsFirstLine(generated, n)) {
                Arrays.fill(logits, Float.NEGATIVE_INFINITY);
                logits[eot] = 0f;
            } else if (bias != null) {
                bias.process(logits, generated, n);
            }
        };
        int[] ids = Generator.generate(model, prompt, config.editTokens(), sampler, processor, eot, id -> {});
        if (ids.length > 0 && ids[ids.length - 1] == eot) ids = Arrays.copyOf(ids, ids.length - 1);
        if (!oneLine) return ids;
        List<int[]> lines = lines(ids, tokenizer);
        return lines.isEmpty() ? new int[0] : lines.getFirst();
    }

    /** Whether generated[0..n) ends with a newline after a line that is not blank. */
    private boolean endsFirstLine(int[] generated, int n) {
        if (n < 2 || tokenizer.decode(new int[] {generated[n - 1]}).indexOf('\n') < 0) return false;
        return !tokenizer.decode(Arrays.copyOf(generated, n - 1)).isBlank();
    }

    /** The passage's sentences as {@link TextSealConfig.EditUnit#SENTENCE} writes from them: each read as a text of its own. */
    List<int[]> sentenceUnits(int[] passage) {
        List<int[]> out = new ArrayList<>();
        for (int[] spaced : passageSentences(passage).spaced()) {
            int[] unit = tokenizer.encode(tokenizer.decode(spaced).strip());
            if (unit.length > 0) out.add(unit);
        }
        return out;
    }

    /** Lines joined by the newline token, an empty line kept (so line j of a sentence-unit self-edit is sentence j's). */
    private int[] joinLines(List<int[]> lines) {
        int n = Math.max(0, lines.size() - 1);
        for (int[] line : lines) n += line.length;
        int[] out = new int[n];
        int o = 0;
        for (int j = 0; j < lines.size(); j++) {
            if (j > 0) out[o++] = newline;
            System.arraycopy(lines.get(j), 0, out, o, lines.get(j).length);
            o += lines.get(j).length;
        }
        return out;
    }

    /**
     * The M-step's examples for a kept self-edit of {@code passage}: prompt(passage) → self-edit + end-of-text
     * ({@link TextSealConfig.EditUnit#PASSAGE}), or for each sentence j whose line is not empty, prompt(sentence j) →
     * line j + end-of-text (SENTENCE; the lines are the self-edit cut at its newline tokens, as {@link #joinLines}
     * wrote them). End-of-text: the policy also learns to stop.
     */
    public List<LoraSft.Example> policyExamples(int[] passage, int[] selfEdit) {
        List<LoraSft.Example> out = new ArrayList<>();
        if (TextSealConfig.EditUnit.parse(config.editUnit()) == TextSealConfig.EditUnit.PASSAGE) {
            if (selfEdit.length >= 1) out.add(example(prompt(passage), selfEdit));
            return out;
        }
        List<int[]> units = sentenceUnits(passage);
        int j = 0, start = 0;
        for (int t = 0; t <= selfEdit.length && j < units.size(); t++) {
            if (t < selfEdit.length && selfEdit[t] != newline) continue;
            if (t > start) out.add(example(prompt(units.get(j)), Arrays.copyOfRange(selfEdit, start, t)));
            j++;
            start = t + 1;
        }
        return out;
    }

    /** prompt → text + end-of-text, the loss on text and end-of-text only. */
    private LoraSft.Example example(int[] prompt, int[] text) {
        int[] seq = new int[prompt.length + text.length + 1];
        System.arraycopy(prompt, 0, seq, 0, prompt.length);
        System.arraycopy(text, 0, seq, prompt.length, text.length);
        seq[seq.length - 1] = eot;
        return new LoraSft.Example(seq, prompt.length);
    }

    /** Whether a token goes on with the word before it, as {@link CopyBias.SpanMatch#WORDS} reads it: its text starts with a letter or a digit. */
    boolean continuesWord(int id) {
        String text = tokenizer.decode(new int[] {id});
        return !text.isEmpty() && Character.isLetterOrDigit(text.codePointAt(0));
    }

    /**
     * The passage's sentences as the copy bias's sentence pointer reads them: the passage re-read after a space (so its
     * first word has the form it takes after another sentence's full stop) and cut as {@link #sentences} cuts, each
     * sentence keeping its leading space; with the first token of each as it reads at the start of a text.
     */
    CopyBias.Sentences passageSentences(int[] passage) {
        int[] spaced = tokenizer.encode(" " + tokenizer.decode(passage));
        List<int[]> cut = new ArrayList<>();
        java.util.TreeSet<Integer> stops = new java.util.TreeSet<>();
        int start = 0;
        for (int t = 0; t < spaced.length; t++) {
            boolean stop = endsSentence(tokenizer.decode(new int[] {spaced[t]}));
            if (stop) stops.add(spaced[t]);
            boolean end = t + 1 == spaced.length || (stop && tokenizer.decode(new int[] {spaced[t + 1]}).startsWith(" "));
            if (!end) continue;
            int[] sentence = Arrays.copyOfRange(spaced, start, t + 1);
            if (!tokenizer.decode(sentence).isBlank()) cut.add(sentence);
            start = t + 1;
        }
        int[][] sentences = cut.toArray(int[][]::new);
        int[] bareFirst = new int[sentences.length];
        for (int j = 0; j < sentences.length; j++) {
            int[] bare = tokenizer.encode(tokenizer.decode(new int[] {sentences[j][0]}).stripLeading());
            bareFirst[j] = bare.length > 0 ? bare[0] : sentences[j][0];
        }
        return new CopyBias.Sentences(sentences, bareFirst, stops.stream().mapToInt(Integer::intValue).toArray(), eot);
    }

    /**
     * The inner loop: a LoRA fine-tune of the base model on {@link #innerExamples} (all of them in every step's batch).
     * The E-step and the eval's self-edit arms both apply a self-edit through here, so they apply it the same way.
     */
    public Edit learn(int[] passage, int[] selfEdit, long seed, Arena arena) {
        return learn(passage, selfEdit, TextSealConfig.EditSplit.parse(config.editSplit()), seed, arena);
    }

    /** As {@link #learn(int[], int[], long, Arena)} with the self-edit cut by {@code split} instead of the run's. */
    public Edit learn(int[] passage, int[] selfEdit, TextSealConfig.EditSplit split, long seed, Arena arena) {
        List<LoraSft.Example> data = innerExamples(passage, selfEdit, split);
        LoraSft.Options o = new LoraSft.Options(config.innerRank(), config.innerAlpha(), config.innerSteps(), config.innerLr(), Math.max(1, data.size()), seed);
        if (data.isEmpty()) return inner.init(o, arena);   // ΔW = 0
        return inner.train(data, o, arena).edit();
    }

    /**
     * How a self-edit becomes the inner fine-tune's data: the passage first ({@code innerData} "passage+edit"), then the
     * self-edit as one example ({@code editSplit} "whole"), each of its {@link #lines} as one ("lines", the paper's),
     * each of its {@link #sentences} as one ("sentences"), or each sentence with an answer kept after its question
     * ("sentences_qa").
     * A text under 2 tokens adds nothing (it has no next token to learn).
     */
    public List<LoraSft.Example> innerExamples(int[] passage, int[] selfEdit) {
        return innerExamples(passage, selfEdit, TextSealConfig.EditSplit.parse(config.editSplit()));
    }

    private List<LoraSft.Example> innerExamples(int[] passage, int[] selfEdit, TextSealConfig.EditSplit split) {
        List<LoraSft.Example> data = new ArrayList<>();
        if (TextSealConfig.InnerData.parse(config.innerData()) == TextSealConfig.InnerData.PASSAGE_EDIT && passage.length >= 2) data.add(LoraSft.Example.of(passage));
        switch (split) {
            case LINES -> { for (int[] line : lines(selfEdit, tokenizer)) data.add(LoraSft.Example.of(line)); }
            case SENTENCES -> { for (int[] sentence : sentences(selfEdit, tokenizer, false)) data.add(LoraSft.Example.of(sentence)); }
            case SENTENCES_QA -> { for (int[] sentence : sentences(selfEdit, tokenizer, true)) data.add(LoraSft.Example.of(sentence)); }
            case WHOLE -> { if (selfEdit.length >= 2) data.add(LoraSft.Example.of(selfEdit)); }
        }
        return data;
    }

    /**
     * The lines of a self-edit, as the policy wrote them: its tokens cut at every token whose text holds a newline
     * (GPT-2's "\n" 198, "\n\n" 628, " \n", ...; those tokens dropped), keeping each line of at least 2 tokens that is
     * not all whitespace. Cut at the token level rather than decoded, split and re-encoded: a line trains on exactly the
     * tokens the policy sampled (re-encoding would give the canonical BPE, which the sampler need not have produced, and
     * could not round-trip a character whose UTF-8 bytes a sample left incomplete). Dropping whole tokens loses
     * nothing: GPT-2's pre-tokenizer keeps newlines in runs of whitespace, so a token with a newline is all whitespace.
     */
    public static List<int[]> lines(int[] selfEdit, Gpt2Tokenizer tokenizer) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int t = 0; t <= selfEdit.length; t++) {
            if (t < selfEdit.length && tokenizer.decode(new int[] {selfEdit[t]}).indexOf('\n') < 0) continue;
            int[] line = Arrays.copyOfRange(selfEdit, start, t);
            if (line.length >= 2 && !tokenizer.decode(line).isBlank()) out.add(line);
            start = t + 1;
        }
        return out;
    }

    /**
     * The sentences of a self-edit: each of its {@link #lines} cut again after every token whose text ends a sentence
     * (".", "?" or "!" last) and is followed by one that starts a word with a space, so that "Q: ...? A: otter. The
     * capital of ..." gives "Q: ...?", "A: otter." and "The capital of ...". The first token of a sentence after such a
     * cut loses its leading space (re-encoded from its text stripped, usually one token): it now starts a sequence of
     * its own, which the tokenizer spells without one, as a line after a newline and the passage's first word are.
     * Sentences under 2 tokens or all whitespace are dropped. With {@code keepAnswers}, no cut is made before a sentence
     * that starts with "A:": "Q: ...? A: otter." stays one example, so its answer is learned after its question.
     */
    public static List<int[]> sentences(int[] selfEdit, Gpt2Tokenizer tokenizer, boolean keepAnswers) {
        List<int[]> out = new ArrayList<>();
        for (int[] line : lines(selfEdit, tokenizer)) {
            int start = 0;
            for (int t = 0; t < line.length; t++) {
                boolean cut = t + 1 < line.length && endsSentence(tokenizer.decode(new int[] {line[t]}))
                        && tokenizer.decode(new int[] {line[t + 1]}).startsWith(" ")
                        && !(keepAnswers && tokenizer.decode(Arrays.copyOfRange(line, t + 1, Math.min(line.length, t + 3))).stripLeading().startsWith("A:"));
                if (!cut && t + 1 < line.length) continue;
                int[] sentence = Arrays.copyOfRange(line, start, t + 1);
                if (start > 0) {
                    String first = tokenizer.decode(new int[] {sentence[0]});
                    int[] head = tokenizer.encode(first.stripLeading());
                    int[] joined = Arrays.copyOf(head, head.length + sentence.length - 1);
                    System.arraycopy(sentence, 1, joined, head.length, sentence.length - 1);
                    sentence = joined;
                }
                if (sentence.length >= 2 && !tokenizer.decode(sentence).isBlank()) out.add(sentence);
                start = t + 1;
            }
        }
        return out;
    }

    private static boolean endsSentence(String token) {
        String s = token.stripTrailing();
        return !s.isEmpty() && ".?!".indexOf(s.charAt(s.length() - 1)) >= 0;
    }

    /** The "SFT on the raw passage" baseline: the same fine-tune on the passage alone. */
    public Edit learnPassage(int[] passage, long seed, Arena arena) {
        LoraSft.Options o = new LoraSft.Options(config.innerRank(), config.innerAlpha(), config.innerSteps(), config.innerLr(), 1, seed);
        return passage.length < 2 ? inner.init(o, arena) : inner.train(List.of(LoraSft.Example.of(passage)), o, arena).edit();
    }

    /** Per edit: score gain over the unedited base on the episode's questions, and the accuracies (index 0: no edit). */
    public Task.Scores score(Task.Episode<FactsTask.Heldout> episode, List<Edit> edits) { return task.score(model, episode, edits); }

    /**
     * The warm start's restatement pairs, from the passages of {@link Facts#RESTATE_SEED} (none of the task's splits'
     * entities), {@code warmStart} of them: per passage ({@code warmStartUnit} PASSAGE), prompt(passage) →
     * {@link Facts#restatement(Facts.Passage)} + end-of-text; per sentence (SENTENCE), for each fact of a passage,
     * prompt(the fact's sentence) → {@link Facts#restatement(Facts.Fact)} + end-of-text: the pair the sentence unit's
     * M-step learns from, so the policy starts in the form it samples in. The sentence is the fact's plain one, without
     * the connective ("Also, ...") a passage may give it: on heldout passages the pairs with connectives gave a policy
     * 6 points less accurate (docs/training.md). With {@code warmStartQuestions} UNASKED a question
     * in the task's own wording is replaced by the other two in turn ({@link Facts#questionNotAsked}), so the policy
     * never learns to write the eval's questions.
     */
    public List<LoraSft.Example> warmStartExamples() {
        List<LoraSft.Example> out = new ArrayList<>();
        boolean perSentence = TextSealConfig.EditUnit.parse(config.warmStartUnit()) == TextSealConfig.EditUnit.SENTENCE;
        boolean unasked = TextSealConfig.WarmStartQuestions.parse(config.warmStartQuestions()) == TextSealConfig.WarmStartQuestions.UNASKED;
        int replaced = 0;
        for (Facts.Passage p : Facts.rcPassages(Facts.RESTATE_SEED, config.warmStart())) {   // a passage gives at least one pair
            StringBuilder restated = new StringBuilder();
            for (Facts.Fact f : p.facts()) {
                if (perSentence && out.size() == config.warmStart()) return out;
                String question = f.question();
                if (unasked) {
                    question = Facts.questionNotAsked(f, replaced);
                    if (!question.equals(f.question())) replaced++;
                }
                if (perSentence) out.add(example(prompt(tokenizer.encode(f.sentence().strip())), budget(tokenizer.encode(question + f.answer()))));
                else restated.append(question).append(f.answer()).append('\n');
            }
            if (!perSentence) out.add(example(prompt(tokenizer.encode(p.text())), budget(tokenizer.encode(restated.toString()))));
        }
        return out;
    }

    /** A restatement cut to {@code editTokens} − 1 tokens (its end-of-text the last), as a sampled self-edit is. */
    private int[] budget(int[] target) { return Arrays.copyOf(target, Math.min(target.length, config.editTokens() - 1)); }

    /** An M-step's data: each kept pair {@code keptRepeat} times, then the warm-start pairs. */
    public List<LoraSft.Example> mStepExamples(List<LoraSft.Example> kept, List<LoraSft.Example> warm) {
        List<LoraSft.Example> out = new ArrayList<>(kept.size() * config.keptRepeat() + warm.size());
        for (int r = 0; r < config.keptRepeat(); r++) out.addAll(kept);
        out.addAll(warm);
        return out;
    }

    /** ReST-EM's M-step: a fresh policy adapter, fine-tuned from the base model on prompt → kept self-edit. */
    public LoraSft.Result fitPolicy(List<LoraSft.Example> kept, long seed, Arena arena) {
        int steps = Math.max(1, config.policyEpochs() * kept.size());
        return policySft.train(kept, new LoraSft.Options(config.policyRank(), config.policyAlpha(), steps, config.policyLr(), 1, seed), arena);
    }

    /** Episode e of round r (training passages), the same on resume. */
    public Task.Episode<FactsTask.Heldout> trainEpisode(int r, int i) {
        return task.draw(Task.Stage.TRAIN, RandomStreams.episode(config.seed(), (long) r * config.passagesPerRound() + i));
    }

    /** The random seed of passage i of round r: its self-edits' sampling and its inner fine-tunes. */
    long passageSeed(int round, int i) { return SealLoop.mix(config.seed() ^ 0x7E57L, (long) round * config.passagesPerRound() + i); }

    /** The rollouts a passage's slots make: K self-edits, and the fine-tune on the passage alone with keep-vs-passage. */
    public int slots() { return config.samples() + (config.keepVsPassage() ? 1 : 0); }

    /**
     * Seed {@code n} of a rollout's {@code innerSeeds} inner fine-tunes, the first being {@code first}: with one
     * inner seed a rollout fine-tunes as it did before there were several.
     */
    static long innerSeed(long first, int n) { return n == 0 ? first : SealLoop.mix(first, n); }

    /**
     * Per edited block, the mean of {@code perSeed}'s scores and accuracies, summed in seed order from the first (so a
     * single seed's numbers come back bit for bit, and a slot and a whole passage's rollout add the same numbers the
     * same way); block 0, the unedited model, is the same for every seed and is taken as it is.
     */
    static Task.Scores meanOverSeeds(List<Task.Scores> perSeed) {
        int blocks = perSeed.getFirst().score().length, n = perSeed.size();
        double[] score = new double[blocks], acc = new double[blocks];
        score[0] = perSeed.getFirst().score()[0];
        acc[0] = perSeed.getFirst().accuracy()[0];
        for (int j = 1; j < blocks; j++) {
            double s = perSeed.getFirst().score()[j], a = perSeed.getFirst().accuracy()[j];
            for (int k = 1; k < n; k++) {
                s += perSeed.get(k).score()[j];
                a += perSeed.get(k).accuracy()[j];
            }
            score[j] = s / n;
            acc[j] = a / n;
        }
        return new Task.Scores(score, acc);
    }

    /**
     * Passage i of round r in one piece: its K self-edits, their inner fine-tunes, {@code innerSeeds} times each with
     * a seed of its own, and per seed one batched scoring; the scores averaged over the seeds, so that the best
     * self-edit is the one that teaches best, not the one whose fine-tune drew the luckiest initialization.
     */
    public PassageRollout rollout(int round, int i, Edit policy) {
        long t0 = System.nanoTime();
        Task.Episode ep = trainEpisode(round, i);
        long seed = passageSeed(round, i);
        List<int[]> texts = selfEdits(prompt(ep.context()), policy, config.samples(), seed);
        List<Task.Scores> perSeed = new ArrayList<>();
        for (int n = 0; n < config.innerSeeds(); n++) {
            try (Arena arena = Arena.ofShared()) {
                List<Edit> edits = new ArrayList<>();
                for (int k = 0; k < texts.size(); k++) edits.add(learn(ep.context(), texts.get(k), innerSeed(SealLoop.mix(seed, 100 + k), n), arena));
                if (config.keepVsPassage()) edits.add(learnPassage(ep.context(), innerSeed(SealLoop.mix(seed, 99), n), arena));
                perSeed.add(score(ep, edits));
            }
        }
        return new PassageRollout(texts, meanOverSeeds(perSeed), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One slot of passage i of round r (slot k &lt; K: self-edit k; slot K: the passage alone), scored in a batch with
     * the unedited model only, once per inner seed: the same numbers as {@link #rollout} gives that slot.
     */
    public TextSlot slot(int round, int i, Edit policy, int slot) {
        long t0 = System.nanoTime();
        Task.Episode ep = trainEpisode(round, i);
        long seed = passageSeed(round, i);
        int[] text = null;
        if (slot < config.samples()) {
            MergedEdits.Applied applied = policy == null ? null : merged.apply(policy);
            try {
                text = sampleSelfEdit(prompt(ep.context()), seed, slot);
            } finally {
                if (applied != null) merged.revert(applied);
            }
        }
        List<Task.Scores> perSeed = new ArrayList<>();
        for (int n = 0; n < config.innerSeeds(); n++) {
            try (Arena arena = Arena.ofShared()) {
                Edit edit = text != null ? learn(ep.context(), text, innerSeed(SealLoop.mix(seed, 100 + slot), n), arena)
                        : learnPassage(ep.context(), innerSeed(SealLoop.mix(seed, 99), n), arena);
                perSeed.add(score(ep, List.of(edit)));
            }
        }
        Task.Scores s = meanOverSeeds(perSeed);
        return new TextSlot(i, slot, text, s.score()[0], s.accuracy()[0], s.score()[1], s.accuracy()[1], (System.nanoTime() - t0) / 1e9);
    }

    /** One ReST-EM E-step over a round's passages, in this JVM: metrics per passage into {@code lines}, returns the kept examples. */
    public List<LoraSft.Example> collect(int round, Edit policy, List<ObjectNode> lines) {
        return collect(round, RolloutEngine.LOCAL.textRound(this, round, policy), lines);
    }

    /** The E-step's choices from a round's rollouts: metrics per passage into {@code lines}, returns the kept examples. */
    public List<LoraSft.Example> collect(int round, List<PassageRollout> rollouts, List<ObjectNode> lines) {
        ObjectMapper json = new ObjectMapper();
        List<LoraSft.Example> kept = new ArrayList<>();
        for (int i = 0; i < config.passagesPerRound(); i++) {
            long t0 = System.nanoTime();
            int[] prompt = prompt(trainEpisode(round, i).context());
            List<int[]> texts = rollouts.get(i).texts();
            Task.Scores s = rollouts.get(i).scores();
            double[] rewards = new double[texts.size()];
            TextSealConfig.KeepBy by = TextSealConfig.KeepBy.parse(config.keepBy());
            int best = 0;
            for (int k = 0; k < rewards.length; k++) {
                rewards[k] = s.score()[k + 1] - s.score()[0];
                if (by.above(s.accuracy()[k + 1], rewards[k], s.accuracy()[best + 1], rewards[best])) best = k;
            }
            double passageReward = config.keepVsPassage() ? s.score()[rewards.length + 1] - s.score()[0] : 0;
            boolean beats = config.keepVsPassage()
                    ? by.above(s.accuracy()[best + 1], rewards[best], s.accuracy()[rewards.length + 1], config.threshold() + passageReward)
                    : rewards[best] > config.threshold();
            List<LoraSft.Example> examples = beats ? policyExamples(passageOf(prompt), texts.get(best)) : List.of();
            boolean keep = !examples.isEmpty();
            kept.addAll(examples);
            ObjectNode m = json.createObjectNode();
            m.put("episode", round * config.passagesPerRound() + i).put("round", round);
            m.put("reward_mean", Stats.mean(rewards)).put("reward_best", rewards[best]).put("kept", keep);
            if (config.keepVsPassage()) m.put("reward_passage_only", passageReward);
            m.put("accuracy_no_edit", s.accuracy()[0]);
            double acc = 0;
            for (int k = 0; k < rewards.length; k++) acc += s.accuracy()[k + 1] / rewards.length;
            if (config.keepVsPassage()) m.put("accuracy_passage_only", s.accuracy()[rewards.length + 1]);
            m.put("accuracy_mean", acc);
            m.put("edit_tokens_mean", texts.stream().mapToInt(t -> t.length).average().orElse(0));
            m.put("best_self_edit", tokenizer.decode(texts.get(best)));
            m.put("seconds", rollouts.get(i).seconds() + (System.nanoTime() - t0) / 1e9);
            lines.add(m);
        }
        return kept;
    }

    @Override
    public void close() {
        inner.close();
        policySft.close();
        merged.close();
    }
}
