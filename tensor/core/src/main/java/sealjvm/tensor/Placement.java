package sealjvm.tensor;

/** A device and the GEMM precision used on it: chosen once (from {@code --device}/{@code --precision}) and passed down. */
public record Placement(Device device, Precision precision) {
    public static final Placement CPU = new Placement(Device.CPU, Precision.FP32);

    public Placement {
        if (device == Device.CPU && precision != Precision.FP32) {
            throw new IllegalArgumentException("--precision " + precision.name().toLowerCase(java.util.Locale.ROOT) + " applies to --device cuda only");
        }
    }

    /** From the command line's {@code --device} and {@code --precision} values. */
    public static Placement parse(String device, String precision) {
        Device d = Device.parse(device);
        Precision p = Precision.parse(precision);
        if (d == Device.CPU && p != Precision.FP32) throw new IllegalArgumentException("--precision " + precision + " applies to --device cuda only");
        return new Placement(d, p);
    }
}
