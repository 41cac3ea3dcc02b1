package sealjvm.gpt2.cuda;

import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2BackendProvider;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.tensor.Device;
import sealjvm.tensor.Precision;
import sealjvm.tensor.cuda.CudaDevice;

/** The CUDA {@link Gpt2BackendProvider}: device 0, opened on first use and kept for the life of the process. */
public final class CudaBackendProvider implements Gpt2BackendProvider {
    private static CudaDevice opened;

    @Override
    public Device device() { return Device.CUDA; }

    @Override
    public Gpt2Backend open(Gpt2Model model, Precision precision) { return new CudaGpt2(model, device(precision)); }

    /** The process's CUDA device, its GEMMs set to {@code precision}. */
    public static synchronized CudaDevice device(Precision precision) {
        if (opened == null) {
            opened = CudaDevice.open(0, precision);
            System.err.println("cuda: " + opened.describe() + ", GEMMs in " + precision + ", kernels " + opened.kernelSource());
        } else if (opened.precision() != precision) {
            opened.setPrecision(precision);
        }
        return opened;
    }
}
