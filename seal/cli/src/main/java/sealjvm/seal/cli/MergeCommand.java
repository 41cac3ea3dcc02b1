package sealjvm.seal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.safetensors.DType;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.seal.RunDir;
import sealjvm.seal.edit.Adapters;
import sealjvm.tensor.AtomicFiles;

/** {@code seal merge --model DIR --adapter DIR... --out DIR}: a Hugging Face model folder with the adapters merged in. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge PEFT LoRA adapters (in order) into a model and write it as a Hugging Face GPT-2 folder (config.json, model.safetensors in "
                + "the source dtype, tokenizer files, README.md naming base and adapters), atomically; as PEFT's merge_and_unload + save_pretrained.")
final class MergeCommand implements Callable<Integer> {
    @Mixin ModelOption model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "A PEFT LoRA adapter folder; repeatable, merged in order. "
            + "Without --model, the base model the first adapter names is used.")
    List<Path> adapters;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The merged model folder to write (must not exist, or be empty).")
    Path out;

    @Override
    public Integer call() throws Exception {
        AdapterOption a = new AdapterOption();
        a.adapters = adapters;
        a.resolveBase(model);
        if (Files.exists(out) && !Files.isDirectory(out)) throw Checks.bad("--out", out, "is a file, not a model folder");
        if (Files.isDirectory(out)) {
            try (var s = Files.list(out)) {
                if (s.findAny().isPresent()) throw Checks.bad("--out", out, "exists and is not empty (choose a new folder)");
            }
        }
        Path base = model.dir();
        model.config();
        model.tokenizer();   // the tokenizer files, checked before any work
        DType dtype = sourceDtype(base.resolve("model.safetensors"));
        try (Gpt2Model m = model.load(); Adapters merged = Adapters.apply(m, adapters, Adapters.Mode.MERGED)) {
            AtomicFiles.writeDirectory(out, tmp -> {
                m.save(tmp, dtype);
                Files.copy(base.resolve("config.json"), tmp.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Path tokDir = Files.exists(base.resolve("vocab.json")) ? base : SealCli.home().resolve("weights/tokenizer");
                for (String f : List.of("vocab.json", "merges.txt")) Files.copy(tokDir.resolve(f), tmp.resolve(f));
                RunDir.writeAtomically(tmp.resolve("README.md"), card(base, dtype).getBytes(StandardCharsets.UTF_8));
            });
        }
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("model", out.toString()).put("base_model", base.toAbsolutePath().normalize().toString()).put("dtype", dtype.name());
        var arr = o.putArray("adapters");
        for (Path d : adapters) arr.add(d.toAbsolutePath().normalize().toString());
        System.out.println(o);
        return 0;
    }

    /** The storage type of the source weights (the first block's attention weight). */
    static DType sourceDtype(Path file) {
        try (SafeTensors st = SafeTensors.open(file)) {
            for (String n : List.of("h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.weight")) {
                if (st.contains(n)) return st.info(n).orElseThrow().dtype();
            }
            return st.info(st.names().iterator().next()).orElseThrow().dtype();
        }
    }

    private String card(Path base, DType dtype) {
        StringBuilder s = new StringBuilder();
        s.append("# Merged model\n\n");
        s.append("`bin/seal merge` of the base model `").append(base.toAbsolutePath().normalize()).append("` with these PEFT LoRA adapters, merged in order ")
                .append("(W += scaling · (B·A)ᵀ per adapted linear, in float32; weights stored as ").append(dtype).append(", the base's storage type):\n\n");
        for (Path d : adapters) s.append("- `").append(d.toAbsolutePath().normalize()).append("`\n");
        s.append("\nLoad it like any Hugging Face GPT-2 folder (`bin/seal generate --model DIR`, `GPT2LMHeadModel.from_pretrained(DIR)`).\n");
        return s.toString();
    }
}
