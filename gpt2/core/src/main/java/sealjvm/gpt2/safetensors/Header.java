package sealjvm.gpt2.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses and fully validates a safetensors JSON header. Everything a later read relies on
 * (dtype, shape, offsets inside the data area, no overlaps) is checked here, so reads never
 * need to trust the file.
 */
final class Header {
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** Duplicate keys are ambiguous (which entry wins?), so they are an error, as is trailing junk. */
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** Sorted by name; unmodifiable views so callers can be handed them directly. */
    final Map<String, SafeTensors.Info> tensors;
    final Map<String, String> metadata;

    private final String file;
    private final Map<String, SafeTensors.Info> tensorMap = new TreeMap<>();
    private final Map<String, String> metadataMap = new TreeMap<>();

    private Header(String file) {
        this.file = file;
        this.tensors = Collections.unmodifiableMap(tensorMap);
        this.metadata = Collections.unmodifiableMap(metadataMap);
    }

    /** Parses {@code bytes} (the header) for a data area of {@code dataSize} bytes. */
    static Header parse(String file, byte[] bytes, long dataSize) {
        String text;
        try {
            // Strict decoding: the JDK's lenient default would silently turn bad bytes into U+FFFD.
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file + ": header is not valid UTF-8 (" + e.getMessage() + ")", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new SafeTensorsException(file + ": header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            String kind = root == null || root.isMissingNode() ? "empty" : "a JSON " + root.getNodeType().name().toLowerCase();
            throw new SafeTensorsException(file + ": header must be a JSON object, but it is " + kind);
        }
        Header h = new Header(file);
        for (var field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) h.parseMetadata(field.getValue());
            else h.tensorMap.put(field.getKey(), h.parseEntry(field.getKey(), field.getValue(), dataSize));
        }
        h.checkNoOverlap();
        h.checkCovered(dataSize);
        return h;
    }

    private void parseMetadata(JsonNode node) {
        if (!node.isObject()) throw fail(METADATA_KEY + " must be an object of strings, but it is " + describe(node));
        for (var e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fail(METADATA_KEY + " value for key '" + e.getKey() + "' must be a string, but it is " + describe(e.getValue()));
            }
            metadataMap.put(e.getKey(), e.getValue().textValue());
        }
    }

    private SafeTensors.Info parseEntry(String name, JsonNode entry, long dataSize) {
        String t = "tensor '" + name + "': ";
        if (!entry.isObject()) throw fail(t + "entry must be an object, but it is " + describe(entry));

        JsonNode dt = entry.get("dtype");
        if (dt == null || !dt.isTextual()) throw fail(t + "dtype must be a string, but it is " + describe(dt));
        DType dtype = DType.fromName(dt.textValue()).orElseThrow(() ->
                fail(t + "unknown dtype '" + dt.textValue() + "' (known: " + Arrays.toString(DType.values()) + ")"));

        JsonNode sh = entry.get("shape");
        if (sh == null || !sh.isArray()) throw fail(t + "shape must be an array, but it is " + describe(sh));
        int[] shape = new int[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = nonNegative(sh.get(i), Integer.MAX_VALUE);
            if (d < 0) throw fail(t + "shape must hold non-negative integers below 2^31, but it is " + describe(sh));
            shape[i] = (int) d;
        }

        JsonNode off = entry.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw fail(t + "data_offsets must be an array [begin, end], but it is " + describe(off));
        }
        long begin = nonNegative(off.get(0), Long.MAX_VALUE), end = nonNegative(off.get(1), Long.MAX_VALUE);
        if (begin < 0 || end < 0) throw fail(t + "data_offsets must be non-negative 64-bit integers, but they are " + describe(off));
        if (begin > end) throw fail(t + "data_offsets begin " + begin + " is after end " + end);
        if (end > dataSize) {
            throw fail(t + "data_offsets [" + begin + "," + end + ") run past the end of the data area (" + dataSize + " bytes)");
        }

        long expected;
        try {
            expected = Math.multiplyExact(SafeTensors.Info.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw fail(t + "shape " + Arrays.toString(shape) + " of " + dtype + " is too large (overflows 64 bits)");
        }
        if (expected != end - begin) {
            throw fail(t + "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + expected
                    + " bytes, but data_offsets [" + begin + "," + end + ") span " + (end - begin));
        }
        return new SafeTensors.Info(name, dtype, shape, begin, end);
    }

    /** Sorted by begin, each non-empty span must start at or after the end of the previous non-empty one. */
    private void checkNoOverlap() {
        List<SafeTensors.Info> spans = new ArrayList<>();
        for (var i : tensorMap.values()) if (i.end() > i.begin()) spans.add(i); // empty spans hold no bytes, so overlap nothing
        spans.sort(Comparator.comparingLong(SafeTensors.Info::begin));
        for (int k = 1; k < spans.size(); k++) {
            var a = spans.get(k - 1);
            var b = spans.get(k);
            if (b.begin() < a.end()) {
                throw fail("tensors '" + a.name() + "' and '" + b.name() + "' overlap (bytes [" + a.begin() + ","
                        + a.end() + ") and [" + b.begin() + "," + b.end() + "))");
            }
        }
    }

    /**
     * The safetensors spec: the data area is entirely indexed, without holes. Sorted by begin, each non-empty span
     * starts where the previous one ended, the first at 0, and the last ends at the end of the file.
     */
    private void checkCovered(long dataSize) {
        List<SafeTensors.Info> spans = new ArrayList<>();
        for (var i : tensorMap.values()) if (i.end() > i.begin()) spans.add(i);
        spans.sort(Comparator.comparingLong(SafeTensors.Info::begin));
        long at = 0;
        String prev = null;
        for (var s : spans) {
            if (s.begin() > at) {
                throw fail("bytes [" + at + "," + s.begin() + ") of the data area belong to no tensor ("
                        + (prev == null ? "before the first tensor '" + s.name() + "'" : "between tensors '" + prev + "' and '" + s.name() + "'")
                        + "); the safetensors format requires contiguous tensor data");
            }
            at = s.end();
            prev = s.name();
        }
        if (at < dataSize) {
            throw fail((dataSize - at) + " trailing byte(s) after " + (prev == null ? "the header (no tensor holds data)" : "the last tensor '" + prev + "'")
                    + " (data area of " + dataSize + " bytes, tensors cover " + at + "); the safetensors format requires contiguous tensor data");
        }
    }

    /** The value of an integral JSON number in [0, max], or -1 for anything else (negative, fractional, huge, not a number). */
    private static long nonNegative(JsonNode n, long max) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) return -1;
        long v = n.longValue();
        return v >= 0 && v <= max ? v : -1;
    }

    /** A short description of a JSON value for error messages; a hostile header may hold megabytes. */
    private static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) return "missing";
        String s = n.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private SafeTensorsException fail(String what) {
        return new SafeTensorsException(file + ": " + what);
    }
}
