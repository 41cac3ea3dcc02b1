package sealjvm.gpt2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.testsupport.Repo;

/** Checks Gpt2Tokenizer against fixtures written by gpt-3-encoder@1.1.4 (weights/scripts/tokenizer_fixtures.js). */
class Gpt2TokenizerTest {

    /** Loaded once; shared by the JUnit tests and the jqwik property (jqwik ignores @BeforeAll). */
    private static final class Shared {
        static final Gpt2Tokenizer TOKENIZER = Gpt2Tokenizer.fromDirectory(Repo.weights().resolve("tokenizer"));
    }

    private static Gpt2Tokenizer tok() { return Shared.TOKENIZER; }

    private static JsonNode fixture(String name) throws IOException {
        return new ObjectMapper().readTree(Repo.weights().resolve("fixtures/tokenizer").resolve(name).toFile());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).intValue();
        return out;
    }

    private static String show(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().forEach(cp -> sb.append(cp >= 0x20 && cp < 0x7F ? Character.toString(cp) : String.format("\\u{%x}", cp)));
        return sb.length() > 60 ? sb.substring(0, 60) + "..." : sb.toString();
    }

    @TestFactory
    Stream<DynamicTest> encodeMatchesGpt3Encoder() throws IOException {
        JsonNode cases = fixture("cases.json");
        assertTrue(cases.size() >= 60, "expected 60+ fixture cases, got " + cases.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            tests.add(DynamicTest.dynamicTest("encode " + show(text), () ->
                    assertArrayEquals(ints(c.get("ids")), tok().encode(text), () -> "text: " + show(text))));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> decodeRoundTripsFixtureTexts() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fixture("cases.json")) {
            String text = c.get("text").textValue();
            tests.add(DynamicTest.dynamicTest("round trip " + show(text), () -> {
                assertEquals(text, tok().decode(ints(c.get("ids"))));
                assertEquals(text, tok().decode(tok().encode(text)));
            }));
        }
        return tests.stream();
    }

    @Test
    void loneSurrogatesEncodeAsReplacementCharacter() throws IOException {
        for (JsonNode c : fixture("lossy_cases.json")) {
            String text = c.get("text").textValue();
            assertArrayEquals(ints(c.get("ids")), tok().encode(text), () -> "text: " + show(text));
            assertEquals(c.get("decoded").textValue(), tok().decode(tok().encode(text)));
        }
    }

    @Test
    void invalidUtf8DecodesLikeTextDecoder() throws IOException {
        JsonNode cases = fixture("decode_cases.json");
        assertTrue(cases.size() > 50);
        for (JsonNode c : cases) {
            assertEquals(c.get("text").textValue(), tok().decode(ints(c.get("ids"))), () -> "ids: " + c.get("ids"));
        }
    }

    @Test
    void sizes() {
        assertEquals(50257, tok().vocabSize());
        assertEquals(50256, tok().eotId());
    }

    @Test
    void allowSpecialMapsEndOfTextMarker() {
        Gpt2Tokenizer t = tok();
        int[] plain = t.encode("<|endoftext|>");
        assertTrue(plain.length > 1 && IntStream.of(plain).noneMatch(id -> id == 50256), "without allowSpecial the marker is text");
        assertArrayEquals(plain, t.encode("<|endoftext|>", false));
        assertArrayEquals(new int[] {50256}, t.encode("<|endoftext|>", true));
        assertArrayEquals(new int[] {50256, 50256}, t.encode("<|endoftext|><|endoftext|>", true));
        assertArrayEquals(new int[0], t.encode("", true));

        String text = "Hello world.<|endoftext|> Second doc<|endoftext|>";
        int[] expected = IntStream.concat(IntStream.concat(IntStream.of(t.encode("Hello world.")), IntStream.of(50256)),
                IntStream.concat(IntStream.of(t.encode(" Second doc")), IntStream.of(50256))).toArray();
        int[] ids = t.encode(text, true);
        assertArrayEquals(expected, ids);
        assertEquals(text, t.decode(ids));
        assertEquals("<|endoftext|>", t.decode(new int[] {50256}));
        assertArrayEquals(t.encode("<|endoftext"), t.encode("<|endoftext", true), "a partial marker is text");
    }

    @Test
    void decodeRejectsIdsOutsideVocabulary() {
        for (int bad : new int[] {50257, -1, Integer.MAX_VALUE}) {
            var e = assertThrows(IllegalArgumentException.class, () -> tok().decode(new int[] {15496, bad}));
            assertTrue(e.getMessage().contains(Integer.toString(bad)) && e.getMessage().contains("50257"), e.getMessage());
        }
        assertEquals("", tok().decode(new int[0]));
    }

    @Test
    void missingOrInvalidFilesAreNamed(@TempDir Path dir) throws IOException {
        Path tokDir = Repo.weights().resolve("tokenizer");
        Path missing = dir.resolve("nope.json");
        var e1 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(missing, tokDir.resolve("merges.txt")));
        assertTrue(e1.getMessage().contains(missing.toString()), e1.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromDirectory(dir));
        assertTrue(e2.getMessage().contains("vocab.json"), e2.getMessage());

        Path badJson = Files.writeString(dir.resolve("vocab.json"), "{\"a\": 1,");
        var e3 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(badJson, tokDir.resolve("merges.txt")));
        assertTrue(e3.getMessage().contains(badJson.toString()), e3.getMessage());
        Path notObject = Files.writeString(dir.resolve("array.json"), "[1, 2]");
        var e4 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(notObject, tokDir.resolve("merges.txt")));
        assertTrue(e4.getMessage().contains(notObject.toString()), e4.getMessage());

        Path noHeader = Files.writeString(dir.resolve("merges.txt"), "a b\n");
        var e5 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(tokDir.resolve("vocab.json"), noHeader));
        assertTrue(e5.getMessage().contains(noHeader.toString()), e5.getMessage());
        Path badLine = Files.writeString(dir.resolve("merges2.txt"), "#version: 0.2\na b\nc d e\n");
        var e6 = assertThrows(IllegalArgumentException.class, () -> Gpt2Tokenizer.fromFiles(tokDir.resolve("vocab.json"), badLine));
        assertTrue(e6.getMessage().contains(badLine.toString()) && e6.getMessage().contains("line 3"), e6.getMessage());
        var e7 = assertThrows(IllegalArgumentException.class,
                () -> Gpt2Tokenizer.fromFiles(tokDir.resolve("vocab.json"), dir.resolve("missing-merges.txt")));
        assertTrue(e7.getMessage().contains("missing-merges.txt"), e7.getMessage());
    }

    @Test
    void concurrentEncodingAgreesWithFixtures() throws Exception {
        JsonNode cases = fixture("cases.json");
        Gpt2Tokenizer fresh = Gpt2Tokenizer.fromDirectory(Repo.weights().resolve("tokenizer")); // empty cache
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int r = 0; r < 8; r++) {
                futures.add(pool.submit(() -> {
                    for (JsonNode c : cases) assertArrayEquals(ints(c.get("ids")), fresh.encode(c.get("text").textValue()));
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        }
    }

    @Test
    void encodesAMegabyteQuickly() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : fixture("cases.json")) sb.append(c.get("text").textValue()).append('\n');
        String chunk = sb.toString();
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 1_000_000; i++) big.append(chunk).append(i).append(' ');
        String text = big.toString();
        Gpt2Tokenizer fresh = Gpt2Tokenizer.fromDirectory(Repo.weights().resolve("tokenizer"));
        long t0 = System.nanoTime();
        int[] ids = fresh.encode(text);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("encoded %d chars into %d tokens in %d ms (cold cache)%n", text.length(), ids.length, ms);
        assertEquals(text, fresh.decode(ids));
        assertTrue(ms < 10_000, "encoding 1 MB took " + ms + " ms"); // generous: shared CI machines
    }

    @Property(tries = 500)
    void decodeInvertsEncode(@ForAll("texts") String text) {
        assertEquals(text, tok().decode(tok().encode(text)));
        assertEquals(text, tok().decode(tok().encode(text, true)));
    }

    @Provide
    Arbitrary<String> texts() {
        // Any Unicode scalar value (no lone surrogates: they cannot round-trip through UTF-8), mixed with
        // characters the regex treats specially, so contractions, spaces and digits meet random text.
        Arbitrary<Integer> anyScalar = Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<Integer> special = Arbitraries.of((int) ' ', (int) '\'', (int) 's', (int) 'l', (int) '\n', (int) '\t', 0xA0, 0x3000,
                0xFEFF, 0x2028, (int) '1', (int) ',', (int) '"', 0x1F600, 0x200D, 0x301);
        Arbitrary<Integer> bmp = Arbitraries.integers().between(0, 0xFFFF)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, anyScalar), net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(2, bmp),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0x20, 0x7E)));
        return cp.list().ofMaxSize(40).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }
}
