package sealjvm.tensor;

/**
 * How a model's weight matrices are held in memory for inference. Activations, biases and layernorms are float32
 * in every format; a 16-bit format halves the bytes a decode step streams, and the kernels widen each weight to
 * float32 in registers, so every product still accumulates in float32.
 */
public enum WeightFormat {
    /** IEEE float32: what training, merged edits and every other writer of weights need. The default. */
    F32(4),
    /** IEEE binary16 (5-bit exponent, 10-bit mantissa): exact for weights stored as F16. */
    F16(2),
    /** bfloat16 (the upper half of a float32): float32's range, 7-bit mantissa. */
    BF16(2);

    private final int byteSize;

    WeightFormat(int byteSize) { this.byteSize = byteSize; }

    /** Bytes per weight. */
    public int byteSize() { return byteSize; }

    /** The float these 16 bits encode (F16 or BF16). */
    public float toFloat(short bits) {
        return switch (this) {
            case F16 -> Float.float16ToFloat(bits);
            case BF16 -> Float.intBitsToFloat((bits & 0xFFFF) << 16);
            case F32 -> throw new IllegalStateException("F32 is not a 16-bit format");
        };
    }

    /** f rounded to the nearest 16-bit value (ties to even); NaN stays NaN, overflow becomes ±Inf (F16 or BF16). */
    public short fromFloat(float f) {
        return switch (this) {
            case F16 -> Float.floatToFloat16(f);
            case BF16 -> {
                int bits = Float.floatToRawIntBits(f);
                if (Float.isNaN(f)) yield (short) ((bits >>> 16) | 0x0040);
                yield (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
            }
            case F32 -> throw new IllegalStateException("F32 is not a 16-bit format");
        };
    }
}
