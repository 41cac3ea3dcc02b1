package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sealjvm.seal.data.Facts.Fact;
import sealjvm.seal.data.Facts.Passage;

/** The reading-comprehension documents: disjoint from the facts task's default splits, deterministic, varied. */
class FactsRcTest {
    /** Relations whose value is an invented word (the others are years or closed word lists). */
    static final Set<String> INVENTED = Set.of("capital", "founded-by", "river", "language", "currency");

    /** As many RC documents as {@code bin/seal pretrain --corpus brown+rc} mixes in by default (gpt2-brown-rc). */
    static final int SHIPPED_RC_DOCS = 14500;

    static String lc(String s) { return s.toLowerCase(Locale.ROOT); }

    @Test
    void noEntityOrInventedValueOfTheDefaultSplitsAppears() {
        Facts.Splits s = Facts.splits(1234, 2000, 200, 400);   // the facts task's splits under the default --data-seed
        Set<String> taken = new HashSet<>();
        for (List<Passage> split : List.of(s.train(), s.heldout(), s.eval())) {
            for (Passage p : split) {
                for (Fact f : p.facts()) {
                    taken.add(lc(f.entity()));
                    if (INVENTED.contains(f.relation())) taken.add(lc(f.value()));
                }
            }
        }
        assertTrue(taken.size() > 2600 + 4000, "entities and invented values of 2600 passages: " + taken.size());
        List<Passage> rc = Facts.rcPassages(SHIPPED_RC_DOCS);
        Set<String> seen = new HashSet<>();
        int invented = 0;
        for (Passage p : rc) {
            for (Fact f : p.facts()) {
                assertFalse(taken.contains(lc(f.entity())), "entity " + f.entity() + " of the default splits in an RC document");
                if (INVENTED.contains(f.relation())) {
                    invented++;
                    assertFalse(taken.contains(lc(f.value())), f.relation() + " " + f.value() + " of the default splits in an RC document");
                    assertTrue(seen.add(lc(f.value())), "invented value " + f.value() + " reused within the RC documents");
                }
            }
            for (String e : p.entities()) assertTrue(seen.add(lc(e)), "entity " + e + " reused within the RC documents");
        }
        assertTrue(invented > 10_000, "invented values checked: " + invented);
    }

    @Test
    void deterministicAndPrefixStable() {
        List<Passage> a = Facts.rcPassages(300), b = Facts.rcPassages(300), c = Facts.rcPassages(400);
        assertEquals(a, b);
        assertEquals(a, c.subList(0, 300));
        assertEquals("""
                The national animal of Drathhas is the bear. Drathhas's longest river is the Mefil. The wolf is the national animal of Kabistane.
                Which animal is the national animal of Drathhas? A: bear
                What is Drathhas's longest river? A: Mefil
                What is Kabistane's national animal? A: wolf
                """, Facts.rcDocument(a.getFirst()), "pinned: the shipped gpt2-brown-rc was trained on these documents");
    }

    @Test
    void documentsAreWellFormedAndVaried() {
        List<Passage> rc = Facts.rcPassages(2000);
        Map<String, Set<String>> questionWordings = new HashMap<>(), sentenceWordings = new HashMap<>();
        int reordered = 0;
        for (Passage p : rc) {
            assertTrue(p.facts().size() >= 2 && p.facts().size() <= 4);
            String doc = Facts.rcDocument(p);
            String[] lines = doc.split("\n", -1);
            assertEquals(p.text(), lines[0]);
            assertEquals(p.facts().size() + 2, lines.length, "passage, one line per question, and the final newline");
            for (int i = 0; i < p.facts().size(); i++) {
                Fact f = p.facts().get(i);
                assertTrue(f.question().endsWith(" A:"), f.question());
                assertEquals(" " + f.value(), f.answer());
                assertEquals(f.question() + f.answer(), lines[i + 1]);
                assertTrue(p.text().contains(f.value()) || p.text().contains(Character.toUpperCase(f.value().charAt(0)) + f.value().substring(1)),
                        "the answer is in the passage: " + doc);
                assertTrue(f.question().contains(f.entity()));
                questionWordings.computeIfAbsent(f.relation(), k -> new HashSet<>()).add(f.question().replace(f.entity(), "{E}"));
                sentenceWordings.computeIfAbsent(f.relation(), k -> new HashSet<>())
                        .add(f.sentence().replace(f.entity(), "{E}").replace(f.value(), "{V}").replace(Character.toUpperCase(f.value().charAt(0)) + f.value().substring(1), "{V}"));
            }
            // facts are listed in question order; sentence order is their order of appearance in the text
            int last = -1;
            boolean inOrder = true;
            for (Fact f : p.facts()) {
                String stripped = f.sentence().endsWith(".") ? f.sentence().substring(1, f.sentence().length() - 1) : f.sentence();
                int at = p.text().indexOf(stripped);
                assertTrue(at >= 0, f.sentence() + " in " + p.text());
                if (at < last) inOrder = false;
                last = at;
            }
            if (!inOrder) reordered++;
        }
        assertEquals(Set.copyOf(Facts.RELATIONS), questionWordings.keySet());
        for (String r : Facts.RELATIONS) {
            assertEquals(3, questionWordings.get(r).size(), r + " questions: " + questionWordings.get(r));
            assertEquals(3, sentenceWordings.get(r).size(), r + " sentences: " + sentenceWordings.get(r));
        }
        assertTrue(reordered > 500, "questions asked out of sentence order in " + reordered + " of 2000 passages");
    }

    @Test
    void theFactsTaskDataIsUnchanged() throws Exception {
        // SHA-256 of the default splits and two other draws, computed with Facts.java before the RC generator was added.
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Facts.Splits s = Facts.splits(1234, 2000, 200, 400);
        for (List<Passage> l : List.of(s.train(), s.heldout(), s.eval(), Facts.generate(7, 300), Facts.splits(99, 50, 10, 20).eval())) {
            for (Passage p : l) {
                md.update(p.text().getBytes(StandardCharsets.UTF_8));
                for (Fact f : p.facts()) {
                    md.update((f.entity() + "|" + f.relation() + "|" + f.value() + "|" + f.sentence() + "|" + f.question() + "|" + f.answer() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals("e51b1b54aa915f5622ca42d967bc24bd6a15f7c1bd9345d369d9d1220613fadb", java.util.HexFormat.of().formatHex(md.digest()));
    }
}
