package sealjvm.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NumPy {@code .npy} v1.0 for little-endian float32 arrays: what PyTorch users load with {@code np.load}. */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern HEADER = Pattern.compile(
            "\\{\\s*'descr'\\s*:\\s*'([^']*)'\\s*,\\s*'fortran_order'\\s*:\\s*(True|False)\\s*,\\s*'shape'\\s*:\\s*\\(([^)]*)\\)\\s*,?\\s*}\\s*");

    private Npy() {}

    /** Writes {@code t} as float32 {@code .npy} atomically (temp file in the same folder, then a move). */
    public static void write(Path file, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder();
        for (int d : t.shape()) shape.append(d).append(", ");
        if (t.rank() > 1) shape.setLength(shape.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 4 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        try {
            AtomicFiles.write(file, ch -> {
                ByteBuffer pre = ByteBuffer.allocate(MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
                pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
                pre.flip();
                while (pre.hasRemaining()) ch.write(pre);
                ByteBuffer data = t.segment().asByteBuffer();
                while (data.hasRemaining()) ch.write(data);
            });
        } catch (IOException e) {
            throw AtomicFiles.named(file, e);   // e.g. "No space left on device": say which file
        }
    }

    /** Reads a little-endian float32, C-order {@code .npy} file into a new tensor. */
    public static Tensor read(Path file, Arena arena) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) throw new IOException(file + ": not a .npy file");
        int major = bytes[6];
        int headerLen, start;
        if (major == 1) { headerLen = buf.getShort(8) & 0xffff; start = 10; }
        else if (major == 2 || major == 3) { headerLen = buf.getInt(8); start = 12; }
        else throw new IOException(file + ": unsupported .npy version " + major);
        if (headerLen < 0 || start + headerLen > bytes.length) throw new IOException(file + ": header runs past the end of the file");
        String header = new String(bytes, start, headerLen, StandardCharsets.ISO_8859_1);
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) throw new IOException(file + ": cannot parse .npy header " + header.strip());
        if (!m.group(1).equals("<f4")) throw new IOException(file + ": dtype " + m.group(1) + " is not little-endian float32 (<f4)");
        if (m.group(2).equals("True")) throw new IOException(file + ": Fortran-order arrays are not supported");
        int[] shape = Arrays.stream(m.group(3).split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long n = Tensor.numel(shape);
        int dataStart = start + headerLen;
        if (bytes.length - dataStart != n * 4) {
            throw new IOException(file + ": shape " + Arrays.toString(shape) + " needs " + n * 4 + " bytes of data, file has " + (bytes.length - dataStart));
        }
        Tensor t = Tensor.allocate(arena, shape.length == 0 ? new int[] {1} : shape);
        MemorySegment.copy(MemorySegment.ofArray(bytes), dataStart, t.segment(), 0, n * 4);
        return t;
    }
}
