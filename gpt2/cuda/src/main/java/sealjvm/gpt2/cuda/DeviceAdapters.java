package sealjvm.gpt2.cuda;

import java.util.HashMap;
import java.util.Map;
import sealjvm.gpt2.LowRankAdapters;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.tensor.cuda.CudaOps;
import sealjvm.tensor.cuda.DeviceTensor;

/**
 * {@link LowRankAdapters} on the device: the factors uploaded once, and after each targeted linear y += s·(x·A)·B as two
 * GEMMs per run of rows sharing an adapter.
 */
public final class DeviceAdapters implements DeviceLinearHook, AutoCloseable {
    private record Factors(DeviceTensor a, DeviceTensor b, float scale) {}

    private final CudaDevice device;
    private final LowRankAdapters adapters;
    private final Map<String, Factors[]> byWeight = new HashMap<>();

    public DeviceAdapters(CudaDevice device, LowRankAdapters adapters) {
        this.device = device;
        this.adapters = adapters;
        for (var e : adapters.byWeight().entrySet()) {
            LowRankAdapters.Factor[] fs = e.getValue();
            Factors[] up = new Factors[fs.length];
            for (int k = 0; k < fs.length; k++) {
                if (fs[k] != null) up[k] = new Factors(device.upload(fs[k].a()), device.upload(fs[k].b()), fs[k].scale());
            }
            byWeight.put(e.getKey(), up);
        }
    }

    @Override
    public void afterLinear(String weightName, DeviceTensor inp, DeviceTensor out) {
        Factors[] fs = byWeight.get(weightName);
        if (fs == null) return;
        int B = inp.dim(0), T = inp.dim(1), in = inp.dim(2), o = out.dim(2);
        CudaOps ops = device.ops();
        for (int[] run : adapters.runs(B)) {
            Factors f = run[2] < 0 ? null : fs[run[2]];
            if (f == null) continue;
            int b = run[0], rows = (run[1] - b) * T, r = f.a().dim(1);
            try (DeviceTensor xa = device.allocateUninitialized(rows, r)) {
                long x = inp.ptr() + (long) b * T * in * Float.BYTES, y = out.ptr() + (long) b * T * o * Float.BYTES;
                ops.gemm(false, false, rows, r, in, 1f, x, f.a().ptr(), 0f, xa.ptr());        // (rows,in) -> (rows,r)
                ops.gemm(false, false, rows, o, r, f.scale(), xa.ptr(), f.b().ptr(), 1f, y);  // y += s·xa·B
            }
        }
    }

    @Override
    public void close() {
        for (Factors[] fs : byWeight.values()) for (Factors f : fs) if (f != null) { f.a().close(); f.b().close(); }
    }
}
