package sealjvm.seal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.seal.task.FactsTask;
import sealjvm.seal.task.Task;
import sealjvm.testsupport.Repo;

/** FactsProbe scores questions exactly as FactsTask.score scores the unedited model. */
class FactsProbeTest {
    /** The facts task's score of one passage's questions (unedited model): {mean log-lik, accuracy}. */
    static double[] taskScore(Gpt2Model model, Gpt2Tokenizer tok, Facts.Passage p) {
        FactsTask task = new FactsTask(tok, new Facts.Splits(List.of(p), List.of(), List.of(p)));
        Task.Episode<FactsTask.Heldout> e = task.draw(Task.Stage.EVAL, new SplittableRandom(1));
        Task.Scores s = task.score(model, e, List.of());
        return new double[] {s.score()[0], s.accuracy()[0]};
    }

    @Test
    void agreesWithTheFactsTaskWithAndWithoutThePassage() {
        Path home = Repo.root();
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(home.resolve("weights/tokenizer"));
        List<Facts.Passage> ps = Facts.defaultSplits().eval().subList(0, 6);
        try (Gpt2Model model = Gpt2Model.load(home.resolve("weights/models/gpt2-brown"))) {
            for (boolean with : new boolean[] {false, true}) {
                FactsProbe.Result r = FactsProbe.run(model, tok, ps, with);
                double llSum = 0, accSum = 0;
                int n = 0;
                for (Facts.Passage p : ps) {
                    // With the passage: the task's question is passage + "\n" + question.
                    List<Facts.Fact> fs = new ArrayList<>();
                    for (Facts.Fact f : p.facts()) {
                        fs.add(new Facts.Fact(f.entity(), f.relation(), f.value(), f.sentence(), with ? p.text() + "\n" + f.question() : f.question(), f.answer()));
                    }
                    double[] s = taskScore(model, tok, new Facts.Passage(p.text(), fs));
                    llSum += s[0] * fs.size();
                    accSum += s[1] * fs.size();
                    n += fs.size();
                }
                assertEquals(n, r.all().questions());
                assertEquals(llSum / n, r.all().meanLogLik(), 1e-4, "with passage: " + with);
                assertEquals(accSum / n, r.all().accuracy(), 1e-9, "with passage: " + with);
                assertTrue(r.all().meanLogLik() < 0);
                int per = r.perRelation().values().stream().mapToInt(FactsProbe.Stat::questions).sum();
                assertEquals(n, per);
                double weighted = r.perRelation().values().stream().mapToDouble(st -> st.accuracy() * st.questions()).sum() / n;
                assertEquals(r.all().accuracy(), weighted, 1e-12);
            }
        }
    }
}
