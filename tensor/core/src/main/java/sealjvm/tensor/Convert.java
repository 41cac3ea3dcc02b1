package sealjvm.tensor;

import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Half-precision storage (F16, BF16) to float32, as weights are loaded. */
public final class Convert {
    private Convert() {}

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts, as many lanes as I: half its bit width. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(I.vectorBitSize() / 2));

    /** dst[i] = float of the IEEE binary16 at src[byteOffset + 2i]. */
    public static void f16ToF32(MemorySegment src, long byteOffset, Tensor dst) {
        MemorySegment d = dst.segment();
        long n = dst.size();
        // Float.float16ToFloat is an intrinsic (vcvtph2ps) on x86: as fast as a vector loop here.
        for (long i = 0; i < n; i++) d.setAtIndex(F32, i, Float.float16ToFloat(src.get(U16, byteOffset + 2 * i)));
    }

    /** dst[i] = float of the bfloat16 at src[byteOffset + 2i] (the upper half of a float32). */
    public static void bf16ToF32(MemorySegment src, long byteOffset, Tensor dst) {
        MemorySegment d = dst.segment();
        long n = dst.size();
        int lanes = I.length();
        long i = 0;
        for (; i + lanes <= n; i += lanes) {
            // Sign extension to int only touches bits 16..31, which the shift then discards.
            ((IntVector) ShortVector.fromMemorySegment(H, src, byteOffset + 2 * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats()
                    .intoMemorySegment(d, 4 * i, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < n; i++) d.setAtIndex(F32, i, Float.intBitsToFloat((src.get(U16, byteOffset + 2 * i) & 0xffff) << 16));
    }
}
