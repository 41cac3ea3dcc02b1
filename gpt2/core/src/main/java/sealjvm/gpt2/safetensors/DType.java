package sealjvm.gpt2.safetensors;

import java.util.Optional;

/**
 * The element types of the safetensors format. The enum constant names are exactly the strings
 * used in the header's {@code "dtype"} field.
 *
 * <p>All dtypes of the spec are known (so a file holding, say, an I64 token table still opens and
 * its float tensors can be read); only F32, F16 and BF16 convert to float.
 */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2),
    I64(8), I32(4), I16(2), I8(1),
    U64(8), U32(4), U16(2), U8(1),
    BOOL(1), F8_E4M3(1), F8_E5M2(1);

    private final int byteSize;

    DType(int byteSize) { this.byteSize = byteSize; }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** The name in a safetensors header, e.g. {@code "BF16"}. */
    public String safetensorsName() { return name(); }

    /** Whether {@link SafeTensors#readF32} can convert this dtype (F32, F16, BF16). */
    public boolean isFloatReadable() { return this == F32 || this == F16 || this == BF16; }

    /** The dtype named {@code name} in a header, if known (exact, case-sensitive match). */
    public static Optional<DType> fromName(String name) {
        for (DType d : values()) if (d.name().equals(name)) return Optional.of(d);
        return Optional.empty();
    }

    /** bfloat16 bits (low 16 bits of the result are unused) to float: bf16 is the top half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * float to bfloat16 with round-to-nearest-even. Plain truncation would bias every weight
     * toward zero; NaN is kept a (quiet) NaN because rounding could otherwise carry its payload
     * into infinity or drop it to an infinity bit pattern.
     */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }
}
