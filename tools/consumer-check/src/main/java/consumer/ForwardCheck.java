package consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.tensor.Npy;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Tensor;

/**
 * One forward through the installed gpt2 library: a fixture model's logits against PyTorch's (its logits.npy).
 * {@code ForwardCheck FIXTURE_DIR}; prints one line and exits 1 when the largest difference exceeds 1e-4.
 */
public final class ForwardCheck {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        JsonNode ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
        int[][] ids = new int[ref.get("input_ids").size()][];
        for (int b = 0; b < ids.length; b++) {
            JsonNode row = ref.get("input_ids").get(b);
            ids[b] = new int[row.size()];
            for (int t = 0; t < ids[b].length; t++) ids[b][t] = row.get(t).intValue();
        }
        try (Gpt2Model model = Gpt2Model.load(dir); Gpt2Backend backend = Gpt2Backends.open(model, Placement.CPU);
             Arena arena = Arena.ofShared()) {
            Tensor logits = backend.logits(ids, arena);
            Tensor expected = Npy.read(dir.resolve("logits.npy"), arena);
            double worst = 0;
            for (long i = 0; i < expected.size(); i++) worst = Math.max(worst, Math.abs(logits.get(i) - expected.get(i)));
            System.out.println("consumer-check: " + dir.getFileName() + " logits " + java.util.Arrays.toString(logits.shape())
                    + ", max abs difference from PyTorch " + worst);
            if (logits.size() != expected.size() || !(worst <= 1e-4)) System.exit(1);
        }
    }
}
