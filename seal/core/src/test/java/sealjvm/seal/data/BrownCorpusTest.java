package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.testsupport.Repo;

/** Parsing, the split and the token cache, on the committed sample (weights/fixtures/brown). */
class BrownCorpusTest {
    static final Path SAMPLE = BrownCorpus.defaultSample(Repo.root());
    static final Gpt2Tokenizer TOKENIZER = Gpt2Tokenizer.fromDirectory(Repo.root().resolve("weights/tokenizer"));

    @Test
    void sampleParsesToReadableParagraphs() {
        BrownCorpus c = BrownCorpus.load(SAMPLE);
        assertEquals(List.of("ca01", "cj01", "cp01"), c.documents().stream().map(BrownCorpus.Document::name).toList());
        String ca01 = c.documents().getFirst().text();
        assertTrue(ca01.startsWith("""
                The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election \
                produced "no evidence" that any irregularities took place.

                The jury further said in term-end presentments that the City Executive Committee, which had over-all \
                charge of the election, "deserves the praise and thanks of the City of Atlanta" for the manner in \
                which the election was conducted.

                """), ca01);
        // Headlines are paragraphs of their own; sentences of one paragraph are joined by a space.
        assertTrue(ca01.contains("""
                "are well operated and follow generally accepted practices which inure to the best interest of both governments".

                Merger proposed

                However, the jury said"""), ca01);
        assertTrue(ca01.contains("personnel policies\". It urged that the city \"take steps to remedy\" this problem."), ca01);
        assertTrue(ca01.contains("won by Mayor-nominate Ivan Allen Jr.\n\n"), ca01); // "Jr. ." is one period
        String cj01 = c.documents().get(1).text();
        assertTrue(cj01.startsWith("1.\n\nIntroduction\n\nIt has recently become practical"), cj01);
        assertTrue(cj01.contains("by Dicke and Beringer (1946). This was followed"), cj01);
        assertTrue(cj01.contains("in a roughly sinusoidal fashion; that the amplitude"), cj01); // ";/. ;/." is one ';'
        for (var d : c.documents()) {
            assertFalse(d.text().matches("(?s).*(/[a-z$*+-]|``|''| [,.;:!?)]|[(] ).*"), d.name() + ": " + d.text());
            assertFalse(d.text().contains("\n\n\n") || d.text().startsWith("\n") || d.text().endsWith("\n"), d.name());
        }
    }

    @Test
    void tagsAreAfterTheLastSlash() {
        assertEquals("The", BrownCorpus.stripTag("The/at"));
        assertEquals("1/2", BrownCorpus.stripTag("1/2/cd"));
        assertEquals("/", BrownCorpus.stripTag("//in"));
        assertEquals("Atlanta's", BrownCorpus.stripTag("Atlanta's/np$"));
        assertEquals("word", BrownCorpus.stripTag("word"));
    }

    @Test
    void detokenizeAttachesPunctuationAndQuotes() {
        assertEquals("He said, \"Hi (there)!\" and 'Met' won; ok?",
                BrownCorpus.detokenize(List.of("He", "said", ",", "``", "Hi", "(", "there", ")", "!", "''",
                        "and", "'", "Met", "'", "won", ";", ";", "ok", "?", "?")));
        assertEquals("Wait... no. Mr. Smith.", BrownCorpus.detokenize(List.of("Wait", ".", ".", ".", "no", ".", "Mr.", "Smith", ".")));
        assertEquals("The Fulton County", BrownCorpus.parseFile("\n\n\tThe/at Fulton/np-tl County/nn-tl\n\n"));
        assertEquals("A b. C d.\n\nNews here\n\nE f.",
                BrownCorpus.parseFile("\tA/at b/nn ./.\nC/at d/nn ./.\n\n\n\tNews/nn-hl here/rb-hl\nE/at f/nn ./.\n"));
    }

    @Test
    void splitIsByFileNameDeterministicAndDisjoint() {
        BrownCorpus a = BrownCorpus.load(SAMPLE), b = BrownCorpus.load(SAMPLE);
        assertEquals(a.train(), b.train());
        assertEquals(a.heldout(), b.heldout());
        assertEquals(List.of("ca01", "cj01"), a.train().stream().map(BrownCorpus.Document::name).toList());
        assertEquals(List.of("cp01"), a.heldout().stream().map(BrownCorpus.Document::name).toList());
        List<BrownCorpus.Document> union = new ArrayList<>(a.train());
        union.addAll(a.heldout());
        assertEquals(a.documents().size(), union.size());
        assertTrue(union.containsAll(a.documents()));
        // The full corpus's held-out files (29 of 500): SHA-256 of the name below 5% of the hash range.
        List<String> heldout = List.of("ca14", "ce15", "cf15", "cf17", "cf23", "cf25", "cg23", "cg32", "cg40", "cg55",
                "cg63", "cg67", "cg73", "ch24", "cj04", "cj37", "cj61", "cj71", "ck02", "ck28", "cl09", "cm06", "cn13",
                "cn15", "cn22", "cn28", "cp01", "cp04", "cp09");
        for (String n : heldout) assertTrue(BrownCorpus.isHeldout(n), n);
        for (String n : List.of("ca01", "ca13", "ca15", "cj01", "cr09")) assertFalse(BrownCorpus.isHeldout(n), n);
    }

    @Test
    void tokensAreDocumentsEachEndedByEndOfText(@TempDir Path tmp) throws IOException {
        BrownCorpus c = BrownCorpus.load(SAMPLE);
        int[] train = c.tokens(BrownCorpus.Split.TRAIN, TOKENIZER);
        int[] ca01 = TOKENIZER.encode(c.train().get(0).text()), cj01 = TOKENIZER.encode(c.train().get(1).text());
        assertEquals(ca01.length + cj01.length + 2, train.length);
        assertEquals(50256, train[ca01.length]);
        assertEquals(50256, train[train.length - 1]);
        assertEquals(2, java.util.Arrays.stream(train).filter(t -> t == 50256).count());
        assertArrayEquals(java.util.Arrays.copyOf(ca01, ca01.length), java.util.Arrays.copyOf(train, ca01.length));

        // With a cache directory: written once, then read back; a changed corpus does not read stale tokens.
        Path raw = Files.createDirectories(tmp.resolve("raw")), cache = tmp.resolve("cache");
        try (Stream<Path> s = Files.list(SAMPLE)) {
            for (Path p : s.toList()) Files.copy(p, raw.resolve(p.getFileName()));
        }
        int[] first = BrownCorpus.load(raw, cache).tokens(BrownCorpus.Split.TRAIN, TOKENIZER);
        assertArrayEquals(train, first);
        Path file = cache.resolve("brown-train.tokens");
        assertEquals(8 + 32 + 4 + 4L * train.length, Files.size(file));
        assertArrayEquals(train, BrownCorpus.load(raw, cache).tokens(BrownCorpus.Split.TRAIN, TOKENIZER));
        Files.writeString(raw.resolve("ca01"), "\tA/at new/jj text/nn ./.\n");
        int[] changed = BrownCorpus.load(raw, cache).tokens(BrownCorpus.Split.TRAIN, TOKENIZER);
        assertArrayEquals(TOKENIZER.encode("A new text."), java.util.Arrays.copyOf(changed, 4));
        assertEquals(4 + 1 + cj01.length + 1, changed.length);
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of("brown-train.tokens"), s.map(p -> p.getFileName().toString()).toList()); // no temp files left
        }
    }

    @Test
    void missingDirectoryIsAClearError(@TempDir Path tmp) {
        var e = assertThrows(IllegalArgumentException.class, () -> BrownCorpus.load(tmp));
        assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
    }
}
