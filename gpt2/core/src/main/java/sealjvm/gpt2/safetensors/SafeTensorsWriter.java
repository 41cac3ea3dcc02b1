package sealjvm.gpt2.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import sealjvm.tensor.AtomicFiles;
import sealjvm.tensor.Tensor;

/**
 * Writes safetensors files atomically: the bytes go to a temporary file in the target's directory,
 * are fsync'ed, and the temporary file is renamed over the target. A crash mid-write (or a full
 * disk) leaves either the old file or the new one, never a torn checkpoint.
 *
 * <p>Layout: names sorted, {@code __metadata__} first, tensors packed back to back in name order,
 * header padded with spaces to a multiple of 8 so the data area starts 8-byte aligned.
 */
public final class SafeTensorsWriter {
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK = 64 * 1024; // elements per write

    private SafeTensorsWriter() {}

    /** Writes every tensor stored as {@code storage} (F32, F16 or BF16); {@code metadata} may be null. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, DType storage) {
        requireFloat(storage, "storage");
        write(file, tensors, metadata, name -> storage);
    }

    /** Like {@link #write(Path, Map, Map, DType)} with a storage dtype chosen per tensor name. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                             Function<? super String, DType> storageOf) {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        Map<String, DType> dtypes = new TreeMap<>();
        byte[] header = header(sorted, metadata, storageOf, dtypes);

        writeAtomically(file, ch -> {
            writeHeader(ch, header);
            for (var e : sorted.entrySet()) writeData(ch, e.getValue(), dtypes.get(e.getKey()));
        });
    }

    /**
     * Writes 1-D float64 arrays exactly (checkpoints of optimizer and policy state, where a float32
     * round trip would break bit-exact resume). Atomic like {@link #write(Path, Map, Map, DType)}.
     */
    public static void writeF64(Path file, Map<String, double[]> arrays, Map<String, String> metadata) {
        Map<String, double[]> sorted = new TreeMap<>(arrays);
        ObjectNode root = headerRoot(metadata);
        long offset = 0;
        for (var e : sorted.entrySet()) {
            if (e.getKey().equals(Header.METADATA_KEY)) throw new IllegalArgumentException("a tensor cannot be named " + e.getKey());
            long bytes = 8L * e.getValue().length;
            ObjectNode entry = root.putObject(e.getKey());
            entry.put("dtype", DType.F64.safetensorsName());
            entry.putArray("shape").add(e.getValue().length);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] header = pad(root);
        writeAtomically(file, ch -> {
            writeHeader(ch, header);
            for (double[] a : sorted.values()) {
                ByteBuffer buf = ByteBuffer.allocate(8 * a.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.asDoubleBuffer().put(a);
                writeFully(ch, buf);
            }
        });
    }

    private interface Body { void write(FileChannel ch) throws IOException; }

    // The header object with its __metadata__ entry (sorted), when there is metadata.
    private static ObjectNode headerRoot(Map<String, String> metadata) {
        ObjectNode root = Header.JSON.createObjectNode();
        if (metadata != null) {
            ObjectNode meta = root.putObject(Header.METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        return root;
    }

    // u64 little-endian header length, then the padded JSON header
    private static void writeHeader(FileChannel ch, byte[] header) throws IOException {
        writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
        writeFully(ch, ByteBuffer.wrap(header));
    }

    /** {@link AtomicFiles#write}: temp file in the target's directory, fsync, atomic rename, directory fsync. */
    private static void writeAtomically(Path file, Body body) {
        try {
            AtomicFiles.write(file, body::write);
        } catch (IOException e) {
            throw new SafeTensorsException(file + ": cannot write file: " + e, e);
        }
    }

    /** The padded JSON header; fills {@code dtypes} with the storage dtype chosen for each tensor. */
    private static byte[] header(Map<String, Tensor> sorted, Map<String, String> metadata,
                                 Function<? super String, DType> storageOf, Map<String, DType> dtypes) {
        ObjectNode root = headerRoot(metadata);
        long offset = 0;
        for (var e : sorted.entrySet()) {
            String name = e.getKey();
            if (name.equals(Header.METADATA_KEY)) throw new IllegalArgumentException("a tensor cannot be named " + name);
            DType dtype = requireFloat(storageOf.apply(name), "storage of tensor '" + name + "'");
            dtypes.put(name, dtype);
            long bytes = Math.multiplyExact(e.getValue().size(), dtype.byteSize());
            ObjectNode entry = root.putObject(name);
            entry.put("dtype", dtype.safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            for (int d : e.getValue().shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        return pad(root);
    }

    private static byte[] pad(ObjectNode root) {
        byte[] json;
        try {
            json = Header.JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize header", e); // a tree of strings and numbers always serializes
        }
        int padded = (json.length + 7) & ~7;
        if (padded > Header.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the " + Header.MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel ch, Tensor t, DType dtype) throws IOException {
        MemorySegment src = t.segment();
        long n = t.size();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, n) * dtype.byteSize());
        MemorySegment out = MemorySegment.ofBuffer(buf);
        float[] floats = new float[(int) Math.min(CHUNK, n)];
        for (long i = 0; i < n; i += CHUNK) {
            int m = (int) Math.min(CHUNK, n - i);
            MemorySegment.copy(src, Tensor.F32, i * 4, floats, 0, m);
            switch (dtype) {
                case F32 -> MemorySegment.copy(floats, 0, out, Tensor.F32, 0, m);
                case F16 -> { for (int k = 0; k < m; k++) out.setAtIndex(U16_LE, k, Float.floatToFloat16(floats[k])); }
                case BF16 -> { for (int k = 0; k < m; k++) out.setAtIndex(U16_LE, k, DType.floatToBf16(floats[k])); }
                default -> throw new AssertionError(dtype);
            }
            writeFully(ch, buf.clear().limit(m * dtype.byteSize()));
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    private static DType requireFloat(DType d, String what) {
        if (d == null || !d.isFloatReadable()) {
            throw new IllegalArgumentException(what + " must be F32, F16 or BF16, not " + d);
        }
        return d;
    }
}
