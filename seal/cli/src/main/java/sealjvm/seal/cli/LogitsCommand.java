package sealjvm.seal.cli;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Tensor;

/** {@code seal logits --model DIR --ids 15496,11,995 --out FILE.npy}: float32 [T, vocab_size], as PyTorch computes it. */
@Command(name = "logits", mixinStandardHelpOptions = true, description = "Write the logits of a token sequence as a float32 .npy of shape [T, vocab_size].")
final class LogitsCommand implements Callable<Integer> {
    @Mixin ModelOption model;
    @Mixin AdapterOption adapter;
    @Mixin WeightsOption weights;

    @Option(names = "--ids", required = true, split = ",", paramLabel = "ID,ID,...", description = "Token ids, comma-separated.")
    int[] ids;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy", description = "Output file (written atomically).")
    Path out;

    @Mixin PlacementOption placementOption;

    @Override
    public Integer call() throws Exception {
        Placement placement = placementOption.placement();
        // Everything is checked before the model loads or a byte is written.
        Checks.outputFile("--out", out);
        adapter.resolveBase(model);
        adapter.checkPlacement(placement);
        var config = model.config();
        if (ids.length == 0) throw new IllegalArgumentException("--ids: give at least one token id");
        if (ids.length > config.nPositions()) {
            throw Checks.bad("--ids", ids.length + " ids", "more than the model's n_positions=" + config.nPositions());
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("--ids: token id " + ids[i] + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        try (AdapterOption.Loaded loaded = adapter.load(model, weights.format, placement); Arena arena = Arena.ofShared()) {
            Gpt2Model m = loaded.model();
            sealjvm.gpt2.LinearHook hook = loaded.adapters().hook();
            Tensor logits = hook == sealjvm.gpt2.LinearHook.NONE ? loaded.backend().logits(new int[][] {ids}, arena)
                    : m.forward(m.newCache(1, ids.length, arena), ids, ids.length, arena, hook);   // hook mode: the CPU forward
            String bad = sealjvm.gpt2.Finite.describeFirst(logits.view(ids.length, m.config.vocabSize()));
            if (bad != null) throw new IllegalStateException("the logits are not finite (" + bad + " of [T, vocab_size]); nothing written to " + out);
            Npy.write(out, logits.view(ids.length, m.config.vocabSize()));
            System.err.println("wrote " + out + " " + Arrays.toString(new int[] {ids.length, m.config.vocabSize()}));
        }
        return 0;
    }
}
