package sealjvm.seal.edit;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.edit.EditTestModels.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;

class MergedEditsTest {
    static final String[] PATTERNS = {"h.0.mlp.c_proj", "h.*.attn.c_attn", "h.0.*", "h.*.mlp.c_fc,h.0.attn.c_proj", "h.*.*"};

    static MemorySegment copyOf(Gpt2Model m, Arena arena) {
        MemorySegment s = arena.allocate(m.params.all.byteSize());
        s.copyFrom(m.params.all.segment());
        return s;
    }

    static void assertBytesEqual(MemorySegment before, Gpt2Model m, String what) {
        long at = before.mismatch(m.params.all.segment());
        assertEquals(-1, at, what + ": first differing byte at " + at);
    }

    @Property(tries = 40)
    void applyThenRevertRestoresEveryByte(@ForAll @IntRange(min = 1, max = 3) int nLayer, @ForAll @IntRange(min = 1, max = 3) int nHead,
                                          @ForAll @IntRange(min = 1, max = 9) int headSize, @ForAll @IntRange(min = 1, max = 9) int rank,
                                          @ForAll @IntRange(min = 0, max = 4) int pattern, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        float alpha = (float) (r.nextGaussian() * 8);
        try (Gpt2Model m = randomModel(seed, nLayer, nHead, headSize, 11); Arena arena = Arena.ofShared();
             MergedEdits edits = new MergedEdits(m.params)) {
            MemorySegment before = copyOf(m, arena);
            List<Target> targets = Target.parse(PATTERNS[pattern], m.config);
            Edit e = randomEdit(arena, r, targets, rank, alpha, 1.0);
            var applied = edits.apply(e);
            assertNotEquals(-1, before.mismatch(m.params.all.segment()), "the edit changed nothing");
            edits.revert(applied);
            assertBytesEqual(before, m, "after one apply/revert");
        }
    }

    @Test
    void thousandCyclesLeaveTheWeightsBitExact() {
        var r = new SplittableRandom(7);
        try (Gpt2Model m = randomModel(7, 2, 2, 8, 13); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(m.params)) {
            MemorySegment before = copyOf(m, arena);
            List<Target> targets = Target.parse("h.*.*", m.config);
            List<Edit> pool = new ArrayList<>();
            for (int i = 0; i < 5; i++) pool.add(randomEdit(arena, r, targets, 1 + i, 3f, 0.7));
            for (int i = 0; i < 1000; i++) edits.revert(edits.apply(pool.get(i % pool.size())));
            assertBytesEqual(before, m, "after 1000 cycles");
        }
    }

    @Property(tries = 25)
    void overlappingEditsRevertInStackOrder(@ForAll @IntRange(min = 2, max = 6) int depth, @ForAll long seed) {
        var r = new SplittableRandom(seed);
        try (Gpt2Model m = randomModel(seed, 2, 2, 4, 9); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(m.params)) {
            List<MemorySegment> states = new ArrayList<>();
            List<MergedEdits.Applied> applied = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                states.add(copyOf(m, arena));
                String pattern = PATTERNS[r.nextInt(PATTERNS.length)]; // overlapping target sets
                applied.add(edits.apply(randomEdit(arena, r, Target.parse(pattern, m.config), 1 + r.nextInt(4), 2f, 1.0)));
            }
            if (depth > 1) assertThrows(IllegalStateException.class, () -> edits.revert(applied.get(0)));
            for (int i = depth - 1; i >= 0; i--) {
                edits.revert(applied.get(i));
                assertBytesEqual(states.get(i), m, "after reverting edit " + i + " of " + depth);
            }
            assertEquals(0, edits.depth());
        }
    }

    @Test
    void mergedWeightIsWPlusScaledAB() {
        var r = new SplittableRandom(3);
        try (Gpt2Model m = randomModel(3, 1, 2, 5, 7); Arena arena = Arena.ofShared(); MergedEdits edits = new MergedEdits(m.params)) {
            Target t = Target.parse("h.0.mlp.c_fc", m.config).get(0);
            LowRankDelta d = new LowRankDelta(t, randn(arena, r, 1, t.in(), 3), randn(arena, r, 1, 3, t.out()), 6f);
            float[] w0 = m.params.get(t.weightName()).toArray();
            edits.apply(new Edit(List.of(d)));
            float[] w1 = m.params.get(t.weightName()).toArray();
            double norm2 = 0;
            for (int i = 0; i < t.in(); i++) for (int j = 0; j < t.out(); j++) {
                double ab = 0;
                for (int k = 0; k < 3; k++) ab += (double) d.a().get(i * 3 + k) * d.b().get(k * t.out() + j);
                double delta = 2.0 * ab; // α/r = 6/3
                norm2 += delta * delta;
                assertEquals(w0[i * t.out() + j] + delta, w1[i * t.out() + j], 1e-5, "W[" + i + "," + j + "]");
            }
            assertEquals(Math.sqrt(norm2), d.frobeniusNorm(), 1e-6 * Math.sqrt(norm2));
        }
    }

    @Test
    void targetPatterns() {
        try (Gpt2Model m = randomModel(1, 12, 1, 4, 5)) {
            assertEquals(List.of("h.10.mlp.c_proj", "h.11.mlp.c_proj"), Target.parse("h.10-11.mlp.c_proj", m.config).stream().map(Target::name).toList());
            assertEquals(12, Target.parse("h.*.attn.c_attn", m.config).size());
            assertEquals(48, Target.parse("h.*.*", m.config).size());
            Target t = Target.parse("h.3.mlp.c_proj", m.config).get(0);
            assertEquals(16, t.in());
            assertEquals(4, t.out());
            var e = assertThrows(IllegalArgumentException.class, () -> Target.parse("h.12.mlp.c_proj", m.config));
            assertTrue(e.getMessage().contains("outside the model's 0..11"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Target.parse("h.1.mlp.c_nope", m.config));
            assertThrows(IllegalArgumentException.class, () -> Target.parse("mlp.c_proj", m.config));
        }
    }
}
