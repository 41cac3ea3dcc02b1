package sealjvm.tensor;

/**
 * How a model's weight matrices are held in memory for inference. Activations, biases and layernorms are float32
 * in every format; F32_PACKED lays float32 out as the kernels read it, a 16-bit format halves the bytes a decode
 * step streams, Q8_0 nearly quarters them, and the kernels widen (or dequantize) each weight to float32 in
 * registers, so every product still accumulates in float32.
 */
public enum WeightFormat {
    /** IEEE float32: what training, merged edits and every other writer of weights need. The default. */
    F32(4),
    /**
     * float32 packed once, at load, into the panels the matmul kernels read ({@link PanelMatrix}), as ONNX Runtime
     * prepacks its weights: the same logits as F32, bit for bit, without packing a weight again on every product.
     * Inference only; the tied head keeps its rows beside its panels (twice its bytes).
     */
    F32_PACKED(4),
    /** IEEE binary16 (5-bit exponent, 10-bit mantissa): exact for weights stored as F16. */
    F16(2),
    /** bfloat16 (the upper half of a float32): float32's range, 7-bit mantissa. */
    BF16(2),
    /**
     * llama.cpp's Q8_0: blocks of {@link Q8Matrix#BLOCK} consecutive weights along the reduction dimension k, each
     * an int8 times one float32 scale (max|x|/127); about 1.125 bytes a weight. Lossy: rounded once at load.
     */
    Q8_0(1);

    private final int byteSize;

    WeightFormat(int byteSize) { this.byteSize = byteSize; }

    /** Bytes per weight (Q8_0: the int8 alone; its block scales add 4/32 more). */
    public int byteSize() { return byteSize; }

    /** The float these 16 bits encode (F16 or BF16). */
    public float toFloat(short bits) {
        return switch (this) {
            case F16 -> Float.float16ToFloat(bits);
            case BF16 -> Float.intBitsToFloat((bits & 0xFFFF) << 16);
            case F32, F32_PACKED, Q8_0 -> throw new IllegalStateException(this + " is not a 16-bit format");
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
            case F32, F32_PACKED, Q8_0 -> throw new IllegalStateException(this + " is not a 16-bit format");
        };
    }
}
