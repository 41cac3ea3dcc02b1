package sealjvm.gpt2;

import sealjvm.tensor.Device;
import sealjvm.tensor.Precision;

/**
 * A GPU implementation of {@link Gpt2Backend}, found with {@link java.util.ServiceLoader} (listed in
 * {@code META-INF/services/sealjvm.gpt2.Gpt2BackendProvider} of its jar).
 */
public interface Gpt2BackendProvider {
    Device device();

    /** A backend computing with a device copy of {@code model}'s parameters; the model stays the caller's. */
    Gpt2Backend open(Gpt2Model model, Precision precision);
}
