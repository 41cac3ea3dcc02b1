package sealjvm.seal.edit;

import java.lang.foreign.Arena;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.Gpt2Params;
import sealjvm.tensor.LowRank;
import sealjvm.tensor.Tensor;

/**
 * MERGED edits: W += ΔW in place, and revert restores W bit-exactly from a snapshot of the touched
 * weights taken in the same pass. Edits form a stack: overlapping edits are reverted newest first.
 * Snapshot buffers are pooled, so an apply/revert loop allocates nothing after its first cycle.
 */
public final class MergedEdits implements AutoCloseable {
    /** An edit that is in the weights now; revert it with {@link #revert}. */
    public static final class Applied {
        private final Edit edit;
        private final List<Tensor> snapshots;
        private Applied(Edit edit, List<Tensor> snapshots) { this.edit = edit; this.snapshots = snapshots; }
        public Edit edit() { return edit; }
    }

    private final Gpt2Params params;
    private final Arena arena = Arena.ofShared();
    private final Deque<Applied> stack = new ArrayDeque<>();
    private final Map<Long, Deque<Tensor>> free = new HashMap<>();

    public MergedEdits(Gpt2Params params) { this.params = params; }

    public Applied apply(Edit edit) {
        params.requireF32("merged edits");
        List<Tensor> snaps = new ArrayList<>();
        for (LowRankDelta d : edit.deltas()) {
            Tensor w = params.get(d.target().weightName());
            Tensor snap = take(w.size());
            LowRank.applyWithSnapshot(w, d.a(), d.b(), d.scale(), snap);
            snaps.add(snap);
        }
        Applied a = new Applied(edit, snaps);
        stack.push(a);
        return a;
    }

    /** Restores the weights to what they were before {@code applied}; it must be the newest edit. */
    public void revert(Applied applied) {
        if (stack.peek() != applied) {
            throw new IllegalStateException(stack.contains(applied)
                    ? "edits must be reverted newest first (this one has " + stack.stream().takeWhile(x -> x != applied).count() + " newer)"
                    : "this edit is not applied");
        }
        stack.pop();
        List<LowRankDelta> ds = applied.edit.deltas();
        for (int i = ds.size() - 1; i >= 0; i--) {
            Tensor snap = applied.snapshots.get(i);
            LowRank.copy(params.get(ds.get(i).target().weightName()), snap);
            free.computeIfAbsent(snap.size(), k -> new ArrayDeque<>()).push(snap);
        }
    }

    /** Reverts every applied edit, newest first. */
    public void revertAll() {
        while (!stack.isEmpty()) revert(stack.peek());
    }

    public int depth() { return stack.size(); }

    private Tensor take(long size) {
        Deque<Tensor> d = free.get(size);
        if (d != null && !d.isEmpty()) return d.pop();
        return Tensor.allocate(arena, Math.toIntExact(size));
    }

    @Override
    public void close() {
        revertAll();
        arena.close();
    }
}
