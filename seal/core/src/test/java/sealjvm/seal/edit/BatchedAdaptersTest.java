package sealjvm.seal.edit;

import static org.junit.jupiter.api.Assertions.*;
import static sealjvm.seal.edit.EditTestModels.*;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.KVCache;
import sealjvm.tensor.Tensor;

class BatchedAdaptersTest {
    /** K edits in one batched adapter forward == K merged forwards, within 1e-4. */
    @Property(tries = 25)
    void batchedAdaptersEqualSeparateMergedEvaluations(@ForAll @IntRange(min = 1, max = 5) int K, @ForAll @IntRange(min = 1, max = 3) int rowsPerEdit,
                                                       @ForAll @IntRange(min = 1, max = 9) int T, @ForAll @IntRange(min = 0, max = 4) int pattern,
                                                       @ForAll long seed) {
        var r = new SplittableRandom(seed);
        try (Gpt2Model m = randomModel(seed, 2, 2, 6, 17); Arena arena = Arena.ofShared(); MergedEdits merged = new MergedEdits(m.params)) {
            int V = m.config.vocabSize();
            List<Target> targets = Target.parse(MergedEditsTest.PATTERNS[pattern], m.config);
            List<Edit> edits = new ArrayList<>();
            for (int k = 0; k < K; k++) edits.add(randomEdit(arena, r, targets, 1 + r.nextInt(4), 4f, 0.3));
            int B = K * rowsPerEdit;
            int[] ids = r.ints((long) B * T, 0, V).toArray();

            KVCache cache = m.newCache(B, T, arena);
            Tensor batched = m.forward(cache, ids, T, arena, BatchedAdapters.blocks(edits, rowsPerEdit));

            double maxErr = 0, maxEffect = 0;
            Tensor plain = m.forward(m.newCache(B, T, arena), ids, T, arena);
            for (int k = 0; k < K; k++) {
                var applied = merged.apply(edits.get(k));
                Tensor ref = m.forward(m.newCache(B, T, arena), ids, T, arena);
                merged.revert(applied);
                for (int b = k * rowsPerEdit; b < (k + 1) * rowsPerEdit; b++) {
                    for (long i = (long) b * T * V; i < (long) (b + 1) * T * V; i++) {
                        maxErr = Math.max(maxErr, Math.abs(batched.get(i) - ref.get(i)));
                        maxEffect = Math.max(maxEffect, Math.abs(ref.get(i) - plain.get(i)));
                    }
                }
            }
            assertTrue(maxErr <= 1e-4, "batched adapters differ from merged by " + maxErr);
            assertTrue(maxEffect > 1e-3, "the edits should change the logits (max effect " + maxEffect + ")");
        }
    }
}
