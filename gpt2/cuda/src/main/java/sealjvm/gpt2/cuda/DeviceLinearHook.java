package sealjvm.gpt2.cuda;

import sealjvm.tensor.cuda.DeviceTensor;

/** {@link sealjvm.gpt2.LinearHook} on the device: sees each block linear's input (B,T,in) and output (B,T,out). */
@FunctionalInterface
public interface DeviceLinearHook {
    DeviceLinearHook NONE = (name, inp, out) -> { };

    /** Called after {@code weightName}'s linear (bias included) has written {@code out}; may modify it. */
    void afterLinear(String weightName, DeviceTensor inp, DeviceTensor out);
}
