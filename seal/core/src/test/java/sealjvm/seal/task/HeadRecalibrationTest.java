package sealjvm.seal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.testsupport.Repo;

/** The head-recalibration control solves its bias equation and moves the held-out scores the way the labels say. */
class HeadRecalibrationTest {
    @Test
    void anAllSpamContextRaisesTheBiasToTheMapSolution() throws Exception {
        var home = Repo.root();
        var msgs = SpamAssassin.loadSample(SpamAssassin.defaultSample(home));
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
        try (Gpt2Model model = Gpt2Model.load(home.resolve("weights/models/gpt2-tiny-random"))) {
            // A head that ignores the features: the logit is the bias alone, so the refit bias is visible in the scores.
            SpamTask task = new SpamTask(model, tok, SpamAssassin.Split.of(msgs, 1), new SpamTask.Options(4, 8, 48), new SpamHead(new double[model.config.nEmbd()], 0));
            List<SpamAssassin.Message> spam = msgs.stream().filter(SpamAssassin.Message::spam).limit(4).toList();
            List<SpamAssassin.Message> held = List.of(msgs.stream().filter(SpamAssassin.Message::spam).skip(4).findFirst().orElseThrow(),
                    msgs.stream().filter(m -> !m.spam()).findFirst().orElseThrow());
            Task.Detail d = task.headRecalibration(model, new Task.Episode<>(new int[] {0}, new SpamTask.Heldout(spam, held)));
            // MAP bias with a N(0, 1) prior and four spam labels: b + 4·(σ(b) − 1) = 0.
            double b = 1;
            for (int i = 0; i < 100; i++) b -= (b + 4 * (sigmoid(b) - 1)) / (1 + 4 * sigmoid(b) * (1 - sigmoid(b)));
            assertEquals(Math.log(0.5), d.score()[0][0], 1e-9, "unedited: logit 0");
            assertEquals(Math.log(sigmoid(b)), d.score()[1][0], 1e-6, "the spam message under the refit bias");
            assertEquals(Math.log(1 - sigmoid(b)), d.score()[1][1], 1e-6, "the ham message under the refit bias");
        }
    }

    static double sigmoid(double x) { return 1 / (1 + Math.exp(-x)); }
}
