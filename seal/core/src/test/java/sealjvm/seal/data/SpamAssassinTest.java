package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.data.SpamAssassin.Message;
import sealjvm.seal.data.SpamAssassin.Split;
import sealjvm.testsupport.Repo;

class SpamAssassinTest {
    static Path home;
    static List<Message> sample;

    @BeforeAll
    static void load() {
        home = Repo.root();
        sample = SpamAssassin.loadSample(SpamAssassin.defaultSample(home));
    }

    @Test
    void sampleIsBalancedModelReadyAndSmall() throws IOException {
        assertTrue(Files.size(SpamAssassin.defaultSample(home)) <= 150_000);
        assertEquals(240, sample.size());
        assertEquals(120, sample.stream().filter(Message::spam).count());
        Set<String> ids = new HashSet<>();
        for (Message m : sample) {
            assertTrue(ids.add(m.id()), "duplicate id " + m.id());
            assertEquals(m.group().startsWith("spam"), m.spam());
            assertTrue(SpamAssassin.GROUPS.contains(m.group()), m.group());
            assertTrue(m.text().startsWith("Subject: "), m.text());
            assertTrue(m.text().contains("\n\n"), m.text());
            assertTrue(m.text().length() <= SpamAssassin.DEFAULT_MAX_CHARS, m.text());
            assertFalse(m.text().contains("  "), m.text());
        }
    }

    @Test
    void splitIsDeterministicDisjointStratified() {
        Split a = Split.of(sample, 42), b = Split.of(sample, 42), c = Split.of(sample, 43);
        assertEquals(a, b);
        assertNotEquals(a.train(), c.train());
        assertEquals(144, a.train().size());
        assertEquals(48, a.heldout().size());
        assertEquals(48, a.eval().size());
        assertEquals(72, a.train().stream().filter(Message::spam).count());
        assertEquals(24, a.heldout().stream().filter(Message::spam).count());
        assertEquals(24, a.eval().stream().filter(Message::spam).count());
        Set<String> seen = new HashSet<>();
        for (List<Message> part : List.of(a.train(), a.heldout(), a.eval())) {
            for (Message m : part) assertTrue(seen.add(m.id()), "in two splits: " + m.id());
        }
        assertEquals(sample.size(), seen.size());
        // The assignment does not depend on the input order.
        List<Message> reversed = new java.util.ArrayList<>(sample);
        java.util.Collections.reverse(reversed);
        assertEquals(a, Split.of(reversed, 42));
        // Classes interleave (not all ham first).
        assertTrue(a.eval().subList(0, 10).stream().anyMatch(Message::spam));
        assertTrue(a.eval().subList(0, 10).stream().anyMatch(m -> !m.spam()));
    }

    @Test
    void modelTextDropsHeadersDecodesAndTruncates() {
        String raw = "From someone  Thu Aug 22 2002\nReturn-Path: <x@y>\nSubject: =?iso-8859-1?Q?Caf=E9_deals?=\n"
                + " today\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "Hello   there,=\n friend.\n> quoted line\n\n\nSave =3D money =E9.\n";
        assertEquals("Subject: Café deals today\n\nHello there, friend. Save = money é.", SpamAssassin.modelText(raw, 400));
        String t = SpamAssassin.modelText(raw, 30);
        assertTrue(t.length() <= 30, t);
        assertTrue(t.startsWith("Subject: Café deals today"), t);
    }

    @Test
    void modelTextPrefersPlainPartAndStripsHtml() {
        String multi = "Subject: hi\nContent-Type: multipart/alternative; boundary=\"XX\"\n\npreamble\n--XX\n"
                + "Content-Type: text/html\n\n<html><body><p>HTML&nbsp;version</p></body></html>\n--XX\n"
                + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                + java.util.Base64.getEncoder().encodeToString("Plain version ✓".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\n--XX--\nepilogue\n";
        assertEquals("Subject: hi\n\nPlain version ✓", SpamAssassin.modelText(multi, 0));
        String html = "Subject: Win!\nContent-Type: text/html\n\n<HTML><HEAD><TITLE>t</TITLE><style>p{}</style></HEAD>"
                + "<!-- c --><BODY><p>Click <a href=\"x\">HERE</a> &amp; win&#33;</p><br>-----------</BODY></HTML>";
        assertEquals("Subject: Win!\n\nClick HERE & win! ---", SpamAssassin.modelText(html, 0));
    }

    @Test
    void loadsAnExtractedPackage(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("package/data");
        for (String g : SpamAssassin.GROUPS) Files.createDirectories(data.resolve(g));
        Files.writeString(data.resolve("spam-1/00001.abc.json"),
                "{\"id\":\"00001\",\"group\":\"spam-1\",\"checksum\":{\"type\":\"MD5\",\"value\":\"abc\"},"
                        + "\"text\":\"Subject: buy\\n\\nBuy now\\n\"}");
        Files.writeString(data.resolve("spam-1/00001.abc.txt"), "ignored");
        Files.writeString(data.resolve("easy-ham-1/00001.def.json"),
                "{\"id\":\"00001\",\"group\":\"easy-ham-1\",\"checksum\":{\"type\":\"MD5\",\"value\":\"def\"},"
                        + "\"text\":\"Subject: lunch\\n\\nSee you at noon\\n\"}");
        List<Message> ms = SpamAssassin.load(tmp);
        assertEquals(List.of(new Message("00001.def", "easy-ham-1", false, "Subject: lunch\n\nSee you at noon"),
                new Message("00001.abc", "spam-1", true, "Subject: buy\n\nBuy now")), ms);
        Path jsonl = tmp.resolve("s.jsonl");
        SpamAssassin.writeJsonl(ms, jsonl);
        assertEquals(ms, SpamAssassin.loadSample(jsonl));
    }
}
