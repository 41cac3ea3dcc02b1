package sealjvm.gpt2;

import java.util.ServiceLoader;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;

/** Picks the {@link Gpt2Backend} of a {@link Placement}: the model itself on the CPU, a provider's backend elsewhere. */
public final class Gpt2Backends {
    private Gpt2Backends() {}

    /**
     * The backend for {@code model} on {@code placement}. On the CPU that is {@code model} (closing it closes the model);
     * elsewhere a device copy whose closing leaves {@code model} open.
     */
    public static Gpt2Backend open(Gpt2Model model, Placement placement) {
        if (placement.device() == Device.CPU) return model;
        return provider(placement.device()).open(model, placement.precision());
    }

    /** The provider of {@code device} on the class path; an error naming the missing module if there is none. */
    public static Gpt2BackendProvider provider(Device device) {
        for (Gpt2BackendProvider p : ServiceLoader.load(Gpt2BackendProvider.class)) {
            if (p.device() == device) return p;
        }
        throw new IllegalStateException("--device " + device + ": no " + device + " backend on the class path (add the gpt2-" + device + " jar)");
    }
}
