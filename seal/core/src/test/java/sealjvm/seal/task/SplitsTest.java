package sealjvm.seal.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;
import sealjvm.seal.data.SpamAssassin;
import sealjvm.testsupport.Repo;

/** No item in two splits, and the eval episodes use every item at most once. */
class SplitsTest {
    static final Gpt2Tokenizer TOK = Gpt2Tokenizer.fromDirectory(Repo.root().resolve("weights/tokenizer"));

    @Test
    void factsEvalPassagesAreDistinctAndShareNoEntityWithTraining() {
        FactsTask task = new FactsTask(TOK, Facts.splits(1234, 300, 50, 100));
        Set<String> train = new HashSet<>(), eval = new HashSet<>();
        for (Task.Episode<FactsTask.Heldout> ep : task.episodes(Task.Stage.TRAIN, 300)) train.addAll(ep.heldout().passage().entities());
        for (Task.Episode<FactsTask.Heldout> ep : task.episodes(Task.Stage.HELDOUT, 50)) train.addAll(ep.heldout().passage().entities());
        List<Task.Episode<FactsTask.Heldout>> eps = task.episodes(Task.Stage.EVAL, 100);
        for (Task.Episode<FactsTask.Heldout> ep : eps) {
            for (String e : ep.heldout().passage().entities()) {
                assertTrue(eval.add(e), "entity " + e + " in two eval episodes");
                assertFalse(train.contains(e), "eval entity " + e + " also in train/heldout");
            }
            for (FactsTask.Question q : ep.heldout().questions()) {
                assertFalse(java.util.Arrays.equals(q.answer(), q.distractor()) && !q.relation().equals("none"),
                        "the distractor of " + q.relation() + " differs from the answer");
            }
        }
    }

    @Test
    void lmDocumentsAreInOneSplitOnly() throws Exception {
        var msgs = SpamAssassin.loadSample(SpamAssassin.defaultSample(Repo.root()));
        LmTask task = new LmTask(TOK, SpamAssassin.Split.of(msgs, 1234), new LmTask.Options(16, 16), 256);
        Set<String> seen = new HashSet<>();
        for (Task.Stage s : Task.Stage.values()) {
            for (Task.Episode<?> ep : task.episodes(s, task.episodeCount(s))) {
                String id = ((LmTask.Continuation) ep.heldout()).id();
                assertTrue(seen.add(id), "document " + id + " in two episodes or splits");
                assertEquals(16, ep.context().length);
            }
        }
        assertTrue(task.episodeCount(Task.Stage.EVAL) > 5);
    }

    @Test
    void spamEvalEpisodesShareNoMessage() throws Exception {
        var home = Repo.root();
        var msgs = SpamAssassin.loadSample(SpamAssassin.defaultSample(home));
        try (Gpt2Model model = Gpt2Model.load(home.resolve("weights/models/gpt2-tiny-random"))) {
            SpamTask task = new SpamTask(model, TOK, SpamAssassin.Split.of(msgs, 1234), new SpamTask.Options(4, 8, 48), new SpamHead(new double[model.config.nEmbd()], 0));
            Set<String> seen = new HashSet<>();
            int n = task.episodeCount(Task.Stage.EVAL);
            assertTrue(n >= 2);
            for (Task.Episode<?> ep : task.episodes(Task.Stage.EVAL, n)) {
                SpamTask.Heldout h = (SpamTask.Heldout) ep.heldout();
                for (var m : h.context()) assertTrue(seen.add(m.id()));
                for (var m : h.messages()) assertTrue(seen.add(m.id()));
            }
        }
    }
}
