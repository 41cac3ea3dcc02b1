package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts.Fact;
import sealjvm.seal.data.Facts.Passage;
import sealjvm.seal.data.Facts.Splits;
import sealjvm.testsupport.Repo;

class FactsTest {
    @Test
    void deterministicPerSeed() {
        assertEquals(Facts.generate(7, 50), Facts.generate(7, 50));
        assertNotEquals(Facts.generate(7, 50), Facts.generate(8, 50));
        assertEquals(Facts.generate(7, 20), Facts.splits(7, 20, 5, 5).train());
    }

    @Test
    void passagesAreWellFormed() {
        Set<String> relations = new HashSet<>();
        for (Passage p : Facts.generate(1, 300)) {
            assertTrue(p.facts().size() >= 2 && p.facts().size() <= 4, p.toString());
            assertTrue(p.entities().size() >= 1 && p.entities().size() <= 2, p.toString());
            Set<String> perEntity = new HashSet<>();
            for (Fact f : p.facts()) {
                relations.add(f.relation());
                assertTrue(perEntity.add(f.entity() + "/" + f.relation()), "relation repeated: " + p);
                assertTrue(Facts.RELATIONS.contains(f.relation()), f.relation());
                assertTrue(p.text().contains(f.entity()) && p.text().contains(f.value()), p.toString());
                assertTrue(f.sentence().contains(f.entity()) && f.sentence().contains(f.value()), f.toString());
                assertTrue(f.question().contains(f.entity()) && f.question().endsWith(" A:"), f.toString());
                assertEquals(" " + f.value(), f.answer());
                assertFalse(f.question().contains(f.value()), f.toString());
                assertTrue(f.entity().matches("[A-Z][a-z]+"), f.entity());
            }
        }
        assertEquals(Set.copyOf(Facts.RELATIONS), relations);
        assertTrue(Facts.RELATIONS.size() >= 6);
    }

    @Test
    void entitiesNeverCollideAndSplitsAreDisjoint() {
        Splits s = Facts.splits(3, 400, 100, 100);
        assertEquals(400, s.train().size());
        assertEquals(100, s.heldout().size());
        assertEquals(100, s.eval().size());
        Set<String> entities = new HashSet<>();
        Set<String> invented = new HashSet<>();
        for (List<Passage> part : List.of(s.train(), s.heldout(), s.eval())) {
            for (Passage p : part) {
                for (String e : p.entities()) assertTrue(entities.add(e.toLowerCase()), "entity reused: " + e);
                for (Fact f : p.facts()) {
                    if (Set.of("capital", "founded-by", "river", "language", "currency").contains(f.relation())) {
                        assertTrue(invented.add(f.value().toLowerCase()), "invented value reused: " + f.value());
                    }
                }
            }
        }
        for (String v : invented) assertFalse(entities.contains(v), "value equals an entity: " + v);
    }

    @Test
    void answersAreShortInGpt2Tokens() {
        Gpt2Tokenizer tok = Gpt2Tokenizer.fromDirectory(Repo.root().resolve("weights/tokenizer"));
        int n = 0, long3 = 0, max = 0;
        for (Passage p : Facts.generate(5, 300)) {
            for (Fact f : p.facts()) {
                int len = tok.encode(f.answer()).length;
                n++;
                if (len > 3) long3++;
                max = Math.max(max, len);
            }
        }
        assertTrue(max <= 4, "longest answer has " + max + " tokens");
        assertTrue(long3 * 10 < n, long3 + " of " + n + " answers exceed 3 tokens");
    }
}
