package sealjvm.seal.text;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Everything that defines a text-SEAL run (the paper's method), saved as RUN_DIR/config.json with
 * {@code "method": "text"} so that {@code --resume} and {@code bin/seal eval} rebuild the same run.
 *
 * <p>Outer loop: {@code rounds} of ReST-EM, each over {@code passagesPerRound} training passages; per passage
 * {@code samples} self-edits of up to {@code editTokens} tokens are sampled from the current policy; each is applied
 * by a LoRA fine-tune of the base model ({@code inner*}) on the passage plus the self-edit, as in the paper's "passage +
 * synthetic" ({@code innerData} "passage+edit"; "edit": the self-edit alone); the best one whose reward exceeds
 * {@code threshold} — plus the reward of fine-tuning on the passage alone when {@code keepVsPassage} — is kept,
 * and the policy adapter ({@code policy*}) is fine-tuned from the base model on (prompt → kept self-edit); {@code keepBy}
 * "accuracy" ranks by the questions' exact-match accuracy first (ties: reward) when choosing the best and comparing it
 * with the passage alone.
 * With {@code warmStart} N > 0 the policy starts from a fine-tune on N restatement pairs (prompt(passage) → the
 * passage's facts as answered questions, or with {@code warmStartUnit} "sentence" prompt(a fact's sentence) → that fact
 * as its question answered; from passages of their own seed, {@link sealjvm.seal.data.Facts#RESTATE_SEED}; with
 * {@code warmStartQuestions} "unasked" never in the facts task's own question wording), and every M-step keeps them in
 * its data, each kept pair {@code keptRepeat} times beside them.
 *
 * <p>As in the paper, {@code editSplit} "lines" makes each line of a self-edit its own example of the inner fine-tune
 * ("whole": the self-edit is one example), and in the E-step each self-edit (and the passage alone) is fine-tuned
 * {@code innerSeeds} times, with as many seeds, its reward and accuracy averaged over them before the best is chosen.
 * A config.json written before these two fields existed loads as "whole" and 1: the run it describes. {@code copyBias}
 * ({@link CopyBias}) biases the sampling of every self-edit, in training and in the eval's self-edit arms alike.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TextSealConfig(
        String method,            // "text"
        String task,              // facts
        String model,             // Hugging Face GPT-2 directory
        String prompt,            // self-edit prompt; {passage} is replaced by the passage
        int editTokens, float temperature, int topK,
        int samples, int rounds, int passagesPerRound, double threshold, boolean keepVsPassage,
        String innerData,         // passage+edit | edit
        String innerTargets, int innerRank, float innerAlpha, int innerSteps, double innerLr,
        String policyTargets, int policyRank, float policyAlpha, int policyEpochs, double policyLr,
        long seed, long dataSeed,
        int warmStart,            // restatement pairs the policy is first fine-tuned on, and keeps (0: none)
        String editSplit,         // whole | lines | sentences (null in an older config.json: whole)
        Integer innerSeeds,       // inner fine-tunes per rollout, rewards averaged; boxed so that an older config.json's
                                  // missing field is null (read as 1, the run it describes) rather than an invalid 0
        CopyBias copyBias,        // self-edit sampling's bias toward the passage's tokens (null in an older config.json: none)
        String keepBy,            // reward | accuracy: what picks a passage's kept self-edit (null in an older config.json: reward)
        String editUnit,          // passage | sentence: what one self-edit is written from (null in an older config.json: passage)
        String warmStartUnit,     // passage | sentence: what one restatement pair is written from (null in an older config.json: passage)
        String warmStartQuestions, // any | unasked: the warm start's question wordings (null in an older config.json: any)
        Integer keptRepeat) {     // times each kept pair enters an M-step's data beside the warm-start pairs (null in an older config.json: 1)

    public static final String DEFAULT_PROMPT = "{passage}\n\nImplications of the passage:\n";
    /**
     * New runs' {@code editSplit}: each sentence its own example, a question kept with its answer, chosen on heldout
     * passages with self-edits written a line per sentence (docs/training.md).
     */
    public static final EditSplit DEFAULT_EDIT_SPLIT = EditSplit.SENTENCES_QA;
    /** New runs' self-edit sampling temperature, chosen with the copy bias and the sentence split (docs/training.md). */
    public static final float DEFAULT_TEMPERATURE = 0.3f;
    /** New runs' {@code editUnit}, chosen on heldout passages and three seeds (docs/training.md). */
    public static final EditUnit DEFAULT_EDIT_UNIT = EditUnit.SENTENCE;
    /** New runs' {@code editTokens}: with {@link #DEFAULT_EDIT_UNIT} the budget of each line (one question and its answer). */
    public static final int DEFAULT_EDIT_TOKENS = 24;
    /** New runs' restatement pairs for the warm start, chosen on heldout passages (docs/training.md). */
    public static final int DEFAULT_WARM_START = 1024;
    /**
     * New runs' {@code warmStartUnit}: the warm start's pairs in the form {@link #DEFAULT_EDIT_UNIT} samples in, chosen on
     * heldout passages (docs/training.md).
     */
    public static final EditUnit DEFAULT_WARM_START_UNIT = EditUnit.SENTENCE;
    /**
     * New runs' {@code keptRepeat}: an M-step's kept pairs (a round's ~70) would otherwise be ~6 % of its data beside the
     * 1,024 warm-start pairs and leave the policy where the warm start put it; chosen on heldout passages (docs/training.md).
     */
    public static final int DEFAULT_KEPT_REPEAT = 4;
    /**
     * New runs' {@code warmStartQuestions}: a warm start whose questions use the eval's wording teaches the policy to
     * write the eval's questions, a gain a check in other wordings would not see (docs/training.md).
     */
    public static final WarmStartQuestions DEFAULT_WARM_START_QUESTIONS = WarmStartQuestions.UNASKED;

    /**
     * The wordings of the warm start's questions ({@code warmStartQuestions}): ANY, as the restatement passages word
     * them (one of three per relation, one of them the facts task's own); UNASKED, never the task's own
     * ({@link sealjvm.seal.data.Facts#questionNotAsked}).
     */
    public enum WarmStartQuestions {
        ANY, UNASKED;

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static WarmStartQuestions parse(String s) { return sealjvm.seal.Choices.parse(values(), "--warm-start-questions", s); }
    }

    /**
     * What a self-edit is written from ({@code editUnit}): PASSAGE, one text sampled from prompt(passage), up to
     * {@code editTokens} tokens; SENTENCE, a line per sentence of the passage, each sampled from prompt(that sentence)
     * (the sentence read as a passage of its own; the copy bias reads that sentence), up to {@code editTokens} tokens and
     * cut after its first line, the lines joined in the passage's order. A small model restates one sentence's fact
     * correctly far more often than it restates several facts about several names at once; {@link TextSeal#policyExamples}
     * gives the M-step one (prompt(sentence) → line) pair per line.
     */
    public enum EditUnit {
        PASSAGE, SENTENCE;

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static EditUnit parse(String s) { return sealjvm.seal.Choices.parse(values(), "--edit-unit", s); }
    }

    /** What the inner fine-tune trains on ({@code innerData}): the passage and then the self-edit, or the self-edit alone. */
    public enum InnerData {
        PASSAGE_EDIT, EDIT;

        @Override
        public String toString() { return this == PASSAGE_EDIT ? "passage+edit" : "edit"; }

        public static InnerData parse(String s) { return sealjvm.seal.Choices.parse(values(), "--inner-data", s); }
    }

    /**
     * How a self-edit enters the inner fine-tune ({@code editSplit}): as one example, each of its lines as one, or each
     * of its sentences (and lines) as one, or so with a sentence that starts "A:" kept after the one before it, its
     * question ({@link TextSeal#sentences}).
     */
    public enum EditSplit {
        WHOLE, LINES, SENTENCES, SENTENCES_QA;

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static EditSplit parse(String s) { return sealjvm.seal.Choices.parse(values(), "--edit-split", s); }
    }

    /**
     * What chooses the self-edit the E-step keeps ({@code keepBy}), among a passage's samples and against the passage
     * alone: REWARD, the gain in log-likelihood of the answers; ACCURACY, the exact-match accuracy of the edited model
     * on the passage's questions (the metric of the eval), the reward breaking ties. Log-likelihood favours a
     * self-edit that makes one answer very likely over one that makes every answer the greedy one.
     */
    public enum KeepBy {
        REWARD, ACCURACY;

        @Override
        public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }

        public static KeepBy parse(String s) { return sealjvm.seal.Choices.parse(values(), "--keep-by", s); }

        /** Whether (accuracy a, reward r) ranks above (accuracy b, reward s). */
        public boolean above(double a, double r, double b, double s) {
            return this == REWARD || a == b ? r > s : a > b;
        }
    }

    /** This config with the inner fine-tune's steps and learning rate replaced. */
    public TextSealConfig withInner(int steps, double lr) {
        return new TextSealConfig(method, task, model, prompt, editTokens, temperature, topK, samples, rounds, passagesPerRound, threshold,
                keepVsPassage, innerData, innerTargets, innerRank, innerAlpha, steps, lr, policyTargets, policyRank, policyAlpha,
                policyEpochs, policyLr, seed, dataSeed, warmStart, editSplit, innerSeeds, copyBias, keepBy, editUnit, warmStartUnit, warmStartQuestions, keptRepeat);
    }

    public TextSealConfig {
        if (editSplit == null) editSplit = EditSplit.WHOLE.toString();   // an older config.json: its run split nothing
        if (innerSeeds == null) innerSeeds = 1;                          // ... and fine-tuned once per rollout
        if (copyBias == null) copyBias = CopyBias.NONE;                   // ... and sampled without a copy bias
        if (keepBy == null) keepBy = KeepBy.REWARD.toString();            // ... and kept the best self-edit by reward
        if (editUnit == null) editUnit = EditUnit.PASSAGE.toString();     // ... and wrote each self-edit from the whole passage
        if (warmStartUnit == null) warmStartUnit = EditUnit.PASSAGE.toString();   // ... and each restatement pair so
        if (warmStartQuestions == null) warmStartQuestions = WarmStartQuestions.ANY.toString();   // ... in any wording
        if (keptRepeat == null) keptRepeat = 1;                           // ... and gave each kept pair to the M-step once
        if (!"text".equals(method)) throw new IllegalArgumentException("text-SEAL config with method '" + method + "'");
        if (!task.equals("facts")) throw new IllegalArgumentException("--method text supports --task facts (knowledge incorporation), got '" + task + "'");
        if (!prompt.contains("{passage}")) throw new IllegalArgumentException("--prompt must contain {passage}, got '" + prompt + "'");
        if (editTokens < 2 || samples < 1 || rounds < 0 || passagesPerRound < 1) {
            throw new IllegalArgumentException("need --edit-tokens >= 2, --samples >= 1, --rounds >= 0, --passages >= 1");
        }
        if (innerRank < 1 || innerSteps < 1 || policyRank < 1 || policyEpochs < 1 || !(innerLr > 0) || !(policyLr > 0)) {
            throw new IllegalArgumentException("LoRA settings: ranks, steps, epochs must be >= 1 and learning rates > 0");
        }
        InnerData.parse(innerData);
        if (warmStart < 0) throw new IllegalArgumentException("--warm-start must be >= 0, got " + warmStart);
        EditSplit.parse(editSplit);
        KeepBy.parse(keepBy);
        EditUnit.parse(editUnit);
        sealjvm.seal.Choices.parse(EditUnit.values(), "--warm-start-unit", warmStartUnit);
        WarmStartQuestions.parse(warmStartQuestions);
        if (keptRepeat < 1) throw new IllegalArgumentException("--kept-repeat must be >= 1, got " + keptRepeat);
        if (innerSeeds < 1) throw new IllegalArgumentException("--inner-seeds must be >= 1, got " + innerSeeds);
        if (!(temperature > 0)) throw new IllegalArgumentException("--temperature must be > 0 for sampling self-edits, got " + temperature);
    }

    /** Named construction: the settings of {@code bin/seal train --method text}'s defaults, each changed by name. */
    public static Builder builder(String task, String model) { return new Builder(task, model); }

    /** Builds a {@link TextSealConfig} field by field; {@link #build()} checks it as the constructor does. */
    public static final class Builder {
        private final String task, model;
        private String prompt = DEFAULT_PROMPT, innerData = "passage+edit", innerTargets = "h.*.mlp.c_fc,h.*.mlp.c_proj",
                policyTargets = "h.*.attn.c_attn,h.*.mlp.c_fc";
        private int editTokens = DEFAULT_EDIT_TOKENS, topK = 50, samples = 4, rounds = 2, passagesPerRound = 24, innerRank = 8, innerSteps = 10,
                policyRank = 8, policyEpochs = 2, warmStart = DEFAULT_WARM_START;
        private String editSplit = DEFAULT_EDIT_SPLIT.toString();   // (an older config.json reads as whole, 1)
        private int innerSeeds = 2;
        private String keepBy = KeepBy.REWARD.toString();
        private String editUnit = DEFAULT_EDIT_UNIT.toString(), warmStartUnit = DEFAULT_WARM_START_UNIT.toString();
        private int keptRepeat = DEFAULT_KEPT_REPEAT;
        private String warmStartQuestions = DEFAULT_WARM_START_QUESTIONS.toString();
        private CopyBias copyBias = CopyBias.DEFAULT;   // with DEFAULT_TEMPERATURE: chosen on heldout passages (docs/training.md)
        private float temperature = DEFAULT_TEMPERATURE, innerAlpha = 16f, policyAlpha = 16f;
        private double threshold = 0, innerLr = 3e-3, policyLr = 1e-3;
        private boolean keepVsPassage = true;
        private long seed = 1, dataSeed = 1234;

        private Builder(String task, String model) { this.task = task; this.model = model; }

        public Builder prompt(String v) { prompt = v; return this; }
        public Builder editTokens(int v) { editTokens = v; return this; }
        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder samples(int v) { samples = v; return this; }
        public Builder rounds(int v) { rounds = v; return this; }
        public Builder passagesPerRound(int v) { passagesPerRound = v; return this; }
        public Builder threshold(double v) { threshold = v; return this; }
        public Builder keepVsPassage(boolean v) { keepVsPassage = v; return this; }
        public Builder innerData(String v) { innerData = v; return this; }
        public Builder innerTargets(String v) { innerTargets = v; return this; }
        public Builder innerRank(int v) { innerRank = v; return this; }
        public Builder innerAlpha(float v) { innerAlpha = v; return this; }
        public Builder innerSteps(int v) { innerSteps = v; return this; }
        public Builder innerLr(double v) { innerLr = v; return this; }
        public Builder policyTargets(String v) { policyTargets = v; return this; }
        public Builder policyRank(int v) { policyRank = v; return this; }
        public Builder policyAlpha(float v) { policyAlpha = v; return this; }
        public Builder policyEpochs(int v) { policyEpochs = v; return this; }
        public Builder policyLr(double v) { policyLr = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder dataSeed(long v) { dataSeed = v; return this; }
        public Builder warmStart(int v) { warmStart = v; return this; }
        public Builder editSplit(String v) { editSplit = v; return this; }
        public Builder innerSeeds(int v) { innerSeeds = v; return this; }
        public Builder copyBias(CopyBias v) { copyBias = v; return this; }
        public Builder keepBy(String v) { keepBy = v; return this; }
        public Builder editUnit(String v) { editUnit = v; return this; }
        public Builder warmStartUnit(String v) { warmStartUnit = v; return this; }
        public Builder keptRepeat(int v) { keptRepeat = v; return this; }
        public Builder warmStartQuestions(String v) { warmStartQuestions = v; return this; }

        public TextSealConfig build() {
            return new TextSealConfig("text", task, model, prompt, editTokens, temperature, topK, samples, rounds, passagesPerRound,
                    threshold, keepVsPassage, innerData, innerTargets, innerRank, innerAlpha, innerSteps, innerLr, policyTargets,
                    policyRank, policyAlpha, policyEpochs, policyLr, seed, dataSeed, warmStart, editSplit, innerSeeds, copyBias, keepBy, editUnit,
                    warmStartUnit, warmStartQuestions, keptRepeat);
        }
    }
}
