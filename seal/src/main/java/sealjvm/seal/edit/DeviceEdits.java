package sealjvm.seal.edit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.cuda.CudaGpt2;
import sealjvm.gpt2.cuda.DeviceLinearHook;
import sealjvm.tensor.cuda.CudaOps;
import sealjvm.tensor.cuda.DeviceTensor;

/**
 * {@link MergedEdits} and {@link BatchedAdapters} for a model on the GPU ({@link CudaGpt2}).
 * Merged: one fused kernel adds s·A·B into W and writes the snapshot in the same pass (the same fma order
 * as the CPU, so the same bits); revert copies the snapshot back — bit-exact by construction.
 * Adapters: after each targeted linear, y += s·(x·A)·B as two GEMMs per run of rows sharing an edit.
 */
public final class DeviceEdits {
    private DeviceEdits() {}

    /** Merged edits on the device copy's weights; a stack, reverted newest first. */
    public static final class Merged implements AutoCloseable {
        /** An edit now in the device weights. */
        public static final class Applied {
            private final Edit edit;
            private final List<DeviceTensor> snapshots;
            private Applied(Edit edit, List<DeviceTensor> snapshots) { this.edit = edit; this.snapshots = snapshots; }
            public Edit edit() { return edit; }
        }

        private final CudaGpt2 gpu;
        private final Deque<Applied> stack = new ArrayDeque<>();

        public Merged(CudaGpt2 gpu) { this.gpu = gpu; }

        public Applied apply(Edit edit) {
            CudaOps ops = gpu.device.ops();
            List<DeviceTensor> snaps = new ArrayList<>();
            for (LowRankDelta d : edit.deltas()) {
                DeviceTensor w = gpu.param(d.target().weightName());
                DeviceTensor snap = gpu.device.allocateUninitialized(w.shape());   // the caching allocator recycles these
                try (DeviceTensor a = gpu.device.upload(d.a()); DeviceTensor b = gpu.device.upload(d.b())) {
                    ops.lowRankApply(w, a, b, d.scale(), snap);
                }
                snaps.add(snap);
            }
            Applied a = new Applied(edit, snaps);
            stack.push(a);
            return a;
        }

        public void revert(Applied applied) {
            if (stack.peek() != applied) {
                throw new IllegalStateException(stack.contains(applied) ? "edits must be reverted newest first" : "this edit is not applied");
            }
            stack.pop();
            List<LowRankDelta> ds = applied.edit.deltas();
            for (int i = ds.size() - 1; i >= 0; i--) {
                DeviceTensor snap = applied.snapshots.get(i);
                gpu.device.ops().copy(gpu.param(ds.get(i).target().weightName()), snap);
                snap.close();
            }
        }

        public void revertAll() { while (!stack.isEmpty()) revert(stack.peek()); }

        public int depth() { return stack.size(); }

        @Override
        public void close() { revertAll(); }
    }

    /** K edits as adapters in one batched forward: sequence b uses edit {@code editOfRow[b]} (-1: none). */
    public static final class Adapters implements DeviceLinearHook, AutoCloseable {
        private record Factors(DeviceTensor a, DeviceTensor b, float scale) {}

        private final CudaGpt2 gpu;
        private final int[] editOfRow;
        private final Map<String, Factors[]> byWeight = new HashMap<>();

        public Adapters(CudaGpt2 gpu, List<Edit> edits, int[] editOfRow) {
            this.gpu = gpu;
            this.editOfRow = editOfRow.clone();
            for (int e : editOfRow) {
                if (e < -1 || e >= edits.size()) throw new IllegalArgumentException("row edit index " + e + " outside [-1, " + edits.size() + ")");
            }
            for (int k = 0; k < edits.size(); k++) {
                for (LowRankDelta d : edits.get(k).deltas()) {
                    byWeight.computeIfAbsent(d.target().weightName(), n -> new Factors[edits.size()])[k] =
                            new Factors(gpu.device.upload(d.a()), gpu.device.upload(d.b()), d.scale());
                }
            }
        }

        @Override
        public void afterLinear(String weightName, DeviceTensor inp, DeviceTensor out) {
            Factors[] fs = byWeight.get(weightName);
            if (fs == null) return;
            int B = inp.dim(0), T = inp.dim(1), in = inp.dim(2), o = out.dim(2);
            if (B != editOfRow.length) throw new IllegalArgumentException("batch of " + B + " sequences, adapters for " + editOfRow.length);
            CudaOps ops = gpu.device.ops();
            int b = 0;
            while (b < B) {
                int e = editOfRow[b], end = b + 1;
                while (end < B && editOfRow[end] == e) end++;
                Factors f = e < 0 ? null : fs[e];
                if (f != null) {
                    int rows = (end - b) * T, r = f.a().dim(1);
                    try (DeviceTensor xa = gpu.device.allocateUninitialized(rows, r)) {
                        long x = inp.ptr() + (long) b * T * in * Float.BYTES, y = out.ptr() + (long) b * T * o * Float.BYTES;
                        ops.gemm(false, false, rows, r, in, 1f, x, f.a().ptr(), 0f, xa.ptr());        // (rows,in) -> (rows,r)
                        ops.gemm(false, false, rows, o, r, f.scale(), xa.ptr(), f.b().ptr(), 1f, y);  // y += s·xa·B
                    }
                }
                b = end;
            }
        }

        @Override
        public void close() {
            for (Factors[] fs : byWeight.values()) for (Factors f : fs) if (f != null) { f.a().close(); f.b().close(); }
        }
    }
}
