package sealjvm.gpt2.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.tensor.Tensor;

class SafeTensorsTest {
    @TempDir Path dir;

    // ---------- round trips ----------

    @Test
    void f32RoundTripIsExactAndKeepsMetadata() {
        try (Arena arena = Arena.ofConfined()) {
            float[] values = {0f, -0f, 1.5f, -3.25e-38f, Float.MIN_VALUE, Float.MAX_VALUE,
                    Float.NEGATIVE_INFINITY, Float.NaN, 1e-45f, 123456.789f, 0.1f, -7f};
            Map<String, Tensor> in = new LinkedHashMap<>();
            in.put("w", Tensor.of(arena, values, 3, 4));
            in.put("b", Tensor.of(arena, new float[] {1, 2}, 2));
            in.put("scalar", Tensor.of(arena, new float[] {42}));
            Path f = dir.resolve("m.safetensors");
            SafeTensorsWriter.write(f, in, Map.of("format", "pt", "note", "héllo"), DType.F32);

            try (SafeTensors st = SafeTensors.open(f)) {
                assertEquals(List.of("b", "scalar", "w"), new ArrayList<>(st.names()));
                assertEquals(Map.of("format", "pt", "note", "héllo"), st.metadata());
                assertTrue(st.contains("w"));
                assertFalse(st.contains("__metadata__"));
                SafeTensors.Info info = st.info("w").orElseThrow();
                assertEquals(DType.F32, info.dtype());
                assertArrayEquals(new int[] {3, 4}, info.shape());
                Tensor w = st.readF32("w", arena);
                assertEquals(0, w.segment().address() % Tensor.ALIGNMENT);
                assertArrayEquals(new int[] {3, 4}, w.shape());
                for (int i = 0; i < values.length; i++) {
                    assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(w.get(i)), "element " + i);
                }
                assertEquals(0, st.readF32("scalar", arena).rank());
                assertEquals(42f, st.readF32("scalar", arena).get(0));

                Tensor flat = Tensor.allocate(arena, 12); // readInto takes any shape with the same element count
                st.readInto("w", flat);
                assertArrayEquals(values, flat.toArray());
                var e = assertThrows(SafeTensorsException.class, () -> st.readInto("w", Tensor.allocate(arena, 11)));
                assertMessage(e, f, "'w'", "11");
            }
        }
    }

    @Test
    void halfPrecisionRoundTripsMatchScalarConversion() {
        Random rnd = new Random(1);
        float[] values = new float[40_000]; // more than one conversion chunk
        for (int i = 0; i < values.length; i++) values[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6));
        values[0] = Float.NaN;
        values[1] = Float.POSITIVE_INFINITY;
        values[2] = 1e30f; // overflows F16 to infinity
        values[3] = 1e-30f; // underflows F16 to zero
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> in = Map.of("h", Tensor.of(arena, values, 200, 200), "b", Tensor.of(arena, values, 40_000));
            Path f = dir.resolve("half.safetensors");
            SafeTensorsWriter.write(f, in, null, name -> name.equals("h") ? DType.F16 : DType.BF16);
            try (SafeTensors st = SafeTensors.open(f)) {
                assertEquals(Map.of(), st.metadata());
                assertEquals(DType.F16, st.info("h").orElseThrow().dtype());
                assertEquals(DType.BF16, st.info("b").orElseThrow().dtype());
                float[] h = st.readF32("h", arena).toArray(), b = st.readF32("b", arena).toArray();
                for (int i = 0; i < values.length; i++) {
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), h[i], "F16 element " + i);
                    assertEquals(DType.bf16ToFloat(DType.floatToBf16(values[i])), b[i], "BF16 element " + i);
                }
            }
        }
    }

    @Test
    void bf16RoundsToNearestEvenAndKeepsNaN() {
        assertEquals((short) 0x3F80, DType.floatToBf16(1f));
        assertEquals((short) 0x3F80, DType.floatToBf16(Float.intBitsToFloat(0x3F808000))); // tie, even stays
        assertEquals((short) 0x3F82, DType.floatToBf16(Float.intBitsToFloat(0x3F818000))); // tie, odd rounds up
        assertEquals((short) 0x3F81, DType.floatToBf16(Float.intBitsToFloat(0x3F808001))); // above tie
        assertEquals((short) 0xBF81, DType.floatToBf16(Float.intBitsToFloat(0xBF808001))); // sign kept
        assertEquals((short) 0x7F80, DType.floatToBf16(Float.MAX_VALUE)); // rounds to +inf
        assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(Float.intBitsToFloat(0x7F800001))))); // payload only in low bits
        assertTrue(Float.isNaN(DType.bf16ToFloat(DType.floatToBf16(Float.intBitsToFloat(0xFFFFFFFF)))));
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(0, 5).array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    @Property(tries = 150)
    void randomShapesRoundTrip(@ForAll("shapes") int[] shape, @ForAll DTypeChoice storage, @ForAll long seed)
            throws IOException {
        Path tmp = Files.createTempDirectory("st-prop"); // jqwik tries do not get @TempDir
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(seed);
            Tensor t = Tensor.allocate(arena, shape);
            for (long i = 0; i < t.size(); i++) t.set(i, (float) rnd.nextGaussian() * 100);
            Tensor other = Tensor.of(arena, new float[] {rnd.nextFloat()}, 1);
            Path f = tmp.resolve("p.safetensors");
            SafeTensorsWriter.write(f, Map.of("t", t, "u", other), Map.of(), storage.dtype);
            try (SafeTensors st = SafeTensors.open(f)) {
                Tensor back = st.readF32("t", arena);
                assertArrayEquals(shape, back.shape());
                for (long i = 0; i < t.size(); i++) assertEquals(storage.round(t.get(i)), back.get(i));
                assertEquals(storage.round(other.get(0)), st.readF32("u", arena).get(0));
            }
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(tmp);
        }
    }

    enum DTypeChoice {
        F32(DType.F32), F16(DType.F16), BF16(DType.BF16);
        final DType dtype;
        DTypeChoice(DType d) { dtype = d; }

        float round(float x) {
            return switch (dtype) {
                case F16 -> Float.float16ToFloat(Float.floatToFloat16(x));
                case BF16 -> DType.bf16ToFloat(DType.floatToBf16(x));
                default -> x;
            };
        }
    }

    @Test
    void writerOutputMatchesAnIndependentHandParse() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path f = dir.resolve("hand.safetensors");
            SafeTensorsWriter.write(f, Map.of("z", Tensor.of(arena, new float[] {1, 2, 3}, 3),
                    "a", Tensor.of(arena, new float[] {-1, 0.5f}, 1, 2)), Map.of("k", "v"), DType.F32);
            byte[] bytes = Files.readAllBytes(f);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long n = bb.getLong(0);
            assertEquals(0, n % 8, "header padded to a multiple of 8");
            String text = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(text.startsWith("{"));
            assertEquals(text.strip(), text.substring(0, text.stripTrailing().length()));
            JsonNode root = new ObjectMapper().readTree(text);
            List<String> keys = new ArrayList<>();
            root.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("__metadata__", "a", "z"), keys);
            assertEquals("v", root.get("__metadata__").get("k").asText());
            assertEquals("F32", root.get("a").get("dtype").asText());
            assertEquals("[1,2]", root.get("a").get("shape").toString());
            assertEquals("[0,8]", root.get("a").get("data_offsets").toString());
            assertEquals("[8,20]", root.get("z").get("data_offsets").toString());
            assertEquals(8 + n + 20, bytes.length);
            int data = (int) (8 + n);
            assertEquals(-1f, bb.getFloat(data));
            assertEquals(0.5f, bb.getFloat(data + 4));
            assertEquals(3f, bb.getFloat(data + 16));
        }
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTempFiles() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            Path f = dir.resolve("x.safetensors");
            Files.writeString(f, "old junk");
            SafeTensorsWriter.write(f, Map.of("a", Tensor.of(arena, new float[] {7}, 1)), null, DType.BF16);
            try (SafeTensors st = SafeTensors.open(f)) {
                assertEquals(7f, st.readF32("a", arena).get(0));
            }
            try (var files = Files.list(dir)) {
                assertEquals(List.of(f), files.toList());
            }
            assertThrows(IllegalArgumentException.class,
                    () -> SafeTensorsWriter.write(f, Map.of(), null, DType.I64));
        }
    }

    // ---------- malformed files ----------

    @Test
    void tooShortFile() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[5]);
        assertMessage(open(f), f, "5 bytes");
        Files.write(f, new byte[0]);
        assertMessage(open(f), f, "0 bytes");
    }

    @Test
    void dataCutShort() throws IOException {
        Path f = dir.resolve("cut.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(f, Map.of("a", Tensor.of(arena, new float[] {1, 2, 3, 4}, 4)), null, DType.F32);
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() - 3);
        }
        assertMessage(open(f), f, "tensor 'a'", "[0,16)", "past the end of the data area (13 bytes)");
    }

    @Test
    void headerLengthPastEnd() throws IOException {
        Path f = dir.resolve("past.safetensors");
        byte[] bytes = new byte[1234];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(9_999_999);
        Files.write(f, bytes);
        assertMessage(open(f), f, "header length 9999999 runs past the end of the file (1234 bytes)");
    }

    @Test
    void headerLengthOverLimit() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(200_000_100L); // sparse: the file really is big enough to hold the claimed header
            raf.write(le(150_000_000L));
        }
        assertMessage(open(f), f, "header length 150000000 exceeds the limit of 100000000 bytes");
        Files.write(f, le(-1L)); // u64 max, must not be read as a negative length
        assertMessage(open(f), f, "18446744073709551615", "exceeds");
    }

    @Test
    void notJson() throws IOException {
        assertMessage(openHeader("{\"a\": {\"dtype\": \"F32\", "), "not valid JSON");
        assertMessage(openHeader("hello"), "not valid JSON");
        assertMessage(openHeader("{} {}"), "not valid JSON");
        assertMessage(openHeader(""), "must be a JSON object", "empty");
        assertMessage(openHeader("{\"a\":{},\"a\":{}}"), "not valid JSON", "Duplicate");
        // Deep nesting must hit the parser's depth limit, not overflow the stack.
        assertMessage(openHeader("{\"a\":" + "[".repeat(200_000)), "not valid JSON");
    }

    @Test
    void notUtf8() throws IOException {
        Path f = dir.resolve("latin1.safetensors");
        byte[] header = "{\"\u00e9\":1}".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(f, concat(le(header.length), header));
        assertMessage(open(f), f, "not valid UTF-8");
    }

    @Test
    void headerIsArray() throws IOException {
        assertMessage(openHeader("[1, 2, 3]"), "must be a JSON object", "array");
    }

    @Test
    void missingDataOffsets() throws IOException {
        assertMessage(openHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'a'", "data_offsets", "missing");
        assertMessage(openHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4), "tensor 'a'", "data_offsets");
        assertMessage(openHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4), "tensor 'a'", "non-negative");
        assertMessage(openHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "tensor 'a'", "after end");
        assertMessage(openHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}", 4),
                "tensor 'a'", "data_offsets");
        assertMessage(openHeader("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'a'", "dtype");
        assertMessage(openHeader("{\"a\":[]}", 4), "tensor 'a'", "must be an object");
    }

    @Test
    void badShapes() throws IOException {
        assertMessage(openHeader(entry("a", "F32", "[-1,2]", 0, 8), 8), "tensor 'a'", "non-negative");
        assertMessage(openHeader(entry("a", "F32", "[1.5]", 0, 8), 8), "tensor 'a'", "shape");
        assertMessage(openHeader(entry("a", "F32", "[4294967296]", 0, 8), 8), "tensor 'a'", "shape");
        assertMessage(openHeader(entry("a", "F32", "\"2x2\"", 0, 8), 8), "tensor 'a'", "shape must be an array");
        // The element count overflows a long: must be caught, not wrap around to a "valid" size.
        String big = "[2147483647,2147483647,2147483647,2147483647]";
        assertMessage(openHeader(entry("a", "F32", big, 0, 8), 8), "tensor 'a'", "too large");
    }

    @Test
    void shapeDoesNotMatchSpan() throws IOException {
        assertMessage(openHeader(entry("a", "F32", "[2,3]", 0, 16), 16),
                "tensor 'a'", "shape [2, 3] of F32 needs 24 bytes", "span 16");
    }

    @Test
    void spanPastDataEnd() throws IOException {
        assertMessage(openHeader(entry("a", "F32", "[4]", 0, 16), 8),
                "tensor 'a'", "[0,16)", "past the end of the data area (8 bytes)");
    }

    @Test
    void overlappingSpans() throws IOException {
        String h = "{" + entry("b", "F32", "[4]", 8, 24).substring(1, entry("b", "F32", "[4]", 8, 24).length() - 1) + ","
                + entry("a", "F32", "[4]", 0, 16).substring(1);
        assertMessage(openHeader(h, 24), "tensors 'a' and 'b' overlap (bytes [0,16) and [8,24))");
        // Empty tensors occupy no bytes and may sit anywhere, even inside another tensor's span.
        String ok = "{\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + entry("a", "F32", "[4]", 0, 16).substring(1);
        try (SafeTensors st = SafeTensors.open(writeRaw("ok.safetensors", ok, 16)); Arena arena = Arena.ofConfined()) {
            assertEquals(0, st.readF32("e", arena).size());
        }
    }

    @Test
    void unknownDtype() throws IOException {
        assertMessage(openHeader(entry("a", "Q4_K", "[4]", 0, 4), 4), "tensor 'a'", "unknown dtype 'Q4_K'");
        assertMessage(openHeader(entry("a", "f32", "[1]", 0, 4), 4), "tensor 'a'", "unknown dtype 'f32'");
    }

    @Test
    void badMetadata() throws IOException {
        assertMessage(openHeader("{\"__metadata__\":{\"k\":1}}"), "__metadata__", "'k'", "string");
        assertMessage(openHeader("{\"__metadata__\":[]}"), "__metadata__", "object");
    }

    @Test
    void readingIntegersAsFloatAndMissingTensors() throws IOException {
        Path f = writeRaw("model.safetensors", entry("h.0.attn.c_attn.weight", "I64", "[2]", 0, 16), 16);
        try (SafeTensors st = SafeTensors.open(f); Arena arena = Arena.ofConfined()) {
            assertEquals(16, st.bytes("h.0.attn.c_attn.weight").byteSize()); // raw access still works
            var e = assertThrows(SafeTensorsException.class, () -> st.readF32("h.0.attn.c_attn.weight", arena));
            assertEquals(f + ": tensor 'h.0.attn.c_attn.weight': dtype I64 cannot be read as float"
                    + " (supported: F32, F16, BF16)", e.getMessage());
            e = assertThrows(SafeTensorsException.class, () -> st.readF32("x", arena));
            assertEquals(f + ": missing tensor 'x'", e.getMessage());
            assertTrue(st.info("x").isEmpty());
        }
        SafeTensors closed = SafeTensors.open(f);
        closed.close();
        closed.close(); // idempotent
        assertMessage(assertThrows(SafeTensorsException.class, () -> closed.bytes("h.0.attn.c_attn.weight")), f, "closed");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("nope.safetensors");
        assertMessage(open(f), f, "cannot read");
    }

    @Test
    void randomGarbageNeverCrashes() throws IOException {
        // Fuzz: flip bytes of a valid file; every outcome must be a clean open or a SafeTensorsException.
        Path good = dir.resolve("good.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(good, Map.of("a", Tensor.of(arena, new float[] {1, 2}, 2),
                    "b", Tensor.of(arena, new float[] {3}, 1)), Map.of("m", "n"), DType.F16);
        }
        byte[] orig = Files.readAllBytes(good);
        Random rnd = new Random(7);
        Path f = dir.resolve("fuzz.safetensors");
        for (int i = 0; i < 500; i++) {
            byte[] b = rnd.nextInt(4) == 0 ? Arrays.copyOf(orig, rnd.nextInt(orig.length)) : orig.clone();
            for (int k = rnd.nextInt(4); k >= 0 && b.length > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            Files.write(f, b);
            try (SafeTensors st = SafeTensors.open(f); Arena arena = Arena.ofConfined()) {
                for (String name : st.names()) {
                    if (st.info(name).orElseThrow().dtype().isFloatReadable()) st.readF32(name, arena);
                }
            } catch (SafeTensorsException e) {
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
    }

    // ---------- helpers ----------

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "{\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}}";
    }

    private Path writeRaw(String fileName, String header, int dataBytes) throws IOException {
        Path f = dir.resolve(fileName);
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Files.write(f, concat(concat(le(h.length), h), new byte[dataBytes]));
        return f;
    }

    private SafeTensorsException openHeader(String header) throws IOException {
        return openHeader(header, 0);
    }

    /** Writes {@code header} plus {@code dataBytes} zero bytes, opens it, and returns the failure (naming the file). */
    private SafeTensorsException openHeader(String header, int dataBytes) throws IOException {
        Path f = writeRaw("bad.safetensors", header, dataBytes);
        SafeTensorsException e = open(f);
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        return e;
    }

    private static SafeTensorsException open(Path f) {
        return assertThrows(SafeTensorsException.class, () -> SafeTensors.open(f).close());
    }

    private static void assertMessage(SafeTensorsException e, Path file, String... parts) {
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertMessage(e, parts);
    }

    private static void assertMessage(SafeTensorsException e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected '" + p + "' in: " + e.getMessage());
    }

    private static byte[] le(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
