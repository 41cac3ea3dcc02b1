package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sealjvm.gpt2.Gpt2Backend;
import sealjvm.gpt2.Gpt2Backends;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.seal.data.GeneralText;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.seal.edit.Target;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.LmTask;
import sealjvm.seal.task.SpamHead;
import sealjvm.seal.task.SpamTask;
import sealjvm.seal.task.Task;
import sealjvm.tensor.AtomicFiles;
import sealjvm.tensor.Placement;

/**
 * The model, tokenizer, task, targets and reward a {@link TrainConfig} describes. {@code model} holds the parameters
 * (the edit generator's gradient signal and merged edits use it); {@code backend} computes every scoring forward.
 */
public record Setup(Gpt2Model model, Gpt2Backend backend, Gpt2Tokenizer tokenizer, Task<?> task, List<Target> targets, RewardFn reward) implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Builds everything for a run. For {@code spam} the frozen head is fit once on the base model and
     * kept in {@code runDir/spam_head.json}, so that resume and eval judge with the very same head.
     */
    public static Setup create(TrainConfig c, Path home, Path runDir) throws IOException {
        return create(c, home, runDir, Placement.CPU);
    }

    /** {@link #create(TrainConfig, Path, Path)} with the scoring forwards on {@code placement}. */
    public static Setup create(TrainConfig c, Path home, Path runDir, Placement placement) throws IOException {
        return create(c, home, runDir, placement, List.of());
    }

    /**
     * {@link #create(TrainConfig, Path, Path, Placement)} on the run's model with PEFT {@code adapters} merged into it,
     * in order (before the backend is opened, so a device copy has them too).
     */
    public static Setup create(TrainConfig c, Path home, Path runDir, Placement placement, List<Path> adapters) throws IOException {
        Path modelDir = Path.of(c.model());
        Gpt2Model model = Gpt2Model.load(modelDir);
        Gpt2Backend backend = null;
        try {
            sealjvm.seal.edit.Adapters.mergeForGood(model, adapters);
            backend = Gpt2Backends.open(model, placement);
            Gpt2Tokenizer tok = Files.exists(modelDir.resolve("vocab.json")) && Files.exists(modelDir.resolve("merges.txt"))
                    ? Gpt2Tokenizer.fromDirectory(modelDir) : Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
            Task<?> task = switch (c.task()) {
                case SPAM -> spam(c, home, runDir, backend, tok);
                case FACTS -> new FactsTask(tok, Facts.splits(c.dataSeed(), 2000, 200, 400));
                case LM -> lm(c, home, model, tok);
            };
            List<int[]> general = new ArrayList<>();
            for (String chunk : GeneralText.chunks(GeneralText.defaultFile(home), 400)) {
                int[] ids = tok.encode(chunk);
                general.add(Arrays.copyOf(ids, Math.min(ids.length, 32)));
                if (general.size() == 3) break;
            }
            return new Setup(model, backend, tok, task, Target.parse(c.targets(), model.config),
                    new RewardFn(c.lambdaForget(), c.lambdaNorm(), general));
        } catch (IOException | RuntimeException e) {
            if (backend != null) backend.close();
            model.close();
            throw e;
        }
    }

    /** Ham mails, long enough for context + continuation; the committed sample takes shorter windows. */
    private static LmTask lm(TrainConfig c, Path home, Gpt2Model model, Gpt2Tokenizer tok) {
        boolean sample = c.data() == TrainConfig.DataSource.SAMPLE;
        List<SpamAssassin.Message> msgs = sample ? SpamAssassin.loadSample(SpamAssassin.defaultSample(home)) : SpamAssassin.loadDefault(LM_MAX_CHARS);
        return new LmTask(tok, SpamAssassin.Split.of(msgs, c.dataSeed()), sample ? new LmTask.Options(32, 32) : LmTask.Options.defaults(), model.config.nPositions());
    }

    /** Characters kept per mail for {@code lm}: enough for 64 + 64 tokens of most mails. */
    static final int LM_MAX_CHARS = 2000;

    private static SpamTask spam(TrainConfig c, Path home, Path runDir, Gpt2Backend model, Gpt2Tokenizer tok) throws IOException {
        List<SpamAssassin.Message> msgs = c.data() == TrainConfig.DataSource.SAMPLE
                ? SpamAssassin.loadSample(SpamAssassin.defaultSample(home))
                : SpamAssassin.loadDefault(SpamAssassin.DEFAULT_MAX_CHARS);
        SpamAssassin.Split split = SpamAssassin.Split.of(msgs, c.dataSeed());
        SpamTask.Options opts = c.data() == TrainConfig.DataSource.SAMPLE ? new SpamTask.Options(4, 8, 48) : SpamTask.Options.defaults();
        Path headFile = runDir.resolve("spam_head.json");
        SpamHead head;
        if (Files.exists(headFile)) {
            var n = JSON.readTree(headFile.toFile());
            double[] w = new double[n.get("w").size()];
            for (int i = 0; i < w.length; i++) w[i] = n.get("w").get(i).doubleValue();
            head = new SpamHead(w, n.get("b").doubleValue());
        } else {
            head = SpamTask.fitHead(model, tok, split, opts);
            var n = JSON.createObjectNode();
            var arr = n.putArray("w");
            for (double x : head.w()) arr.add(x);
            n.put("b", head.b());
            try {
                AtomicFiles.write(headFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
            } catch (IOException e) {
                throw AtomicFiles.named(headFile, e);
            }
        }
        return new SpamTask(model, tok, split, opts, head);
    }

    @Override
    public void close() {
        backend.close();
        model.close();
    }
}
