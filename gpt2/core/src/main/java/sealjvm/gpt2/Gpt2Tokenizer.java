package sealjvm.gpt2;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level BPE tokenizer, producing exactly the ids of the npm package
 * {@code gpt-3-encoder@1.1.4} (the reference here; fixtures in {@code weights/fixtures/tokenizer}).
 *
 * <p>Pipeline: split the text with the pre-tokenization regex, UTF-8 encode each piece, map every
 * byte to a printable stand-in character (bytes_to_unicode), run BPE merges on that string by rank,
 * look the resulting pieces up in the vocabulary. Decoding reverses it. Instances are immutable
 * apart from a concurrent cache and are safe to share between threads.
 */
public final class Gpt2Tokenizer {

    public static final String EOT_TEXT = "<|endoftext|>";
    /** The id of {@link #EOT_TEXT} in GPT-2's vocabulary (its config.json's bos/eos_token_id). */
    public static final int GPT2_EOT_ID = 50256;

    // JavaScript's \s (WhiteSpace + LineTerminator), which the reference regex uses. It is not Java's
    // \s: it includes U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF,
    // and it excludes U+0085 and U+200B. Written out so the split matches the package exactly.
    private static final String JS_SPACE =
            "\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF";

    // The package's /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu.
    // Case-sensitive ("'S" is not a contraction). Both engines are leftmost-first backtracking and
    // work on code points (the u flag), so the same alternation gives the same pieces. \p{L} and
    // \p{N} are general categories in both; they differ only for characters newer than Java's
    // Unicode version (Java 25: Unicode 16; Node 20 with ICU 78: Unicode 17).
    private static final Pattern PRETOKENIZE = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" + JS_SPACE + "\\p{L}\\p{N}]+"
                    + "|[" + JS_SPACE + "]+(?![^" + JS_SPACE + "])|[" + JS_SPACE + "]+");

    private static final int CACHE_LIMIT = 1 << 18;

    /** byte (0..255) -> stand-in character, and back (index: character, value: byte or -1). */
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // bytes_to_unicode: printable Latin-1 bytes stand for themselves; the other 68 bytes are
        // given the code points 256, 257, ... in byte order, so no token contains whitespace.
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = (char) (printable ? b : next++);
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private final Map<String, Integer> vocab;      // token (stand-in characters) -> id
    private final byte[][] idToBytes;              // id -> the bytes it decodes to (null: no such id)
    private final Map<String, Integer> mergeRanks; // "first,second" -> rank (see bpe())
    private final int eotId;
    private final String vocabFile;                // for messages
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private Gpt2Tokenizer(Map<String, Integer> vocab, byte[][] idToBytes, Map<String, Integer> mergeRanks, int eotId, String vocabFile) {
        this.vocabFile = vocabFile;
        this.vocab = vocab;
        this.idToBytes = idToBytes;
        this.mergeRanks = mergeRanks;
        this.eotId = eotId;
    }

    /** Loads {@code vocab.json} and {@code merges.txt} from {@code dir}. */
    public static Gpt2Tokenizer fromDirectory(Path dir) {
        return fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"));
    }

    /**
     * Loads a GPT-2 style vocabulary (JSON object token -> id) and merge list ({@code #version} line,
     * then one "first second" pair per line, in rank order).
     *
     * @throws IllegalArgumentException if a file is missing or malformed (the message names it)
     * @throws IllegalArgumentException also if a file exists but cannot be read
     */
    public static Gpt2Tokenizer fromFiles(Path vocabJson, Path mergesTxt) {
        Map<String, Integer> vocab = new HashMap<>();
        int maxId = -1;
        try {
            JsonNode root = new ObjectMapper().readTree(read(vocabJson));
            if (root == null || !root.isObject()) throw invalid(vocabJson, "expected a JSON object token -> id");
            for (var e : root.properties()) {
                JsonNode v = e.getValue();
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0) {
                    throw invalid(vocabJson, "id of token " + quote(e.getKey()) + " is not a non-negative int: " + v);
                }
                vocab.put(e.getKey(), v.intValue());
                maxId = Math.max(maxId, v.intValue());
            }
        } catch (JacksonException e) {
            throw invalid(vocabJson, e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(vocabJson, "cannot be read: " + e.getMessage());
        }
        byte[][] idToBytes = new byte[maxId + 1][];
        for (var e : vocab.entrySet()) {
            String token = e.getKey();
            if (idToBytes[e.getValue()] != null) throw invalid(vocabJson, "id " + e.getValue() + " is used twice");
            byte[] bytes = new byte[token.length()];
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                if (b < 0) throw invalid(vocabJson, "token " + quote(token) + " is not byte-level BPE text");
                bytes[i] = (byte) b;
            }
            idToBytes[e.getValue()] = bytes;
        }
        Integer eot = vocab.get(EOT_TEXT);
        if (eot == null) throw invalid(vocabJson, "no " + EOT_TEXT + " token");
        for (int b = 0; b < 256; b++) {   // byte-level BPE can produce any single byte
            if (!vocab.containsKey(String.valueOf(BYTE_TO_CHAR[b]))) {
                throw invalid(vocabJson, String.format("no token for byte 0x%02X (%s); byte-level BPE needs all 256", b, quote(String.valueOf(BYTE_TO_CHAR[b]))));
            }
        }

        String mergesText;
        try {
            mergesText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(read(mergesTxt))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw invalid(mergesTxt, "not valid UTF-8 (" + e.getMessage() + ")");
        }
        String[] lines = mergesText.split("\n");
        if (lines.length == 0 || !lines[0].startsWith("#version")) {
            throw invalid(mergesTxt, "first line must be the '#version' header");
        }
        Map<String, Integer> ranks = new HashMap<>();
        int rank = 0;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            String[] pair = line.split("\\s+");
            if (pair.length != 2) throw invalid(mergesTxt, "line " + (i + 1) + " is not a 'first second' pair: " + quote(line));
            for (String sym : new String[] {pair[0], pair[1], pair[0] + pair[1]}) {
                if (!vocab.containsKey(sym)) {
                    throw invalid(mergesTxt, "line " + (i + 1) + " merges " + quote(line) + ", but " + quote(sym) + " is not a token of " + vocabJson);
                }
            }
            ranks.put(pair[0] + "," + pair[1], rank++); // a repeated pair keeps its last rank, as in JS
        }
        return new Gpt2Tokenizer(Map.copyOf(vocab), idToBytes, Map.copyOf(ranks), eot, vocabJson.toString());
    }

    /** One more than the largest id in vocab.json: a model's vocab_size must be at least this. */
    public int idLimit() { return idToBytes.length; }

    /** Number of tokens in the vocabulary (50257 for GPT-2). */
    public int vocabSize() { return vocab.size(); }

    /** The id of {@code <|endoftext|>} (50256 for GPT-2). */
    public int eotId() { return eotId; }

    /** Encodes like gpt-3-encoder: {@code <|endoftext|>} in the text is ordinary text. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    /**
     * Encodes {@code text}. With {@code allowSpecial}, every literal {@code <|endoftext|>} becomes
     * {@link #eotId()} and the text between occurrences is encoded on its own (as separate documents
     * are); without it, the marker is ordinary text (several tokens), as in gpt-3-encoder.
     */
    public int[] encode(String text, boolean allowSpecial) {
        IntBuffer out = new IntBuffer(Math.max(16, text.length() / 3));
        if (!allowSpecial) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        int from = 0;
        for (int at; (at = text.indexOf(EOT_TEXT, from)) >= 0; from = at + EOT_TEXT.length()) {
            encodeOrdinary(text.substring(from, at), out);
            out.add(eotId);
        }
        encodeOrdinary(text.substring(from), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntBuffer out) {
        // TextEncoder turns each unpaired surrogate into U+FFFD. Both fall in the same regex class
        // (neither space, letter nor number), so replacing them first leaves the split unchanged.
        Matcher m = PRETOKENIZE.matcher(replaceLoneSurrogates(text));
        while (m.find()) {
            byte[] utf8 = m.group().getBytes(StandardCharsets.UTF_8);
            char[] chars = new char[utf8.length];
            for (int i = 0; i < utf8.length; i++) chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
            out.addAll(bpe(new String(chars)));
        }
    }

    /**
     * BPE on one pre-token, following gpt-3-encoder's algorithm to the letter: repeatedly merge (all
     * non-overlapping occurrences, left to right) the adjacent pair of lowest rank. Two quirks are
     * kept on purpose. Ranks are keyed by the string "first,second" (a JS object keyed by an array),
     * so a pair such as ("\"," , "\"") finds the rank of the merge ("\"", ",\""); 11 such pairs exist
     * in GPT-2's files, and fuzzing found no text where it changes the result, but this way the
     * behaviour is identical by construction. Among pairs of equal rank the last one wins.
     */
    private int[] bpe(String token) {
        int[] cached = cache.get(token);
        if (cached != null) return cached;
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length(); i++) word.add(String.valueOf(token.charAt(i)));
        while (word.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer rank = mergeRanks.get(word.get(i) + "," + word.get(i + 1));
                if (rank != null && rank <= bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) break;
            String first = word.get(best), second = word.get(best + 1);
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); i++) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i++;
                } else {
                    merged.add(word.get(i));
                }
            }
            word = merged;
        }
        int[] ids = new int[word.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = vocab.get(word.get(i));
            if (id == null) throw new IllegalStateException("BPE produced " + quote(word.get(i)) + ", which is not a token of " + vocabFile);
            ids[i] = id;
        }
        if (cache.size() >= CACHE_LIMIT) cache.clear(); // bound memory on endless streams of new words
        cache.put(token, ids);
        return ids;
    }

    /**
     * Decodes ids to text: concatenates their bytes and decodes them as UTF-8, replacing invalid
     * sequences with U+FFFD exactly as the WHATWG TextDecoder (used by gpt-3-encoder) does. Unlike
     * that TextDecoder, a leading byte-order mark is kept, so {@code decode(encode(s)).equals(s)}
     * for every well-formed s. {@link #eotId()} decodes to {@code <|endoftext|>}.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary (gpt-3-encoder drops it)
     */
    public String decode(int[] ids) {
        int n = 0;
        for (int id : ids) {
            if (id < 0 || id >= idToBytes.length || idToBytes[id] == null) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + vocabSize() + ")");
            }
            n += idToBytes[id].length;
        }
        byte[] bytes = new byte[n];
        int pos = 0;
        for (int id : ids) {
            System.arraycopy(idToBytes[id], 0, bytes, pos, idToBytes[id].length);
            pos += idToBytes[id].length;
        }
        return decodeUtf8(bytes);
    }

    /** The WHATWG Encoding Standard's UTF-8 decoder, replacement mode (one U+FFFD per maximal subpart). */
    static String decodeUtf8(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        int needed = 0, seen = 0, codePoint = 0, lower = 0x80, upper = 0xBF;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            if (needed == 0) {
                if (b <= 0x7F) { sb.append((char) b); continue; }
                if (b >= 0xC2 && b <= 0xDF) { needed = 1; codePoint = b & 0x1F; }
                else if (b >= 0xE0 && b <= 0xEF) {
                    if (b == 0xE0) lower = 0xA0;
                    if (b == 0xED) upper = 0x9F; // no surrogates
                    needed = 2; codePoint = b & 0x0F;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    if (b == 0xF0) lower = 0x90;
                    if (b == 0xF4) upper = 0x8F; // nothing above U+10FFFF
                    needed = 3; codePoint = b & 0x07;
                } else sb.append('\uFFFD');
                continue;
            }
            if (b < lower || b > upper) { // sequence broken: emit U+FFFD, then look at this byte afresh
                needed = seen = codePoint = 0; lower = 0x80; upper = 0xBF;
                sb.append('\uFFFD');
                i--;
                continue;
            }
            lower = 0x80; upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (++seen == needed) {
                sb.appendCodePoint(codePoint);
                needed = seen = codePoint = 0;
            }
        }
        if (needed != 0) sb.append('\uFFFD'); // truncated sequence at the end
        return sb.toString();
    }

    private static String replaceLoneSurrogates(String s) {
        char[] chars = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) { i++; continue; }
            if (chars == null) chars = s.toCharArray();
            chars[i] = '\uFFFD';
        }
        return chars == null ? s : new String(chars);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("tokenizer file not found: " + file
                    + (Files.isSymbolicLink(file) ? " (a symbolic link that does not resolve)" : ""), e);
        } catch (IOException e) {
            throw invalid(file, "cannot be read: " + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage()));
        }
    }

    private static IllegalArgumentException invalid(Path file, String why) {
        return new IllegalArgumentException("invalid tokenizer file " + file + ": " + why);
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }

    /** A growable int array, to avoid boxing every id. */
    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) { data = new int[capacity]; }

        void add(int v) {
            if (size == data.length) data = Arrays.copyOf(data, size * 2);
            data[size++] = v;
        }

        void addAll(int[] vs) {
            if (size + vs.length > data.length) data = Arrays.copyOf(data, Math.max(size * 2, size + vs.length));
            System.arraycopy(vs, 0, data, size, vs.length);
            size += vs.length;
        }

        int[] toArray() { return Arrays.copyOf(data, size); }
    }
}
