package sealjvm.seal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

/** The model, tokenizer, task, targets and reward a {@link TrainConfig} describes. */
public record Setup(Gpt2Model model, Gpt2Tokenizer tokenizer, Task task, List<Target> targets, RewardFn reward) implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Builds everything for a run. For {@code spam} the frozen head is fit once on the base model and
     * kept in {@code runDir/spam_head.json}, so that resume and eval judge with the very same head.
     */
    public static Setup create(TrainConfig c, Path home, Path runDir) throws IOException {
        return create(c, home, runDir, List.of());
    }

    /** {@link #create(TrainConfig, Path, Path)} on the run's model with PEFT {@code adapters} merged into it, in order. */
    public static Setup create(TrainConfig c, Path home, Path runDir, List<Path> adapters) throws IOException {
        Path modelDir = Path.of(c.model());
        Gpt2Model model = Gpt2Model.load(modelDir);
        try {
            sealjvm.seal.edit.Adapters.mergeForGood(model, adapters);
            Accelerator.attach(model);
            Gpt2Tokenizer tok = Files.exists(modelDir.resolve("vocab.json")) && Files.exists(modelDir.resolve("merges.txt"))
                    ? Gpt2Tokenizer.fromDirectory(modelDir) : Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
            Task task = switch (c.task()) {
                case "spam" -> spam(c, home, runDir, model, tok);
                case "facts" -> new FactsTask(tok, Facts.splits(c.dataSeed(), 2000, 200, 400));
                case "lm" -> lm(c, home, model, tok);
                default -> throw new IllegalArgumentException("unknown task " + c.task());
            };
            List<int[]> general = new ArrayList<>();
            for (String chunk : GeneralText.chunks(GeneralText.defaultFile(home), 400)) {
                int[] ids = tok.encode(chunk);
                general.add(Arrays.copyOf(ids, Math.min(ids.length, 32)));
                if (general.size() == 3) break;
            }
            return new Setup(model, tok, task, Target.parse(c.targets(), model.config),
                    new RewardFn(c.lambdaForget(), c.lambdaNorm(), general));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Ham mails, long enough for context + continuation; the committed sample takes shorter windows. */
    private static LmTask lm(TrainConfig c, Path home, Gpt2Model model, Gpt2Tokenizer tok) {
        boolean sample = c.data().equals("sample");
        List<SpamAssassin.Message> msgs = sample ? SpamAssassin.loadSample(SpamAssassin.defaultSample(home)) : SpamAssassin.loadDefault(LM_MAX_CHARS);
        return new LmTask(tok, SpamAssassin.Split.of(msgs, c.dataSeed()), sample ? new LmTask.Options(32, 32) : LmTask.Options.defaults(), model.config.nPositions());
    }

    /** Characters kept per mail for {@code lm}: enough for 64 + 64 tokens of most mails. */
    static final int LM_MAX_CHARS = 2000;

    private static SpamTask spam(TrainConfig c, Path home, Path runDir, Gpt2Model model, Gpt2Tokenizer tok) throws IOException {
        List<SpamAssassin.Message> msgs = c.data().equals("sample")
                ? SpamAssassin.loadSample(SpamAssassin.defaultSample(home))
                : SpamAssassin.loadDefault(SpamAssassin.DEFAULT_MAX_CHARS);
        SpamAssassin.Split split = SpamAssassin.Split.of(msgs, c.dataSeed());
        SpamTask.Options opts = c.data().equals("sample") ? new SpamTask.Options(4, 8, 48) : SpamTask.Options.defaults();
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
            RunDir.writeAtomically(headFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        }
        return new SpamTask(model, tok, split, opts, head);
    }

    @Override
    public void close() { model.close(); }
}
