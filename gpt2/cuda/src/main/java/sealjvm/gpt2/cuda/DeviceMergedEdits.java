package sealjvm.gpt2.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import sealjvm.gpt2.LowRankAdapters;
import sealjvm.tensor.cuda.CudaOps;
import sealjvm.tensor.cuda.DeviceTensor;

/**
 * Merged low-rank edits on a {@link CudaGpt2}'s weights; a stack, reverted newest first. One fused kernel adds s·A·B
 * into W and writes the snapshot in the same pass (the same fma order as the CPU, so the same bits); revert copies the
 * snapshot back — bit-exact by construction.
 */
public final class DeviceMergedEdits implements AutoCloseable {
    /** An edit now in the device weights. */
    public static final class Applied {
        private final List<LowRankAdapters.Factor> edit;
        private final List<DeviceTensor> snapshots;
        private Applied(List<LowRankAdapters.Factor> edit, List<DeviceTensor> snapshots) { this.edit = edit; this.snapshots = snapshots; }
    }

    private final CudaGpt2 gpu;
    private final Deque<Applied> stack = new ArrayDeque<>();

    public DeviceMergedEdits(CudaGpt2 gpu) { this.gpu = gpu; }

    /** W += scale·A·B for each factor of {@code edit} (each weight at most once). */
    public Applied apply(List<LowRankAdapters.Factor> edit) {
        CudaOps ops = gpu.device.ops();
        List<DeviceTensor> snaps = new ArrayList<>();
        for (LowRankAdapters.Factor f : edit) {
            DeviceTensor w = gpu.param(f.weight());
            DeviceTensor snap = gpu.device.allocateUninitialized(w.shape());   // the caching allocator recycles these
            try (DeviceTensor a = gpu.device.upload(f.a()); DeviceTensor b = gpu.device.upload(f.b())) {
                ops.lowRankApply(w, a, b, f.scale(), snap);
            }
            snaps.add(snap);
        }
        Applied a = new Applied(List.copyOf(edit), snaps);
        stack.push(a);
        return a;
    }

    public void revert(Applied applied) {
        if (stack.peek() != applied) {
            throw new IllegalStateException(stack.contains(applied) ? "edits must be reverted newest first" : "this edit is not applied");
        }
        stack.pop();
        for (int i = applied.edit.size() - 1; i >= 0; i--) {
            DeviceTensor snap = applied.snapshots.get(i);
            gpu.device.ops().copy(gpu.param(applied.edit.get(i).weight()), snap);
            snap.close();
        }
    }

    public void revertAll() { while (!stack.isEmpty()) revert(stack.peek()); }

    public int depth() { return stack.size(); }

    @Override
    public void close() { revertAll(); }
}
