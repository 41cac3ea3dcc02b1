package sealjvm.seal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.edit.Adapters;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;

/** {@code --adapter DIR} (repeatable, applied in order) and {@code --adapter-mode merged|hook}. */
final class AdapterOption {
    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors); repeatable, applied in order. "
                    + "Without --model, the base model the first adapter names (base_model_name_or_path) is loaded.")
    List<Path> adapters = new ArrayList<>();

    @Option(names = "--adapter-mode", paramLabel = "MODE", defaultValue = "merged", converter = ModeConverter.class,
            description = "merged (W += ΔW, reverted bit-exactly) | hook (W untouched, ΔW·x added in the forward) (default: ${DEFAULT-VALUE}).")
    Adapters.Mode mode = Adapters.Mode.MERGED;

    static final class ModeConverter implements CommandLine.ITypeConverter<Adapters.Mode> {
        @Override public Adapters.Mode convert(String s) {
            try {
                return Adapters.Mode.parse("--adapter-mode", s);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Sets --model's default to the first adapter's base when --model is not given; checks every folder exists. */
    void resolveBase(ModelOption model) throws IOException {
        for (Path d : adapters) {
            if (!Files.isDirectory(d)) throw Checks.bad("--adapter", d, Files.exists(d) ? "is not a folder" : "not found");
            if (!Files.isRegularFile(d.resolve("adapter_config.json"))) throw Checks.bad("--adapter", d, "has no adapter_config.json (not a PEFT adapter folder)");
        }
        if (model.model == null && !adapters.isEmpty()) model.adapterBase = Adapters.baseModel(adapters.get(0));
    }

    /**
     * Refuses hook mode off the CPU: the hook runs after each linear of the CPU model's forward, which a device backend
     * does not run (merged adapters are in the weights before any backend copies them, so they work everywhere).
     */
    void checkPlacement(Placement placement) {
        if (mode == Adapters.Mode.HOOK && !adapters.isEmpty() && placement.device() != Device.CPU) {
            throw new IllegalArgumentException("--adapter-mode hook runs in the CPU forward; with --device " + placement.device()
                    + " use --adapter-mode merged");
        }
    }

    /** The adapters on {@code m}, merged or as a hook; close to restore the weights. */
    Adapters apply(Gpt2Model m) throws IOException { return Adapters.apply(m, adapters, mode); }

    /**
     * The model of {@code model}, the adapters applied to it, and its backend on {@code placement}, opened after the
     * adapters are merged (so a device copy has them). In hook mode the backend is the CPU model itself
     * ({@link #checkPlacement}).
     */
    Loaded load(ModelOption model, Placement placement) throws IOException { return load(model, sealjvm.tensor.WeightFormat.F32, placement); }

    /** As {@link #load(ModelOption, Placement)}, the weight matrices held in {@code format}. */
    Loaded load(ModelOption model, sealjvm.tensor.WeightFormat format, Placement placement) throws IOException {
        Gpt2Model m = model.load(format);
        Adapters a = null;
        try {
            a = apply(m);
            return new Loaded(m, a, Gpt2Backends.open(m, placement));
        } catch (IOException | RuntimeException e) {
            if (a != null) a.close();
            m.close();
            throw e;
        }
    }

    /** A model with adapters and its backend; closing reverts the adapters before the model is freed. */
    record Loaded(Gpt2Model model, Adapters adapters, Gpt2Backend backend) implements AutoCloseable {
        @Override
        public void close() {
            try {
                if (backend != model) backend.close();   // a device copy; the CPU backend is the model, closed last
            } finally {
                try {
                    adapters.close();
                } finally {
                    model.close();
                }
            }
        }
    }
}
