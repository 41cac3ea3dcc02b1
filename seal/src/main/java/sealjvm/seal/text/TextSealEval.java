package sealjvm.seal.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.seal.SealEval;
import sealjvm.seal.SealLoop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.task.Task;

/**
 * Held-out evaluation of a text-SEAL run on the facts eval split (passages never seen in training). Per passage,
 * four ways to learn it, all applied to the same base model by the same inner LoRA fine-tune and judged on the
 * same questions asked without the passage:
 * <ul>
 *   <li>{@code no_edit}: the base model;</li>
 *   <li>{@code raw_passage}: fine-tune on the passage itself ("SFT on the raw passage");</li>
 *   <li>{@code untrained_self_edit}: fine-tune on the passage + a self-edit sampled from the base model;</li>
 *   <li>{@code trained_self_edit}: fine-tune on the passage + a self-edit sampled from the trained policy.</li>
 * </ul>
 * (With {@code innerData} "edit" the two self-edit arms train on the self-edit alone.) A diagnostic fifth arm,
 * {@code oracle_qa_self_edit}, uses the held-out questions with their answers as the self-edit: it has seen the
 * test, so it is no method — it measures how much room a self-edit has above the raw passage at all.
 * Both self-edit arms use the same sampler seed per passage. Gains are in answer log-likelihood (nats per question).
 */
public final class TextSealEval {
    private TextSealEval() {}

    public static ObjectNode evaluate(Path home, Path runDir, int episodes, long seed) throws IOException {
        if (episodes < 2) throw new IllegalArgumentException("--episodes must be >= 2 for an interval, got " + episodes);
        TextSealConfig c = TextSealTrainer.readConfig(runDir);
        Path modelDir = Path.of(c.model());
        double[][] gain = new double[4][episodes], acc = new double[5][episodes];
        int rounds;
        try (Gpt2Model model = Gpt2Model.load(modelDir); TextSeal seal = new TextSeal(c, model, TextSealTrainer.tokenizer(home, modelDir));
             Arena policyArena = Arena.ofShared()) {
            rounds = TextSealTrainer.roundsDone(runDir);
            Edit policy = TextSealTrainer.loadPolicy(runDir, model, policyArena);
            for (int e = 0; e < episodes; e++) {
                Task.Episode ep = seal.task.draw(Task.Stage.EVAL, SealLoop.episodeRandom(seed, e));
                long s = SealLoop.mix(seed ^ 0xE7A1L, e);
                int[] prompt = seal.prompt(ep.context());
                int[] untrained = seal.selfEdits(prompt, null, 1, s).getFirst();
                int[] trained = seal.selfEdits(prompt, policy, 1, s).getFirst();
                try (Arena arena = Arena.ofShared()) {
                    // The same LoRA initialization for all three: only the training text differs.
                    long init = SealLoop.mix(s, 1);
                    List<Edit> edits = List.of(seal.learnPassage(ep.context(), init, arena), seal.learn(ep.context(), untrained, init, arena),
                            seal.learn(ep.context(), trained, init, arena), seal.learn(ep.context(), seal.task.answeredQuestions(ep), init, arena));
                    Task.Scores sc = seal.score(ep, edits);
                    for (int k = 0; k < 4; k++) gain[k][e] = sc.score()[k + 1] - sc.score()[0];
                    for (int k = 0; k < 5; k++) acc[k][e] = sc.accuracy()[k];
                }
            }
        }
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("method", "text").put("task", c.task()).put("episodes", episodes).put("rounds_trained", rounds);
        ObjectNode g = out.putObject("gain");
        g.put("no_edit", 0.0).put("raw_passage", SealLoop.mean(gain[0])).put("untrained_self_edit", SealLoop.mean(gain[1]))
                .put("trained_self_edit", SealLoop.mean(gain[2])).put("oracle_qa_self_edit", SealLoop.mean(gain[3]));
        ObjectNode a = out.putObject("accuracy");
        a.put("no_edit", SealLoop.mean(acc[0])).put("raw_passage", SealLoop.mean(acc[1])).put("untrained_self_edit", SealLoop.mean(acc[2]))
                .put("trained_self_edit", SealLoop.mean(acc[3])).put("oracle_qa_self_edit", SealLoop.mean(acc[4]));
        interval(out, "trained_minus_raw_passage_ci95", gain[2], gain[0], seed);
        interval(out, "trained_minus_untrained_ci95", gain[2], gain[1], seed);
        interval(out, "trained_minus_no_edit_ci95", gain[2], new double[episodes], seed);
        interval(out, "oracle_qa_minus_raw_passage_ci95", gain[3], gain[0], seed);
        return out;
    }

    private static void interval(ObjectNode out, String key, double[] x, double[] y, long seed) {
        double[] ci = SealEval.bootstrapCi(x, y, seed);
        out.putArray(key).add(ci[0]).add(ci[1]);
    }
}
