package sealjvm.seal.text;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import sealjvm.gpt2.Generator;

/**
 * A pointer-style bias of self-edit sampling toward the passage: {@code token} is added to the logit of every token id
 * that occurs in the passage, and {@code span} to every id that follows, somewhere in the passage, the token just
 * sampled (so a name the passage spells in several BPE pieces is continued piece by piece as the passage spells it).
 * A small model writes restatements in the right form but with names and values of its own; the bias makes the
 * passage's own pieces likelier without fixing what the self-edit says. Both 0: plain sampling.
 */
public record CopyBias(float token, float span) {
    public static final CopyBias NONE = new CopyBias(0f, 0f);
    /** New text runs' bias (with temperature 0.5), chosen on heldout passages: see docs/training.md. */
    public static final CopyBias DEFAULT = new CopyBias(3f, 8f);

    public CopyBias {
        if (!Float.isFinite(token) || token < 0) throw new IllegalArgumentException("--copy-bias must be a finite number >= 0, got " + token);
        if (!Float.isFinite(span) || span < 0) throw new IllegalArgumentException("--copy-span-bias must be a finite number >= 0, got " + span);
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
        return (logits, generated, n) -> {
            if (token != 0f) for (int t : ids) logits[t] += token;
            if (span != 0f && n > 0) for (int u : next.getOrDefault(generated[n - 1], new int[0])) logits[u] += span;
        };
    }
}
