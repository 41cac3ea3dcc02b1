package sealjvm.gpt2.safetensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import sealjvm.tensor.Convert;
import sealjvm.tensor.Tensor;

/**
 * A read-only, memory-mapped safetensors file (8-byte little-endian header length N, N bytes of
 * JSON header, then the data area).
 *
 * <p>{@link #open} reads and validates the whole header with plain channel reads before mapping
 * anything, so every offset later used against the mapping is known to be in bounds: malformed
 * input gives a {@link SafeTensorsException}, never an out-of-bounds access. The mapping lives in
 * this object's own shared arena, released by {@link #close()}; tensors returned by
 * {@link #readF32} are copies in the caller's arena and outlive it.
 */
public final class SafeTensors implements AutoCloseable {
    /** One tensor's header entry; {@code begin}/{@code end} are byte offsets into the data area. */
    public record Info(String name, DType dtype, int[] shape, long begin, long end) {
        public Info {
            shape = shape.clone();
        }

        @Override
        public int[] shape() { return shape.clone(); }

        public long numel() { return numel(shape); }

        public long byteSize() { return end - begin; }

        static long numel(int[] shape) {
            long n = 1;
            for (int d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        // Records compare arrays by identity; compare shapes by content instead.
        @Override
        public boolean equals(Object o) {
            return o instanceof Info i && name.equals(i.name) && dtype == i.dtype && Arrays.equals(shape, i.shape)
                    && begin == i.begin && end == i.end;
        }

        @Override
        public int hashCode() { return name.hashCode() * 31 + Arrays.hashCode(shape); }

        @Override
        public String toString() {
            return "Info[" + name + ", " + dtype + ", " + Arrays.toString(shape) + ", [" + begin + "," + end + ")]";
        }
    }


    private final String file;
    private final Arena arena;
    private final MemorySegment data; // the data area only, read-only
    private final Header header;
    private volatile boolean closed;

    private SafeTensors(String file, Arena arena, MemorySegment data, Header header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.header = header;
    }

    /** Opens, validates and maps {@code file}; throws {@link SafeTensorsException} if it is malformed or unreadable. */
    public static SafeTensors open(Path file) {
        String label = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new SafeTensorsException(label + ": file is " + fileSize
                        + " bytes, too short to hold the 8-byte header length (truncated?)");
            }
            long n = readFully(ch, 0, 8, label).order(ByteOrder.LITTLE_ENDIAN).getLong();
            // Unsigned compare: a u64 with the top bit set is a huge length, not a negative one.
            if (Long.compareUnsigned(n, Header.MAX_HEADER_BYTES) > 0) {
                throw new SafeTensorsException(label + ": header length " + Long.toUnsignedString(n)
                        + " exceeds the limit of " + Header.MAX_HEADER_BYTES + " bytes");
            }
            if (n > fileSize - 8) {
                throw new SafeTensorsException(label + ": header length " + n + " runs past the end of the file ("
                        + fileSize + " bytes)");
            }
            byte[] json = readFully(ch, 8, (int) n, label).array();
            long dataStart = 8 + n;
            Header header = Header.parse(label, json, fileSize - dataStart);

            Arena arena = Arena.ofShared();
            try {
                // Map exactly the size validated against; the mapping stays valid after the channel closes.
                MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                return new SafeTensors(label, arena, all.asSlice(dataStart).asReadOnly(), header);
            } catch (Throwable t) {
                arena.close();
                throw t;
            }
        } catch (IOException e) {
            throw new SafeTensorsException(label + ": cannot read file: " + e, e);
        }
    }

    /** Tensor names, sorted (excludes {@code __metadata__}). */
    public Set<String> names() { return header.tensors.keySet(); }

    /** The {@code __metadata__} map, sorted by key; empty if the file has none. */
    public Map<String, String> metadata() { return header.metadata; }

    public Optional<Info> info(String name) { return Optional.ofNullable(header.tensors.get(name)); }

    public boolean contains(String name) { return header.tensors.containsKey(name); }

    /** The file this was opened from, as given to {@link #open}. */
    public String file() { return file; }

    /**
     * The raw little-endian bytes of a tensor, whatever its dtype: a read-only view into the
     * mapping, valid only until {@link #close()}.
     */
    public MemorySegment bytes(String name) {
        Info info = require(name);
        return data().asSlice(info.begin(), info.byteSize());
    }

    /** The values of an F64 tensor (any shape, flattened), exactly as stored. */
    public double[] readF64(String name) {
        Info info = require(name);
        if (info.dtype() != DType.F64) {
            throw new SafeTensorsException(file + ": tensor '" + name + "': dtype " + info.dtype() + " is not F64");
        }
        return bytes(name).toArray(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN));
    }

    /** A new 64-byte-aligned float32 tensor in {@code arena}, converted from F32, F16 or BF16. */
    public Tensor readF32(String name, Arena arena) {
        Info info = requireFloat(name);
        Tensor t = Tensor.allocate(arena, info.shape());
        copyInto(info, t);
        return t;
    }

    /** Converts tensor {@code name} into {@code dst}, which must hold the same number of elements (any shape). */
    public void readInto(String name, Tensor dst) {
        Info info = requireFloat(name);
        if (dst.size() != info.numel()) {
            throw new SafeTensorsException(file + ": tensor '" + name + "' has shape " + Arrays.toString(info.shape)
                    + " (" + info.numel() + " elements) but the destination " + dst + " holds " + dst.size());
        }
        copyInto(info, dst);
    }

    private void copyInto(Info info, Tensor dst) {
        MemorySegment src = data().asSlice(info.begin(), info.byteSize());
        long n = info.numel();
        switch (info.dtype()) {
            // Tensor stores little-endian floats, as does safetensors: a byte copy is exact on any platform.
            case F32 -> MemorySegment.copy(src, 0, dst.segment(), 0, src.byteSize());
            // The tensor layer's conversion kernels (property-tested against their scalar twins).
            case F16 -> Convert.f16ToF32(src, 0, dst);
            case BF16 -> Convert.bf16ToF32(src, 0, dst);
            default -> throw new AssertionError(info.dtype()); // excluded by requireFloat
        }
    }

    private Info require(String name) {
        Info info = header.tensors.get(name);
        if (info == null) throw new SafeTensorsException(file + ": missing tensor '" + name + "'");
        return info;
    }

    private Info requireFloat(String name) {
        Info info = require(name);
        if (!info.dtype().isFloatReadable()) {
            throw new SafeTensorsException(file + ": tensor '" + name + "': dtype " + info.dtype()
                    + " cannot be read as float (supported: F32, F16, BF16)");
        }
        return info;
    }

    private MemorySegment data() {
        if (closed) throw new SafeTensorsException(file + ": already closed");
        return data;
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int len, String label) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            // The size was checked, but the file may shrink under us.
            if (ch.read(buf, pos + buf.position()) < 0) throw new SafeTensorsException(label + ": file shrank while reading the header");
        }
        return buf.flip();
    }

    /** Unmaps the file; segments from {@link #bytes} die with it, tensors from {@link #readF32} do not. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
