package sealjvm.seal.text;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import sealjvm.gpt2.Generator;

/**
 * A pointer-style bias of self-edit sampling toward the passage: {@code token} is added to the logit of every token id
 * that occurs in the passage, and {@code span} to every id that follows, in the passage, what was just sampled — where
 * "what" is {@code match}: the last token ({@link SpanMatch#LAST_TOKEN}), or the longest run of the self-edit's last
 * tokens that occurs in the passage ({@link SpanMatch#LONGEST}), so a name the passage spells in several BPE pieces is
 * continued piece by piece as the passage spells it, and after "animal of" the passage's own "animal of" decides what
 * comes next rather than every "of" in it. A small model writes restatements in the right form but with names and
 * values of its own; the bias makes the passage's own pieces likelier without fixing what the self-edit says. Both 0:
 * plain sampling.
 */
public record CopyBias(float token, float span, SpanMatch match) {
    /** What the span bias continues. */
    public enum SpanMatch {
        /** The ids that follow the last sampled id wherever it occurs in the passage. */
        LAST_TOKEN,
        /** The ids that follow the passage's longest matches of the self-edit's suffix (one token at least). */
        LONGEST,
        /**
         * A copy pointer over the passage's sentences ({@link Sentences}): {@link #LONGEST} restricted to the sentences
         * the self-edit has not written yet; after a sentence's end (and at the start), the first tokens of those
         * sentences; once it has written them all, end-of-text. So a copy goes on to the sentences it has left out
         * rather than returning to one it has written, and stops when nothing is left, where {@link #LONGEST}, past the
         * passage's last sentence, has nothing to continue and the model's own loop takes over.
         */
        SENTENCES,
        /**
         * {@link #LONGEST}, its bias given only to a successor that goes on with the word being written (a token that
         * starts with a letter or a digit): a name the self-edit has begun comes out as the passage spells it, while
         * which word follows a finished one, and so what the self-edit says, is the model's own choice.
         */
        WORDS
    }

    /**
     * The passage as {@link SpanMatch#SENTENCES} reads it: each sentence's tokens as they read after another sentence's
     * full stop (its first word with a leading space), the first token of each as it reads at the start of a text, the
     * ids that end its sentences (".", "?", "!" as the passage spells them; not the last word of a passage cut mid-way),
     * and the end-of-text id.
     */
    public record Sentences(int[][] spaced, int[] bareFirst, int[] stops, int eot) {}

    public static final CopyBias NONE = new CopyBias(0f, 0f, SpanMatch.LAST_TOKEN);
    /** New text runs' bias (with temperature 0.3 and self-edits written a line per sentence), chosen on heldout passages: see docs/training.md. */
    public static final CopyBias DEFAULT = new CopyBias(3f, 16f, SpanMatch.WORDS);

    public CopyBias {
        if (!Float.isFinite(token) || token < 0) throw new IllegalArgumentException("--copy-bias must be a finite number >= 0, got " + token);
        if (!Float.isFinite(span) || span < 0) throw new IllegalArgumentException("--copy-span-bias must be a finite number >= 0, got " + span);
        if (match == null) match = SpanMatch.LAST_TOKEN;   // a config.json written before the field: the bias its run used
    }

    @JsonIgnore
    public boolean isNone() { return token == 0f && span == 0f; }

    /** The processor for one passage's self-edits (null when this bias is none); ids outside the vocabulary are ignored. */
    public Generator.LogitsProcessor processor(int[] passage, int vocab) {
        if (match == SpanMatch.SENTENCES || match == SpanMatch.WORDS) throw new IllegalStateException("the copy span match " + match.name().toLowerCase(java.util.Locale.ROOT) + " reads the passage's text: give it");
        return processor(passage, null, null, vocab);
    }

    /**
     * As {@link #processor(int[], int)}, with the passage's {@code sentences} for {@link SpanMatch#SENTENCES} and
     * {@code continuesWord} (whether an id's text starts with a letter or a digit) for {@link SpanMatch#WORDS}; the
     * other modes ignore them.
     */
    public Generator.LogitsProcessor processor(int[] passage, Sentences sentences, java.util.function.IntPredicate continuesWord, int vocab) {
        if (isNone()) return null;
        int[] ids = Arrays.stream(passage).filter(t -> t >= 0 && t < vocab).distinct().sorted().toArray();
        if (match == SpanMatch.SENTENCES) {
            return (logits, generated, n) -> {
                if (token != 0f) for (int t : ids) logits[t] += token;
                if (span != 0f) for (int u : sentenceSuccessors(sentences, generated, n)) if (u >= 0 && u < vocab) logits[u] += span;
            };
        }
        Map<Integer, int[]> next = new HashMap<>();
        for (int i = 0; i + 1 < passage.length; i++) {
            int t = passage[i], u = passage[i + 1];
            if (u < 0 || u >= vocab) continue;
            int[] seen = next.getOrDefault(t, new int[0]);
            if (Arrays.stream(seen).noneMatch(x -> x == u)) {
                seen = Arrays.copyOf(seen, seen.length + 1);
                seen[seen.length - 1] = u;
                next.put(t, seen);
            }
        }
        if (match == SpanMatch.LONGEST || match == SpanMatch.WORDS) {
            boolean words = match == SpanMatch.WORDS;
            return (logits, generated, n) -> {
                if (token != 0f) for (int t : ids) logits[t] += token;
                if (span != 0f && n > 0) for (int u : longestMatchSuccessors(passage, generated, n, vocab)) if (!words || continuesWord.test(u)) logits[u] += span;
            };
        }
        return (logits, generated, n) -> {
            if (token != 0f) for (int t : ids) logits[t] += token;
            if (span != 0f && n > 0) for (int u : next.getOrDefault(generated[n - 1], new int[0])) logits[u] += span;
        };
    }

    /**
     * What {@link SpanMatch#SENTENCES} continues after generated[0..n): with every sentence written (its tokens after
     * the first, which may read either way, occur in the self-edit), end-of-text; at the start or after a token that
     * ends one of the passage's sentences, the first tokens of the sentences not written; otherwise the tokens that
     * follow, inside the sentences not written, the places where the longest run of the self-edit's last tokens ends
     * (none when not even the last token occurs there).
     */
    static int[] sentenceSuccessors(Sentences s, int[] generated, int n) {
        int m = s.spaced().length;
        boolean[] written = new boolean[m];
        boolean all = true, boundary = n == 0;
        for (int j = 0; j < m; j++) {
            int[] sj = s.spaced()[j];
            written[j] = contains(generated, n, sj, 1);
            all &= written[j];
        }
        if (n > 0) for (int stop : s.stops()) boundary |= generated[n - 1] == stop;
        if (all) return new int[] {s.eot()};
        java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
        if (boundary) {
            for (int j = 0; j < m; j++) if (!written[j] && s.spaced()[j].length > 0) out.add(n == 0 ? s.bareFirst()[j] : s.spaced()[j][0]);
            return out.stream().mapToInt(Integer::intValue).toArray();
        }
        int best = 0;
        for (int j = 0; j < m; j++) {
            if (written[j]) continue;
            int[] sj = s.spaced()[j];
            for (int i = 0; i + 1 < sj.length; i++) {
                int k = 0;
                while (k <= i && k < n && (sj[i - k] == generated[n - 1 - k] || (i - k == 0 && s.bareFirst()[j] == generated[n - 1 - k]))) k++;
                if (k == 0) continue;
                if (k > best) {
                    best = k;
                    out.clear();
                }
                if (k == best) out.add(sj[i + 1]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether generated[0..n) holds part[from..) as a contiguous run (an empty run is always held). */
    private static boolean contains(int[] generated, int n, int[] part, int from) {
        int len = part.length - from;
        if (len <= 0) return true;
        for (int i = 0; i + len <= n; i++) {
            int k = 0;
            while (k < len && generated[i + k] == part[from + k]) k++;
            if (k == len) return true;
        }
        return false;
    }

    /**
     * The distinct ids (inside the vocabulary) that follow, in the passage, its positions where the longest run of the
     * last tokens of generated[0..n) ends; none when not even the last token occurs in the passage.
     */
    static int[] longestMatchSuccessors(int[] passage, int[] generated, int n, int vocab) {
        int best = 0;
        int[] length = new int[passage.length];
        for (int i = 0; i + 1 < passage.length; i++) {
            int k = 0;
            while (k <= i && k < n && passage[i - k] == generated[n - 1 - k]) k++;
            length[i] = k;
            best = Math.max(best, k);
        }
        if (best == 0) return new int[0];
        int b = best;
        return java.util.stream.IntStream.range(0, passage.length - 1).filter(i -> length[i] == b).map(i -> passage[i + 1])
                .filter(u -> u >= 0 && u < vocab).distinct().toArray();
    }
}
