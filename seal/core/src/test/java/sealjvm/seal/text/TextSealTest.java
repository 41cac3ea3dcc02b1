package sealjvm.seal.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.BundledModel;
import sealjvm.gpt2.Generator;
import sealjvm.gpt2.Gpt2Model;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.Progress;
import sealjvm.seal.SealLoop;
import sealjvm.seal.edit.Edit;
import sealjvm.seal.rollout.PassageRollout;
import sealjvm.seal.rollout.TextSlot;
import sealjvm.seal.sft.LoraSft;
import sealjvm.seal.task.Task;
import sealjvm.testsupport.Repo;

/** A tiny end-to-end text-SEAL run on the bundled model: train, resume across a round, evaluate (CI, seconds). */
class TextSealTest {
    static Path home() { return sealjvm.testsupport.Repo.root(); }

    static TextSealConfig tiny(int rounds) { return tiny(rounds, 0); }

    static TextSealConfig tiny(int rounds, int warmStart) { return tinyBuilder(rounds).warmStart(warmStart).build(); }

    /** A tiny run with a new run's defaults otherwise (the self-edit's sentences, two inner seeds). */
    static TextSealConfig.Builder tinyBuilder(int rounds) {
        Path model = home().resolve("weights/models").resolve(BundledModel.NAME);
        return TextSealConfig.builder("facts", model.toString()).editTokens(8).samples(2).rounds(rounds).passagesPerRound(2)
                .threshold(-1e9).keepVsPassage(false).innerTargets("h.*.mlp.c_proj").innerRank(2).innerAlpha(4).innerSteps(2)
                .innerLr(3e-3).policyTargets("h.*.mlp.c_fc").policyRank(2).policyAlpha(4).policyEpochs(1).policyLr(1e-3).seed(3)
                .dataSeed(11).warmStart(0);
    }

    static Gpt2Tokenizer tokenizer() { return Gpt2Tokenizer.fromDirectory(home().resolve("weights/tokenizer")); }

    static int[] concat(int[]... parts) { return IntStream.concat(IntStream.empty(), java.util.Arrays.stream(parts).flatMapToInt(IntStream::of)).toArray(); }

    @Test
    void aSelfEditSplitsIntoItsLinesOfTwoOrMoreTokensThatAreNotBlank() {
        Gpt2Tokenizer tok = tokenizer();
        assertArrayEquals(new int[] {198}, tok.encode("\n"));
        assertArrayEquals(new int[] {628}, tok.encode("\n\n"));
        int[] first = tok.encode("Alice lives in Paris."), second = tok.encode("Bob is 30 years old."), one = tok.encode("X");
        assertEquals(1, one.length);
        int[] space = tok.encode(" ");
        // first, a blank line between "\n\n", a line of one token, a line of two spaces, second, a final newline
        int[] edit = concat(first, new int[] {628}, one, new int[] {198}, space, space, new int[] {198}, second, new int[] {198});
        List<int[]> lines = TextSeal.lines(edit, tok);
        assertEquals(2, lines.size(), "the one-token and the blank lines are dropped");
        assertArrayEquals(first, lines.get(0));
        assertArrayEquals(second, lines.get(1));
        // a newline run that is also whitespace (" \n", "\n ") cuts like "\n"
        int[] spaced = tok.encode("Alice lives in Paris. \nBob is 30 years old.");
        assertEquals(2, TextSeal.lines(spaced, tok).size(), tok.decode(spaced));
        // no newline: the whole self-edit is its one line; under 2 tokens: none
        assertEquals(1, TextSeal.lines(second, tok).size());
        assertArrayEquals(second, TextSeal.lines(second, tok).getFirst());
        assertEquals(List.of(), TextSeal.lines(one, tok));
        assertEquals(List.of(), TextSeal.lines(new int[0], tok));
        assertEquals(List.of(), TextSeal.lines(new int[] {198, 628, 198}, tok));
    }

    /** Tokens of the examples, for comparing lists of them. */
    static List<List<Integer>> tokens(List<LoraSft.Example> data) {
        List<List<Integer>> out = new ArrayList<>();
        for (LoraSft.Example e : data) {
            out.add(IntStream.of(e.tokens()).boxed().toList());
            assertEquals(1, e.lossFrom(), "the loss on every token but the first");
        }
        return out;
    }

    static List<List<Integer>> tokens(int[]... texts) {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] t : texts) out.add(IntStream.of(t).boxed().toList());
        return out;
    }

    @Test
    void anOlderConfigLoadsAsWholePassageSelfEditsAndOneInnerSeedAndNewRunsSplitSentencesAndWriteThemPerSentence(@TempDir Path tmp) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = json.valueToTree(tiny(1));
        assertEquals("sentences_qa", cfg.get("editSplit").asText(), "new runs: each sentence its own example, an answer after its question; recorded");
        assertEquals("sentence", cfg.get("editUnit").asText(), "new runs: a line per passage sentence, recorded");
        assertEquals(2, cfg.get("innerSeeds").asInt());
        assertEquals("sentence", cfg.get("warmStartUnit").asText(), "new runs: a restatement pair per sentence, recorded");
        assertEquals(4, cfg.get("keptRepeat").asInt(), "new runs: each kept pair four times in an M-step, recorded");
        assertEquals("unasked", cfg.get("warmStartQuestions").asText(), "new runs: warm-start questions never in the eval's wording, recorded");
        cfg.put("keepBy", "accuracy");
        cfg.remove(List.of("editSplit", "innerSeeds", "keepBy", "editUnit", "warmStartUnit", "keptRepeat", "warmStartQuestions"));   // as a run started before the fields existed wrote it
        Files.createDirectories(tmp.resolve("old"));
        Files.write(tmp.resolve("old/config.json"), json.writeValueAsBytes(cfg));
        TextSealConfig old = TextSealTrainer.readConfig(tmp.resolve("old"));
        assertEquals("whole", old.editSplit());
        assertEquals(1, old.innerSeeds());
        assertEquals("reward", old.keepBy(), "an older run kept its self-edits by reward");
        assertEquals("passage", old.editUnit(), "an older run wrote each self-edit from the whole passage");
        assertEquals("passage", old.warmStartUnit(), "... and each restatement pair");
        assertEquals(1, old.keptRepeat(), "... and gave the M-step each kept pair once");
        assertEquals("any", old.warmStartQuestions(), "... and worded the warm start's questions as the restatement passages do");

        Gpt2Tokenizer tok = tokenizer();
        int[] passage = tok.encode("Alice lives in Paris. She is a doctor.");
        int[] first = tok.encode("Alice is in Paris."), second = tok.encode("Alice is a doctor.");
        int[] edit = concat(first, new int[] {198}, second);
        try (Gpt2Model model = Gpt2Model.load(Path.of(old.model()))) {
            try (TextSeal seal = new TextSeal(old, model, tok)) {
                // the data the inner fine-tune had before lines: the passage, then the self-edit as it was written
                assertEquals(tokens(passage, edit), tokens(seal.innerExamples(passage, edit)));
                assertEquals(tokens(passage), tokens(seal.innerExamples(passage, new int[] {5})), "a self-edit under 2 tokens adds nothing");
            }
            try (TextSeal seal = new TextSeal(tiny(1), model, tok)) {
                assertEquals(tokens(passage, first, second), tokens(seal.innerExamples(passage, edit)));
            }
            TextSealConfig editOnly = TextSealConfig.builder("facts", old.model()).innerData("edit").build();
            try (TextSeal seal = new TextSeal(editOnly, model, tok)) {
                assertEquals(tokens(first, second), tokens(seal.innerExamples(passage, edit)));
            }
        }
    }

    @Test
    void badInnerSeedsAndEditSplitAreRefusedNamingTheOption() {
        var e = assertThrows(IllegalArgumentException.class, () -> TextSealConfig.builder("facts", "m").innerSeeds(0).build());
        assertEquals("--inner-seeds must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSealConfig.builder("facts", "m").editSplit("words").build());
        assertEquals("--edit-split must be whole, lines, sentences or sentences_qa, got 'words'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSealConfig.builder("facts", "m").keptRepeat(0).build());
        assertEquals("--kept-repeat must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TextSealConfig.builder("facts", "m").warmStartUnit("line").build());
        assertTrue(e.getMessage().startsWith("--warm-start-unit must be passage or sentence, got 'line'"), e.getMessage());
    }

    /** The facts task's own question for a fact (the wording its questions are asked in). */
    static String evalWording(sealjvm.seal.data.Facts.Fact f) {
        return java.util.Map.of("capital", "What is the capital of {E}? A:", "founded-by", "Who founded {E}? A:",
                "year-founded", "In what year was {E} founded? A:", "river", "What is the longest river in {E}? A:",
                "language", "What language do the people of {E} speak? A:", "currency", "What is the currency of {E}? A:",
                "national-animal", "What is the national animal of {E}? A:", "main-export", "What is the main export of {E}? A:")
                .get(f.relation()).replace("{E}", f.entity());
    }

    @Test
    void sentenceWarmStartPairsEachFactsSentenceWithItsRestatementAndTheMStepRepeatsTheKeptPairs() throws Exception {
        Gpt2Tokenizer tok = tokenizer();
        int eot = tok.eotId();
        TextSealConfig c = tinyBuilder(1).editTokens(24).warmStart(40).build();   // the defaults: sentence pairs, kept ×4
        var passages = sealjvm.seal.data.Facts.rcPassages(sealjvm.seal.data.Facts.RESTATE_SEED, 40);
        try (Gpt2Model model = Gpt2Model.load(Path.of(c.model())); TextSeal seal = new TextSeal(c, model, tok)) {
            List<LoraSft.Example> warm = seal.warmStartExamples();
            assertEquals(40, warm.size(), "--warm-start counts pairs");
            int i = 0, replaced = 0;
            for (var passage : passages) {
                for (var fact : passage.facts()) {
                    if (i == warm.size()) break;
                    LoraSft.Example x = warm.get(i++);
                    String prompt = tok.decode(Arrays.copyOf(x.tokens(), x.lossFrom())), target = tok.decode(Arrays.copyOfRange(x.tokens(), x.lossFrom(), x.tokens().length - 1));
                    assertEquals(tok.decode(seal.prompt(tok.encode(fact.sentence()))), prompt, "the fact's own sentence, read as a passage");
                    assertTrue(prompt.contains(fact.entity()) && prompt.toLowerCase().contains(fact.value().toLowerCase()), prompt);
                    String asked = evalWording(fact);
                    assertTrue(target.endsWith("? A:" + fact.answer()), "the fact's question answered: " + target);
                    assertFalse(target.startsWith(asked), "never in the eval's wording: " + target);
                    if (!fact.question().equals(asked)) assertEquals(sealjvm.seal.data.Facts.restatement(fact), target, "its own wording kept");
                    else replaced++;
                    assertTrue(target.contains("? A: ") && !target.contains("\n"), target);
                    assertEquals(eot, x.tokens()[x.tokens().length - 1]);
                }
            }
            assertEquals(40, i);
            assertTrue(replaced > 0, "some questions came in the eval's wording and were reworded");
            List<LoraSft.Example> kept = List.of(warm.get(3), warm.get(7));
            assertEquals(List.of(warm.get(3), warm.get(7), warm.get(3), warm.get(7), warm.get(3), warm.get(7), warm.get(3), warm.get(7)),
                    seal.mStepExamples(kept, warm).subList(0, 8));
            assertEquals(8 + 40, seal.mStepExamples(kept, warm).size());
        }
        TextSealConfig anyWording = tinyBuilder(1).editTokens(24).warmStart(40).warmStartQuestions("any").build();
        try (Gpt2Model model = Gpt2Model.load(Path.of(anyWording.model())); TextSeal seal = new TextSeal(anyWording, model, tok)) {
            List<LoraSft.Example> warm = seal.warmStartExamples();
            int i = 0;
            for (var passage : passages) {
                for (var fact : passage.facts()) {
                    if (i == warm.size()) break;
                    LoraSft.Example x = warm.get(i++);
                    assertEquals(sealjvm.seal.data.Facts.restatement(fact), tok.decode(Arrays.copyOfRange(x.tokens(), x.lossFrom(), x.tokens().length - 1)),
                            "any wording: the restatement passages' own");
                }
            }
        }
        TextSealConfig perPassage = tinyBuilder(1).editTokens(24).warmStart(5).warmStartUnit("passage").warmStartQuestions("any").keptRepeat(1).build();
        try (Gpt2Model model = Gpt2Model.load(Path.of(perPassage.model())); TextSeal seal = new TextSeal(perPassage, model, tok)) {
            List<LoraSft.Example> warm = seal.warmStartExamples();
            assertEquals(5, warm.size());
            for (int i = 0; i < 5; i++) {
                int[] restated = tok.encode(sealjvm.seal.data.Facts.restatement(passages.get(i)));
                assertArrayEquals(concat(seal.prompt(tok.encode(passages.get(i).text())), Arrays.copyOf(restated, Math.min(restated.length, 23)), new int[] {eot}), warm.get(i).tokens());
            }
            assertEquals(2 + 5, seal.mStepExamples(warm.subList(0, 2), warm).size(), "kept once, then the warm pairs");
        }
    }

    @Test
    void theCopyBiasRaisesThePassagesTokensAndTheirSuccessorsOnly() {
        int[] passage = {7, 3, 9, 3, 4};   // 3 is followed by 9 and by 4
        Generator.LogitsProcessor p = new CopyBias(2f, 5f, CopyBias.SpanMatch.LAST_TOKEN).processor(passage, 12);
        float[] logits = new float[12];
        p.process(logits, new int[] {3, 0}, 1);
        float[] expected = new float[12];
        for (int t : new int[] {3, 4, 7, 9}) expected[t] = 2f;
        expected[9] += 5f;
        expected[4] += 5f;
        assertArrayEquals(expected, logits, "token bias once per distinct passage id; span bias on what follows the last id");
        logits = new float[12];
        p.process(logits, new int[] {4}, 0);
        for (int t : new int[] {9, 4}) expected[t] -= 5f;
        assertArrayEquals(expected, logits, "nothing sampled yet: no span");
        assertEquals(null, CopyBias.NONE.processor(passage, 12));
        var e = assertThrows(IllegalArgumentException.class, () -> new CopyBias(-1f, 0f, CopyBias.SpanMatch.LONGEST));
        assertEquals("--copy-bias must be a finite number >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CopyBias(0f, Float.NaN, CopyBias.SpanMatch.LONGEST));
        assertEquals("--copy-span-bias must be a finite number >= 0, got NaN", e.getMessage());
    }

    /** LONGEST continues the passage's longest match of the self-edit's suffix only; an older config's bias reads as LAST_TOKEN. */
    @Test
    void theLongestMatchSpanBiasFollowsTheLongestRunOnly() throws Exception {
        int[] passage = {5, 1, 2, 6, 3, 2, 7, 2, 8};   // 2 is followed by 6, 7 and 8; "1 2" by 6 only; "3 2" by 7 only
        Generator.LogitsProcessor p = new CopyBias(0f, 4f, CopyBias.SpanMatch.LONGEST).processor(passage, 10);
        float[] logits = new float[10];
        p.process(logits, new int[] {9, 3, 2}, 3);
        float[] expected = new float[10];
        expected[7] = 4f;
        assertArrayEquals(expected, logits, "after '3 2': the 7 that follows the passage's '3 2'");
        logits = new float[10];
        p.process(logits, new int[] {9, 2}, 2);
        expected = new float[10];
        for (int t : new int[] {6, 7, 8}) expected[t] = 4f;
        assertArrayEquals(expected, logits, "after '9 2' ('9' is not in the passage): every successor of 2");
        logits = new float[10];
        p.process(logits, new int[] {4, 9}, 2);
        assertArrayEquals(new float[10], logits, "the last token is not in the passage: nothing");
        assertArrayEquals(new int[] {8}, CopyBias.longestMatchSuccessors(new int[] {1, 2, 8, 1, 2, 12}, new int[] {1, 2}, 2, 10),
                "a successor outside the vocabulary is dropped");
        var old = new ObjectMapper().readValue("{\"token\":3.0,\"span\":8.0}", CopyBias.class);
        assertEquals(new CopyBias(3f, 8f, CopyBias.SpanMatch.LAST_TOKEN), old, "a run from before the field keeps its bias");
    }

    /** Sentences: cut after ".", "?" or "!" before a new word, the next sentence's leading space dropped; lines still cut. */
    @Test
    void sentencesCutAtSentenceEndsAndLines() {
        Gpt2Tokenizer tok = tokenizer();
        int[] edit = tok.encode("Q: What is the capital of Nund? A: Nantet. The otter is the animal.\nIt rains. 3.5 is a number.");
        List<String> got = TextSeal.sentences(edit, tok, false).stream().map(tok::decode).toList();
        assertEquals(List.of("Q: What is the capital of Nund?", "A: Nantet.", "The otter is the animal.", "It rains.", "3.5 is a number."), got);
        assertArrayEquals(tok.encode("A: Nantet."), TextSeal.sentences(edit, tok, false).get(1), "a cut sentence starts as a text would");
        assertEquals(List.of(), TextSeal.sentences(tok.encode("a"), tok, false), "under 2 tokens: nothing");
        List<String> kept = TextSeal.sentences(edit, tok, true).stream().map(tok::decode).toList();
        assertEquals(List.of("Q: What is the capital of Nund? A: Nantet.", "The otter is the animal.", "It rains.", "3.5 is a number."), kept,
                "sentences_qa: an answer stays after its question");
        assertArrayEquals(tok.encode("Q: What is the capital of Nund? A: Nantet."), TextSeal.sentences(edit, tok, true).getFirst(),
                "the kept pair is the sampled tokens as they were");
    }

    @Test
    void selfEditsSampledWithACopyBiasUseMoreOfThePassageAndAnOlderConfigHasNone(@TempDir Path tmp) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = json.valueToTree(tiny(1));
        cfg.remove("copyBias");
        Files.createDirectories(tmp.resolve("old"));
        Files.write(tmp.resolve("old/config.json"), json.writeValueAsBytes(cfg));
        assertEquals(CopyBias.NONE, TextSealTrainer.readConfig(tmp.resolve("old")).copyBias());
        assertEquals(CopyBias.DEFAULT, TextSealConfig.builder("facts", "m").build().copyBias(), "new runs copy");
        TextSealConfig biased = tinyBuilder(1).editTokens(24).copyBias(new CopyBias(4f, 8f, CopyBias.SpanMatch.LONGEST)).build();
        Files.createDirectories(tmp.resolve("new"));
        Files.write(tmp.resolve("new/config.json"), json.writeValueAsBytes(json.valueToTree(biased)));
        assertEquals(new CopyBias(4f, 8f, CopyBias.SpanMatch.LONGEST), TextSealTrainer.readConfig(tmp.resolve("new")).copyBias(), "the bias is part of the run");

        Gpt2Tokenizer tok = tokenizer();
        try (Gpt2Model model = Gpt2Model.load(Path.of(biased.model()));
             TextSeal plain = new TextSeal(tinyBuilder(1).editTokens(24).copyBias(CopyBias.NONE).build(), model, tok); TextSeal copying = new TextSeal(biased, model, tok)) {
            var ep = plain.task.episodes(Task.Stage.TRAIN, 8);
            int plainHits = 0, copyHits = 0, total = 0;
            for (int e = 0; e < ep.size(); e++) {
                java.util.Set<Integer> ids = new java.util.HashSet<>();
                for (int t : ep.get(e).context()) ids.add(t);
                assertArrayEquals(ep.get(e).context(), copying.passageOf(copying.prompt(ep.get(e).context())));
                for (int[] s : plain.selfEdits(plain.prompt(ep.get(e).context()), null, 2, e)) for (int t : s) if (ids.contains(t)) plainHits++;
                for (int[] s : copying.selfEdits(copying.prompt(ep.get(e).context()), null, 2, e)) {
                    total += s.length;
                    for (int t : s) if (ids.contains(t)) copyHits++;
                }
            }
            assertTrue(copyHits > plainHits + total / 4, "passage tokens among the sampled: " + copyHits + " of " + total + " with the bias, " + plainHits + " without");
        }
    }

    @Test
    void theSentencePointerContinuesOnlySentencesNotWrittenStartsThemAfterAFullStopAndEndsWhenAllAreWritten() {
        // two sentences: [20 1 2 9] and [21 3 4 9] (9: the full stop; 30, 31: their first words at the start of a text)
        CopyBias.Sentences s = new CopyBias.Sentences(new int[][] {{20, 1, 2, 9}, {21, 3, 4, 9}}, new int[] {30, 31}, new int[] {9}, 99);
        assertArrayEquals(new int[] {30, 31}, CopyBias.sentenceSuccessors(s, new int[0], 0), "at the start: either sentence, as a text starts it");
        assertArrayEquals(new int[] {2}, CopyBias.sentenceSuccessors(s, new int[] {30, 1}, 2), "inside the first: its next token");
        assertArrayEquals(new int[] {21}, CopyBias.sentenceSuccessors(s, new int[] {30, 1, 2, 9}, 4), "first written: the second's start");
        assertArrayEquals(new int[] {3}, CopyBias.sentenceSuccessors(s, new int[] {30, 1, 2, 9, 21}, 5));
        assertArrayEquals(new int[] {99}, CopyBias.sentenceSuccessors(s, new int[] {30, 1, 2, 9, 21, 3, 4, 9}, 8), "all written: end-of-text");
        assertArrayEquals(new int[] {20}, CopyBias.sentenceSuccessors(s, new int[] {31, 3, 4, 9}, 4), "the second written first: back to the first");
        assertArrayEquals(new int[0], CopyBias.sentenceSuccessors(s, new int[] {30, 1, 2, 9, 7}, 5), "a token the unwritten sentence lacks: no span bias");
        // a passage cut after "20 1 2" (no full stop): its last word does not end a sentence
        CopyBias.Sentences cut = new CopyBias.Sentences(new int[][] {{21, 3, 4, 9}, {20, 1, 2}}, new int[] {31, 30}, new int[] {9}, 99);
        assertArrayEquals(new int[0], CopyBias.sentenceSuccessors(cut, new int[] {30, 1, 2}, 3), "its last word is no sentence end");
        assertArrayEquals(new int[] {4}, CopyBias.sentenceSuccessors(cut, new int[] {30, 2, 21, 3}, 4));
        var e = assertThrows(IllegalStateException.class, () -> new CopyBias(1f, 1f, CopyBias.SpanMatch.SENTENCES).processor(new int[] {1, 2}, 10));
        assertTrue(e.getMessage().contains("sentences"), e.getMessage());
    }

    @Test
    void theSentencePointersSelfEditsWriteEveryPassageSentenceOnceAndStop() throws Exception {
        Gpt2Tokenizer tok = tokenizer();
        TextSealConfig c = tinyBuilder(1).editTokens(120).editUnit("passage").copyBias(new CopyBias(3f, 16f, CopyBias.SpanMatch.SENTENCES)).build();
        try (Gpt2Model model = Gpt2Model.load(Path.of(c.model())); TextSeal seal = new TextSeal(c, model, tok)) {
            var ep = seal.task.episodes(Task.Stage.TRAIN, 4);
            for (int e = 0; e < ep.size(); e++) {
                String passage = tok.decode(ep.get(e).context());
                CopyBias.Sentences ps = seal.passageSentences(ep.get(e).context());
                StringBuilder joined = new StringBuilder();
                for (int[] sentence : ps.spaced()) joined.append(tok.decode(sentence));
                assertEquals(" " + passage, joined.toString(), "the sentences are the passage, cut");
                for (int[] edit : seal.selfEdits(seal.prompt(ep.get(e).context()), null, 2, e)) {
                    String text = tok.decode(edit);
                    assertTrue(edit.length < 120, "it stopped before the budget: " + text);
                    for (int[] sentence : ps.spaced()) {
                        String body = tok.decode(sentence).strip();
                        assertTrue(text.contains(body), "'" + body + "' missing from the self-edit: " + text);
                        assertEquals(text.indexOf(body), text.lastIndexOf(body), "written twice: " + text);
                    }
                }
            }
        }
    }

    /** WORDS biases, of the longest match's successors, only those that go on with the word being written. */
    @Test
    void theWordPointerContinuesAWordButLeavesTheNextWordToTheModel() {
        int[] passage = {5, 1, 2, 6, 3, 2, 7, 2, 8};   // after "1 2": 6; after "3 2": 7; after 2 alone: 6, 7, 8
        java.util.function.IntPredicate continuesWord = id -> id != 7;   // 7 starts a new word
        Generator.LogitsProcessor p = new CopyBias(1f, 4f, CopyBias.SpanMatch.WORDS).processor(passage, null, continuesWord, 10);
        float[] logits = new float[10];
        p.process(logits, new int[] {9, 1, 2}, 3);
        float[] expected = new float[10];
        for (int t : passage) expected[t] = 1f;
        expected[6] += 4f;
        assertArrayEquals(expected, logits, "after '1 2': the 6 that goes on with the word");
        logits = new float[10];
        p.process(logits, new int[] {9, 3, 2}, 3);
        expected = new float[10];
        for (int t : passage) expected[t] = 1f;
        assertArrayEquals(expected, logits, "after '3 2' the passage starts a new word (7): the token bias alone");
        var e = assertThrows(IllegalStateException.class, () -> new CopyBias(1f, 1f, CopyBias.SpanMatch.WORDS).processor(passage, 10));
        assertTrue(e.getMessage().contains("words"), e.getMessage());
    }

    /**
     * The sentence unit writes one line per passage sentence (empty lines kept, so line j is sentence j's), each
     * within the budget; the M-step gets one (prompt(sentence j) → line j + end-of-text) pair per line that is not
     * empty; the passage unit's single pair is prompt(passage) → self-edit + end-of-text.
     */
    @Test
    void theSentenceUnitWritesALinePerSentenceAndTheMStepPairsEachWithItsSentence() throws Exception {
        Gpt2Tokenizer tok = tokenizer();
        TextSealConfig c = tinyBuilder(1).editTokens(12).build();   // the defaults: sentence unit, word pointer
        int eot = tok.eotId();
        try (Gpt2Model model = Gpt2Model.load(Path.of(c.model())); TextSeal seal = new TextSeal(c, model, tok)) {
            var ep = seal.task.episodes(Task.Stage.TRAIN, 4);
            int nonEmpty = 0;
            for (int e = 0; e < ep.size(); e++) {
                int[] passage = ep.get(e).context();
                List<int[]> units = seal.sentenceUnits(passage);
                assertTrue(units.size() >= 2, "a facts passage has two sentences at least");
                for (int[] edit : seal.selfEdits(seal.prompt(passage), null, 2, e)) {
                    List<int[]> lines = new ArrayList<>();
                    int start = 0;
                    for (int t = 0; t <= edit.length; t++) {
                        if (t < edit.length && edit[t] != 198) continue;
                        lines.add(Arrays.copyOfRange(edit, start, t));
                        start = t + 1;
                    }
                    assertEquals(units.size(), lines.size(), "a line per sentence: " + tok.decode(edit));
                    List<LoraSft.Example> pairs = seal.policyExamples(passage, edit);
                    int j = 0, k = 0;
                    for (int[] line : lines) {
                        assertTrue(line.length <= 12, "within --edit-tokens: " + tok.decode(line));
                        assertTrue(tok.decode(line).indexOf('\n') < 0, "one line: " + tok.decode(line));
                        if (line.length > 0) {
                            nonEmpty++;
                            LoraSft.Example x = pairs.get(k++);
                            int[] prompt = seal.prompt(units.get(j));
                            assertArrayEquals(concat(prompt, line, new int[] {eot}), x.tokens(), "pair " + j);
                            assertEquals(prompt.length, x.lossFrom());
                        }
                        j++;
                    }
                    assertEquals(k, pairs.size(), "no pair for an empty line");
                }
            }
            assertTrue(nonEmpty > 0, "the base model writes some lines");
        }
        TextSealConfig whole = tinyBuilder(1).editTokens(12).editUnit("passage").build();
        try (Gpt2Model model = Gpt2Model.load(Path.of(whole.model())); TextSeal seal = new TextSeal(whole, model, tok)) {
            int[] passage = seal.task.episodes(Task.Stage.TRAIN, 1).getFirst().context(), edit = tok.encode("A line.\nAnother.");
            List<LoraSft.Example> pairs = seal.policyExamples(passage, edit);
            assertEquals(1, pairs.size());
            assertArrayEquals(concat(seal.prompt(passage), edit, new int[] {eot}), pairs.getFirst().tokens());
        }
    }

    /** The rewards of a passage's slots (self-edits, then the passage alone), as the E-step takes them. */
    static double[] rewards(Task.Scores s) {
        double[] r = new double[s.score().length - 1];
        for (int k = 0; k < r.length; k++) r[k] = s.score()[k + 1] - s.score()[0];
        return r;
    }

    @Test
    void keepingByAccuracyPicksTheSelfEditThatAnswersMoreAndComparesItWithThePassageAloneTheSameWay() throws Exception {
        // Passage 0: self-edit 0 has the larger reward (score gain), self-edit 1 the higher accuracy, the passage alone
        // is below both. Passage 1: self-edit 0 leads on reward and ties self-edit 1 on accuracy; the passage alone
        // answers more than either, with a lower reward.
        Task.Scores p0 = new Task.Scores(new double[] {-10, -4, -6, -9}, new double[] {0, 0.25, 0.75, 0});
        Task.Scores p1 = new Task.Scores(new double[] {-10, -5, -7, -8}, new double[] {0, 0.5, 0.5, 1});
        int[] a = {11, 12, 13}, b = {21, 22};
        List<PassageRollout> rollouts = List.of(new PassageRollout(List.of(a, b), p0, 0), new PassageRollout(List.of(a, b), p1, 0));
        String[] kept = new String[2];
        for (TextSealConfig.KeepBy by : TextSealConfig.KeepBy.values()) {
            TextSealConfig c = tinyBuilder(1).keepVsPassage(true).threshold(0).keepBy(by.toString()).build();
            try (Gpt2Model model = Gpt2Model.load(Path.of(c.model())); TextSeal seal = new TextSeal(c, model, tokenizer())) {
                List<ObjectNode> lines = new ArrayList<>();
                List<LoraSft.Example> examples = seal.collect(0, rollouts, lines);
                assertEquals(seal.tokenizer.decode(by == TextSealConfig.KeepBy.REWARD ? a : b), lines.get(0).get("best_self_edit").asText(), by + ": passage 0's best");
                assertEquals(seal.tokenizer.decode(a), lines.get(1).get("best_self_edit").asText(), by + ": a tie on accuracy goes to the reward");
                assertTrue(lines.get(0).get("kept").asBoolean(), by + ": passage 0's best beats the passage alone");
                assertEquals(by == TextSealConfig.KeepBy.REWARD, lines.get(1).get("kept").asBoolean(), by + ": passage 1's best against the passage alone");
                kept[by.ordinal()] = examples.stream().map(e -> Arrays.toString(e.tokens())).toList().toString();
            }
        }
        assertNotEquals(kept[0], kept[1], "the two rules keep different self-edits");
        var e = assertThrows(IllegalArgumentException.class, () -> TextSealConfig.builder("facts", "m").keepBy("margin").build());
        assertEquals("--keep-by must be reward or accuracy, got 'margin'", e.getMessage());
    }

    @Test
    void twoInnerSeedsAverageTheRewardsOfTwoFineTunesAndEachSlotGivesTheRolloutsNumbers() throws Exception {
        TextSealConfig two = tinyBuilder(1).keepVsPassage(true).editSplit("lines").innerSeeds(2).build();
        TextSealConfig one = tinyBuilder(1).keepVsPassage(true).editSplit("lines").innerSeeds(1).build();
        List<Task.Scores> single = new ArrayList<>();   // per inner seed: the scores of its fine-tunes alone
        try (Gpt2Model model = Gpt2Model.load(Path.of(two.model())); TextSeal seal = new TextSeal(two, model, tokenizer())) {
            PassageRollout r = seal.rollout(0, 1, null);
            assertEquals(3, r.scores().score().length - 1, "2 self-edits and the passage alone");
            var ep = seal.trainEpisode(0, 1);
            long seed = seal.passageSeed(0, 1);
            for (int n = 0; n < 2; n++) {
                try (Arena arena = Arena.ofShared()) {
                    List<Edit> edits = new ArrayList<>();
                    for (int k = 0; k < 2; k++) edits.add(seal.learn(ep.context(), r.texts().get(k), TextSeal.innerSeed(SealLoop.mix(seed, 100 + k), n), arena));
                    edits.add(seal.learnPassage(ep.context(), TextSeal.innerSeed(SealLoop.mix(seed, 99), n), arena));
                    single.add(seal.score(ep, edits));
                }
            }
            double[] mean = rewards(r.scores()), first = rewards(single.get(0)), second = rewards(single.get(1));
            for (int k = 0; k < 3; k++) {
                assertNotEquals(first[k], second[k], "slot " + k + ": the two seeds fine-tune differently");
                assertEquals((first[k] + second[k]) / 2, mean[k], 1e-12, "slot " + k + ": the mean of the two seeds' rewards");
                assertEquals((single.get(0).accuracy()[k + 1] + single.get(1).accuracy()[k + 1]) / 2, r.scores().accuracy()[k + 1], 1e-12);
            }
            // a slot on its own: the rollout's numbers for it, bit for bit
            for (int k = 0; k < 3; k++) {
                TextSlot slot = seal.slot(0, 1, null, k);
                assertEquals(r.scores().score()[0], slot.baseScore());
                assertEquals(r.scores().score()[k + 1], slot.score(), "slot " + k);
                assertEquals(r.scores().accuracy()[k + 1], slot.accuracy(), "slot " + k);
                if (k < 2) assertArrayEquals(r.texts().get(k), slot.selfEdit());
            }
        }
        // one inner seed is the first of these fine-tunes: what a rollout fine-tuned before there were several
        try (Gpt2Model model = Gpt2Model.load(Path.of(one.model())); TextSeal once = new TextSeal(one, model, tokenizer())) {
            PassageRollout r1 = once.rollout(0, 1, null);
            assertArrayEquals(single.get(0).score(), r1.scores().score());
            assertArrayEquals(single.get(0).accuracy(), r1.scores().accuracy());
        }
    }

    @Test
    void warmStartFitsRoundZerosPolicyOnRestatementsAndResumesPastIt(@TempDir Path tmp) throws Exception {
        List<JsonNode> lines = TextSealTrainer.train(tiny(1, 3), home(), tmp.resolve("warm"), Progress.NONE);
        assertEquals(2, lines.size());
        assertTrue(Files.exists(tmp.resolve("warm/policy-round-0/adapter_config.json")), "the warm-start policy");
        assertTrue(Files.exists(tmp.resolve("warm/policy-round-1/adapter_config.json")));
        JsonNode state = new ObjectMapper().readTree(tmp.resolve("warm/state.json").toFile());
        assertEquals(1, state.get("rounds_done").asInt());
        var restated = sealjvm.seal.data.Facts.restatement(sealjvm.seal.data.Facts.rcPassages(sealjvm.seal.data.Facts.RESTATE_SEED, 1).getFirst());
        assertTrue(restated.contains("? A: ") && restated.endsWith("\n"), restated);
    }

    @Test
    void innerFineTuneGetsTheBudgetChosenForSftPassageOnHeldout(@TempDir Path tmp) throws Exception {
        var grid = new sealjvm.seal.eval.Baselines.Recipe(0, 0, 1, 1e-3, new int[] {1, 3}, new double[] {1e-3, 3e-2}, 2);
        TextSealTrainer.train(tiny(0), grid, home(), tmp.resolve("run"), Progress.NONE, sealjvm.seal.rollout.EngineSpec.LOCAL);
        ObjectMapper json = new ObjectMapper();
        JsonNode cfg = json.readTree(tmp.resolve("run/config.json").toFile());
        JsonNode choice = json.readTree(tmp.resolve("run").resolve(TextSealTrainer.SFT_PASSAGE_FILE).toFile());
        assertEquals(choice.get("steps").asInt(), cfg.get("innerSteps").asInt(), "the inner fine-tune's steps are sft_passage's");
        assertEquals(choice.get("lr").asDouble(), cfg.get("innerLr").asDouble(), "the inner fine-tune's lr is sft_passage's");
        double best = Double.NEGATIVE_INFINITY;
        for (JsonNode g : choice.get("grid")) best = Math.max(best, g.get("heldout_reward").asDouble());
        assertEquals(best, choice.get("heldout_reward").asDouble(), "the grid's best heldout reward was chosen");
        assertEquals(4, choice.get("grid").size());
    }

    @Test
    void theGridGrowsPastItsCornerUntilItsBestIsInsideOrTheExtensionsAreSpent(@TempDir Path tmp) throws Exception {
        var fixed = new sealjvm.seal.eval.Baselines.Recipe(0, 0, 1, 1e-3, new int[] {1, 2}, new double[] {1e-3, 1e-2}, 2);
        var growing = new sealjvm.seal.eval.Baselines.Recipe(0, 0, 1, 1e-3, new int[] {1, 2}, new double[] {1e-3, 1e-2}, 2, 2);
        ObjectMapper json = new ObjectMapper();
        TextSealTrainer.train(tiny(0), fixed, home(), tmp.resolve("fixed"), Progress.NONE, sealjvm.seal.rollout.EngineSpec.LOCAL);
        TextSealTrainer.train(tiny(0), growing, home(), tmp.resolve("grown"), Progress.NONE, sealjvm.seal.rollout.EngineSpec.LOCAL);
        JsonNode a = json.readTree(tmp.resolve("fixed").resolve(TextSealTrainer.SFT_PASSAGE_FILE).toFile());
        JsonNode b = json.readTree(tmp.resolve("grown").resolve(TextSealTrainer.SFT_PASSAGE_FILE).toFile());
        for (int k = 0; k < 4; k++) assertEquals(a.get("grid").get(k), b.get("grid").get(k), "the first grid is the same in both");
        int ext = b.get("grid_extensions").asInt();
        int maxSteps = 0;
        double maxLr = 0, best = Double.NEGATIVE_INFINITY;
        java.util.Set<Integer> steps = new java.util.TreeSet<>();
        java.util.Set<Double> lrs = new java.util.TreeSet<>();
        for (JsonNode g : b.get("grid")) {
            steps.add(g.get("steps").asInt());
            lrs.add(g.get("lr").asDouble());
            maxSteps = Math.max(maxSteps, g.get("steps").asInt());
            maxLr = Math.max(maxLr, g.get("lr").asDouble());
            best = Math.max(best, g.get("heldout_reward").asDouble());
        }
        assertEquals(steps.size() * lrs.size(), b.get("grid").size(), "every steps x lr pair once");
        assertEquals(best, b.get("heldout_reward").asDouble());
        boolean onEdge = b.get("steps").asInt() == maxSteps || b.get("lr").asDouble() == maxLr;
        assertTrue(ext == 2 || !onEdge, "grown " + ext + " times and still at the edge: " + b);
        boolean firstOnEdge = a.get("steps").asInt() == 2 || a.get("lr").asDouble() == 1e-2;
        assertEquals(firstOnEdge, ext > 0, "it grows exactly when the fixed grid's best is on its largest steps or lr: " + a);
        for (int st : steps) assertTrue(st == 1 || st == 2 || st == 4 || st == 8, "steps double: " + steps);
    }

    @Test
    void trainsResumesAcrossARoundAndEvaluates(@TempDir Path tmp) throws Exception {
        List<JsonNode> full = TextSealTrainer.train(tiny(2), home(), tmp.resolve("full"), Progress.NONE);
        assertEquals(4, full.size(), "2 rounds x 2 passages");
        for (JsonNode m : full) {
            assertTrue(Double.isFinite(m.get("reward_mean").asDouble()));
            assertTrue(m.get("kept").asBoolean(), "threshold -1e9 keeps every passage's best self-edit");
        }
        assertTrue(Files.exists(tmp.resolve("full/policy-round-2/adapter_config.json")));

        // Stop after round 1, then continue to 2 rounds: the same self-edits and rewards as the uninterrupted run.
        Path cut = tmp.resolve("cut");
        TextSealTrainer.train(tiny(1), home(), cut, Progress.NONE);
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(cut.resolve("config.json").toFile());
        cfg.put("rounds", 2);
        Files.write(cut.resolve("config.json"), json.writeValueAsBytes(cfg));
        List<JsonNode> resumed = TextSealTrainer.resume(home(), cut, Progress.NONE);
        assertEquals(4, resumed.size());
        for (int i = 0; i < 4; i++) {
            for (String k : List.of("episode", "reward_mean", "reward_best", "best_self_edit")) {
                assertEquals(full.get(i).get(k), resumed.get(i).get(k), k + " of line " + i);
            }
        }

        var recipe = new sealjvm.seal.eval.Baselines.Recipe(4, 2, 2, 3e-3, new int[] {1}, new double[] {1e-3}, 1);
        ObjectNode eval = TextSealEval.evaluate(home(), tmp.resolve("full"), 2, 5, recipe);
        for (String k : List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "untrained_self_edit", "trained")) {
            assertTrue(Double.isFinite(eval.get("arms").get(k).get("gain").asDouble()), k);
            assertTrue(Double.isFinite(eval.get("arms").get(k).get("margin").asDouble()), k);
        }
        assertTrue(Double.isFinite(eval.get("diagnostics").get("oracle_qa_self_edit").get("gain").asDouble()));
        assertEquals(2, eval.get("ci95").get("accuracy").get("trained_minus_sft_passage").size());
        assertEquals(2, eval.get("rounds_trained").asInt());

        // The run's seed (3) picks the slice; the eval is kept with every passage's values.
        int first = sealjvm.seal.eval.EvalSlice.of(null, 2, eval.get("eval_split_size").asInt(), 3).first();
        assertEquals(first, eval.get("first_episode").asInt());
        assertTrue(first > 0, "seed 3 is not judged on the first passages");
        JsonNode kept = json.readTree(tmp.resolve("full/eval.json").toFile());
        assertEquals(2, kept.get("per_episode").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(first + i, kept.get("per_episode").get(i).get("index").asInt());
            assertEquals(first + i, kept.get("per_episode_diagnostics").get(i).get("index").asInt());
        }
        assertEquals(eval.get("arms"), kept.get("arms"));
        assertEquals(3, kept.get("run_seed").asInt());

        // A passage's arms do not depend on the slice it is judged in (shuffled_context's partner aside).
        TextSealEval.evaluate(home(), tmp.resolve("full"), first, 3, 5, TextSealEval.DEFAULT_DRAWS, recipe, List.of());
        JsonNode wider = json.readTree(tmp.resolve("full/eval.json").toFile());
        assertEquals(3, wider.get("per_episode").size());
        for (int i = 0; i < 2; i++) {
            for (String arm : List.of("no_edit", "static_edit", "sft_passage", "untrained_self_edit", "trained")) {
                assertEquals(kept.get("per_episode").get(i).get("arms").get(arm), wider.get("per_episode").get(i).get("arms").get(arm), arm + " of passage " + (first + i));
            }
        }

        // Two draws: each passage's values are the mean of the one-draw evals with seeds 5 (kept above) and 6.
        assertEquals(1, kept.get("draws").asInt());
        List<JsonNode> single = new ArrayList<>(List.of(kept));
        TextSealEval.evaluate(home(), tmp.resolve("full"), first, 2, 6, 1, recipe, List.of());
        single.add(json.readTree(tmp.resolve("full/eval.json").toFile()));
        assertEquals(2, TextSealEval.evaluate(home(), tmp.resolve("full"), first, 2, 5, 2, recipe, List.of()).get("draws").asInt());
        JsonNode twoDraws = json.readTree(tmp.resolve("full/eval.json").toFile());
        boolean drawsDiffer = false;
        for (int i = 0; i < 2; i++) {
            for (String arm : List.of("no_edit", "static_edit", "shuffled_context", "sft_passage", "untrained_self_edit", "trained")) {
                for (String m : List.of("accuracy", "gain", "margin")) {
                    JsonNode two = twoDraws.get("per_episode").get(i).get("arms").get(arm).get(m);
                    JsonNode a = single.get(0).get("per_episode").get(i).get("arms").get(arm).get(m), b = single.get(1).get("per_episode").get(i).get("arms").get(arm).get(m);
                    for (int u = 0; u < two.size(); u++) {
                        assertEquals((a.get(u).asDouble() + b.get(u).asDouble()) / 2, two.get(u).asDouble(), 1e-9, arm + " " + m + " of passage " + (first + i));
                        drawsDiffer |= a.get(u).asDouble() != b.get(u).asDouble();
                    }
                }
            }
        }
        assertTrue(drawsDiffer, "the two draws sample and fine-tune differently");
        var e = assertThrows(IllegalArgumentException.class, () -> TextSealEval.evaluate(home(), tmp.resolve("full"), first, 2, 5, 0, recipe, List.of()));
        assertEquals("--draws must be >= 1, got 0", e.getMessage());
    }
}
