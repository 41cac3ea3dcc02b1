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
        LONGEST
    }

    public static final CopyBias NONE = new CopyBias(0f, 0f, SpanMatch.LAST_TOKEN);
    /** New text runs' bias (with temperature 0.3 and sentence-split self-edits), chosen on heldout passages: see docs/training.md. */
    public static final CopyBias DEFAULT = new CopyBias(3f, 16f, SpanMatch.LONGEST);

    public CopyBias {
        if (!Float.isFinite(token) || token < 0) throw new IllegalArgumentException("--copy-bias must be a finite number >= 0, got " + token);
        if (!Float.isFinite(span) || span < 0) throw new IllegalArgumentException("--copy-span-bias must be a finite number >= 0, got " + span);
        if (match == null) match = SpanMatch.LAST_TOKEN;   // a config.json written before the field: the bias its run used
    }

    @JsonIgnore
    public boolean isNone() { return token == 0f && span == 0f; }

    /** The processor for one passage's self-edits (null when this bias is none); ids outside the vocabulary are ignored. */
    public Generator.LogitsProcessor processor(int[] passage, int vocab) {
        if (isNone()) return null;
        int[] ids = Arrays.stream(passage).filter(t -> t >= 0 && t < vocab).distinct().sorted().toArray();
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
        if (match == SpanMatch.LONGEST) {
            return (logits, generated, n) -> {
                if (token != 0f) for (int t : ids) logits[t] += token;
                if (span != 0f && n > 0) for (int u : longestMatchSuccessors(passage, generated, n, vocab)) logits[u] += span;
            };
        }
        return (logits, generated, n) -> {
            if (token != 0f) for (int t : ids) logits[t] += token;
            if (span != 0f && n > 0) for (int u : next.getOrDefault(generated[n - 1], new int[0])) logits[u] += span;
        };
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
