package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.testsupport.Repo;

class GeneralTextTest {
    static String words(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    @Test
    void committedFileChunksCoverTheText() throws IOException {
        Path f = GeneralText.defaultFile(Repo.root());
        long size = Files.size(f);
        assertTrue(size >= 6_000 && size <= 10_500, "general.txt is " + size + " bytes");
        for (int max : new int[] {200, 512, 2000}) {
            List<String> chunks = GeneralText.chunks(f, max);
            assertEquals(chunks, GeneralText.chunks(f, max));
            for (String c : chunks) {
                assertFalse(c.isBlank());
                assertTrue(c.length() <= max, c.length() + " > " + max);
            }
            assertEquals(words(Files.readString(f)), words(String.join(" ", chunks)));
        }
        assertTrue(GeneralText.chunks(f, 512).size() >= 12);
    }

    @Test
    void longParagraphsSplitAtSentencesThenWords(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "One two three. Four five six.\n\n\nSeven eight nine ten eleven twelve.\n");
        assertEquals(List.of("One two three.", "Four five six.", "Seven eight", "nine ten", "eleven twelve."),
                GeneralText.chunks(f, 14));
        assertEquals(List.of("One two three. Four five six.\n\nSeven eight nine ten eleven twelve."),
                GeneralText.chunks(f, 1000));
    }
}
