package sealjvm.seal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.edit.Adapters;

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

    /** Refuses hook mode on the GPU (the hook runs on the CPU's forward). */
    void checkDevice() {
        if (mode == Adapters.Mode.HOOK && !adapters.isEmpty() && sealjvm.seal.Accelerator.cuda()) {
            throw new IllegalArgumentException("--adapter-mode hook runs in the CPU forward; with --device cuda use --adapter-mode merged");
        }
    }

    /** The adapters on {@code m}, merged or as a hook; close to restore the weights. */
    Adapters apply(Gpt2Model m) throws IOException { return Adapters.apply(m, adapters, mode); }
}
