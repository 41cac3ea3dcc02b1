package sealjvm.seal;

import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.cuda.CudaGpt2;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.tensor.cuda.Precision;

/**
 * Where the frozen model of a SEAL run computes: the CPU (default) or a CUDA device ({@code --device cuda}).
 * Chosen once per process by the CLI; {@link Setup} attaches a device copy to the model it loads, and from
 * then on every scoring forward (the K adapters of an episode, the LM head, the spam features) runs on the GPU.
 * The edit generator, its REINFORCE update and everything with a backward pass stay on the CPU.
 */
public final class Accelerator {
    private Accelerator() {}

    private static volatile String device = "cpu";
    private static volatile Precision precision = Precision.FP32;
    private static CudaDevice opened;

    /** Validates and records {@code --device} and {@code --precision}; opens nothing yet. */
    public static void select(String dev, String prec) {
        if (!dev.equals("cpu") && !dev.equals("cuda")) throw new IllegalArgumentException("--device must be cpu or cuda, got '" + dev + "'");
        Precision p = Precision.parse(prec);
        if (dev.equals("cpu") && p != Precision.FP32) throw new IllegalArgumentException("--precision " + prec + " applies to --device cuda only");
        device = dev;
        precision = p;
    }

    public static boolean cuda() { return device.equals("cuda"); }

    /** The device (opened on first use, kept for the life of the process). */
    public static synchronized CudaDevice device() {
        if (!cuda()) throw new IllegalStateException("--device cpu: no CUDA device in use");
        if (opened == null) {
            opened = CudaDevice.open(0, precision);
            System.err.println("cuda: " + opened.describe() + ", GEMMs in " + precision + ", kernels " + opened.kernelSource());
        }
        return opened;
    }

    /** Attaches a device copy of {@code model} when the run is on CUDA; a no-op on the CPU. */
    public static void attach(Gpt2Model model) {
        if (cuda()) model.attachGpu(new CudaGpt2(model, device()));
    }
}
