package sealjvm.tensor;

import static sealjvm.tensor.Matmul.GELU;
import static sealjvm.tensor.Matmul.GEMM_MIN_ROWS;
import static sealjvm.tensor.Matmul.KC;
import static sealjvm.tensor.Matmul.L;
import static sealjvm.tensor.Matmul.LANES;
import static sealjvm.tensor.Matmul.LE;
import static sealjvm.tensor.Matmul.NONE;
import static sealjvm.tensor.Matmul.NR;
import static sealjvm.tensor.Matmul.NV;
import static sealjvm.tensor.Matmul.RESIDUAL;
import static sealjvm.tensor.Matmul.ROW;
import static sealjvm.tensor.Matmul.S;
import static sealjvm.tensor.Matmul.TB;
import static sealjvm.tensor.Matmul.TROWS;
import static sealjvm.tensor.Matmul.laneSum;
import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Matmul}'s products with the weight held in 16 bits ({@link HalfMatrix}, F16 or BF16): each weight is
 * loaded as a short and widened to float32 in registers, so the arithmetic is float32 throughout.
 *
 * <p>Every path mirrors its float32 twin in {@link Matmul} operation for operation (the same fma chains in the same
 * k order, the same lane partials and fixed lane sum, work split over output columns only). The result is therefore
 * bit-identical to {@link Matmul} run on the widened weights, and the same for any thread count.
 */
public final class HalfMatmul {
    private HalfMatmul() {}

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Shorts, as many lanes as a float vector: half its bit width. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2));

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public static void matmul(Tensor out, Tensor inp, HalfMatrix w, Tensor bias) { gemm(out, inp, w, bias, NONE); }

    /** out (M,N) = gelu(inp (M,K) · w (K,N) + bias (N)), as {@link Matmul#matmulGelu}. */
    public static void matmulGelu(Tensor out, Tensor inp, HalfMatrix w, Tensor bias) { gemm(out, inp, w, bias, GELU); }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N); out must not alias inp. */
    public static void matmulResidual(Tensor out, Tensor inp, HalfMatrix w, Tensor bias) {
        if (out.segment().asOverlappingSlice(inp.segment()).isPresent()) throw new IllegalArgumentException("residual out aliases inp");
        gemm(out, inp, w, bias, RESIDUAL);
    }

    /**
     * dst[d .. d+n) = the n 16-bit weights at byte offset {@code off} of {@code w}, as floats; n a multiple of L.
     * BF16 is the upper half of a float32: shift it up. F16 (the Vector API has no F16 lanes) is rebuilt with
     * integer ops: exponent and mantissa moved into float32 position and the exponent re-biased, an all-ones
     * exponent (Inf, NaN) kept all ones, subnormals as mantissa · 2^-24 through an int-to-float conversion (exact;
     * a float multiply of a subnormal input would take a slow microcode path on x86), then the sign.
     * No vector crosses this method's boundary: were the JIT not to inline a vector-returning helper (too large to
     * inline everywhere), every vector would be boxed. Its callers (prefill packing, edge columns and rows) read the
     * widened floats back from L1; the decode kernels widen in registers instead ({@link #f16Finite}).
     */
    static void widen(MemorySegment w, long off, float[] dst, int d, int n, boolean f16) {
        if (f16) {
            for (int v = 0; v < n; v += L) {
                IntVector x = (IntVector) ShortVector.fromMemorySegment(H, w, off + 2L * v, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector mag = x.and(0x7FFF);
                IntVector infNan = mag.add(0x0400).lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 31).and(0x7F800000);
                IntVector normal = mag.lanewise(VectorOperators.LSHL, 13).add((127 - 15) << 23).or(infNan);
                IntVector sub = ((FloatVector) mag.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
                normal.blend(sub, mag.compare(VectorOperators.LT, 0x0400)).or(x.and(0x80000000)).reinterpretAsFloats().intoArray(dst, d + v);
            }
        } else {
            for (int v = 0; v < n; v += L) {
                ((IntVector) ShortVector.fromMemorySegment(H, w, off + 2L * v, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, d + v);
            }
        }
    }

    /**
     * The F16 halves h (sign-extended into int lanes) as floats, exact for every FINITE half, with no subnormal
     * float ever entering an arithmetic op (on this CPU a multiply with a subnormal operand takes a microcode assist,
     * and N(0, 0.02) weights have a subnormal F16 in about one 16-lane vector in 25: the obvious "shift the bits
     * into place, multiply by 2^112" ran at half speed for it). Per lane, with u = h's exponent and mantissa moved
     * to float32's position ({@code (x << 13) & 0x0FFFE000}):
     * <ul>
     * <li>a = u + (112 << 23) as an int: re-biasing the exponent, the exact |h| for a normal half (e ≥ 1); for
     *     e = 0 it reads 2^-15 · (1 + m/1024), a normal float;
     * <li>b = fma(a, 2, -2^-14): for e = 0 exactly m · 2^-24 = |h| (and +0 for m = 0), below a; for e ≥ 1,
     *     2|h| - 2^-14 ≥ |h| = a, since |h| ≥ 2^-14 (all operands normal, every result exact);
     * <li>so |h| = min(a, b), taken on the int bit patterns (both non-negative, where int order is float order:
     *     one vpminsd where a float min would need Java's NaN and -0 handling), then the sign or'ed back in.
     * </ul>
     * An all-ones exponent (Inf, NaN) would widen to a finite value of 2^16 or more: F16 weights must be finite,
     * which {@code Gpt2Model.load} checks for every matrix (and refuses a value that overflows F16); the general
     * {@link #widen} keeps Inf and NaN. The decode kernels spell this out rather than call it (a helper the JIT
     * leaves as a call boxes every vector; see {@link #dotRowBF16}); these methods are the tested statements of it.
     */
    static FloatVector f16Finite(IntVector x) {
        IntVector a = x.lanewise(VectorOperators.LSHL, 13).and(0x0FFFE000).add(112 << 23);
        return a.min(a.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(x.and(0x80000000)).reinterpretAsFloats();
    }

    /** Loads L F16 weights at byte offset {@code off} of {@code w}, sign-extended into int lanes. */
    static IntVector halves(MemorySegment w, long off) {
        return (IntVector) ShortVector.fromMemorySegment(H, w, off, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    /** k-depth widened at a time by dots1x1 (a multiple of L). */
    private static final int KB = 256 - 256 % L;

    // Pair forms of the widening, for a full-width int load of 2L weights: the weight in the low half of each int lane
    // (the even one in memory) and the weight in the high half (the odd one), each as a float vector, exact as above.
    // Spelled out in stripF16/stripBF16; these are the tested statements of them.

    /** The F16 weights in the low halves of x's lanes: t = (x << 16) >> 3 is the low half sign-extended, << 13. */
    static FloatVector f16Low(IntVector x) {
        IntVector t = x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3), a = t.and(0x0FFFFFFF).add(112 << 23);
        return a.min(a.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t.and(0x80000000)).reinterpretAsFloats();
    }

    /** The F16 weights in the high halves of x's lanes: {@code x >> 3} with the low half's bits masked off. */
    static FloatVector f16High(IntVector x) {
        IntVector a = x.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
        return a.min(a.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(x.and(0x80000000)).reinterpretAsFloats();
    }

    /** The BF16 weights in the low halves of x's lanes. */
    static FloatVector bf16Low(IntVector x) { return x.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(); }

    /** The BF16 weights in the high halves of x's lanes: already float32 bits once the low half is cleared. */
    static FloatVector bf16High(IntVector x) { return x.and(0xFFFF0000).reinterpretAsFloats(); }

    /** Weights widened at a time by the edge kernels (dots1x1, narrowColumns), per thread: {@link #KB} floats. */
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[Math.max(L, KB)]);

    private static void gemm(Tensor out, Tensor inp, HalfMatrix w, Tensor bias, int epi) {
        int K = w.dim(0), N = w.dim(1);
        int M = Matmul.rows(inp, K, "inp");
        Matmul.checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        boolean f16 = w.format() == WeightFormat.F16;
        if (M < GEMM_MIN_ROWS) {
            int strips = N / NV;
            boolean scaled = f16 && belowTwoTo16(a, (long) M * K);
            float[] ah = Matmul.heapRows(a, M, K);
            long r = 2L * (w.layout() == HalfMatrix.Layout.ROWS ? N : NV);   // bytes from one row of a strip to the next
            Parallel.forChunks(strips, 1, (s0, s1) -> {
                for (int s = s0; s < s1; s++) {
                    for (int i = 0; i < M; i++) rowStrip8(o, ah, ws, bs, i, s * NV, 2 * w.index(0, s * NV), r, K, N, epi, f16, scaled);
                }
            });
            narrowColumns(o, a, w, bs, M, K, N, strips * NV, epi);
            return;
        }
        int strips = N / NR;
        // Prefill: widen the weight panel while packing it; the register tiles then run on floats as in Matmul.
        Matmul.prefillStrips(o, a, bs, M, K, N, strips, epi, (pack, d0, j, k0, kc) -> {
            for (int kk = 0; kk < kc; kk++) widen(ws, 2 * w.index(k0 + kk, j), pack, d0 + kk * NR, NR, f16);   // NR columns within a strip
        });
        narrowColumns(o, a, w, bs, M, K, N, strips * NR, epi);
    }

    /** A strip's NV columns regrouped as rowStrip8 holds them: per 2L-column block, its even columns, then its odd ones. */
    private static final ThreadLocal<float[]> PAIRS = ThreadLocal.withInitial(() -> new float[NV]);

    /** Where column c (0 ≤ c < NV) of a strip sits in {@link #PAIRS}. */
    private static int pairSlot(int c) {
        int block = c / (2 * L), within = c % (2 * L);
        return block * 2 * L + (within & 1) * L + (within >> 1);
    }

    // Decode path: one row against the NV-column strip of w (K,N) at columns j, streamed from memory row by row (row k
    // of the strip at byte w0 + k·r: contiguous rows in a STRIPS matrix, rows N apart in a ROWS one). Each full-width int
    // load holds 2L columns as pairs (column 2l of the block in the low half of int lane l, column 2l+1 in the high
    // half) and is widened in registers into an even-column and an odd-column float vector: one load feeds two fma,
    // and BF16 costs one lane op per vector (a shift or a mask), F16 (f16Low/f16High) six or seven. Every column still gets exactly its
    // float32 twin's chain (its bias, then fma over k = 0..K-1 in order); only the lane holding it differs, regrouped
    // once per strip on the way in (bias) and on the way out.
    private static void rowStrip8(MemorySegment o, float[] ah, MemorySegment w, MemorySegment b, int i, int j, long w0, long r, int K, int N,
                                  int epi, boolean f16, boolean scaled) {
        float[] t = PAIRS.get();
        for (int c = 0; c < NV; c++) t[pairSlot(c)] = b == null ? 0f : b.getAtIndex(F32, (long) j + c);
        int x0 = i * K;
        if (scaled) stripF16Scaled(ah, w, t, x0, w0, r, K);
        else if (f16) stripF16(ah, w, t, x0, w0, r, K);
        else stripBF16(ah, w, t, x0, w0, r, K);
        float[] c = ROW.get();
        for (int cc = 0; cc < NV; cc++) c[cc] = t[pairSlot(cc)];
        Matmul.storeRow(o, c, NV, (long) i * N + j, epi);
    }

    /** Whether each of the first n floats of a is below 2^16 in magnitude (NaN is not). */
    private static boolean belowTwoTo16(MemorySegment a, long n) {
        for (long i = 0; i < n; i++) if (!(Math.abs(a.getAtIndex(F32, i)) < 0x1p16f)) return false;
        return true;
    }

    // The loops of rowStrip8, one method per format, the pair widening (f16Low/f16High, bf16Low/bf16High) written
    // out (see dotRowBF16): t holds the strip's accumulators regrouped (PAIRS), the bias on entry and the sums on return;
    // row k of the strip starts at byte w0 + k·r.
    private static void stripBF16(float[] ah, MemorySegment w, float[] t, int x0, long w0, long r, int K) {
        FloatVector e0 = FloatVector.fromArray(S, t, 0), d0 = FloatVector.fromArray(S, t, L);   // e: even columns of block 0, d: odd
        FloatVector e1 = FloatVector.fromArray(S, t, 2 * L), d1 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector e2 = FloatVector.fromArray(S, t, 4 * L), d2 = FloatVector.fromArray(S, t, 5 * L);
        FloatVector e3 = FloatVector.fromArray(S, t, 6 * L), d3 = FloatVector.fromArray(S, t, 7 * L);
        long v = 4L * L;   // bytes of one int vector, 2L weights
        for (int k = 0, step = Matmul.STREAM_STEP; k < K; k += step) {
            FloatVector x = FloatVector.broadcast(S, ah[x0 + k]);
            long wo = w0 + k * r;
            IntVector q0 = IntVector.fromMemorySegment(I, w, wo, LE), q1 = IntVector.fromMemorySegment(I, w, wo + v, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, w, wo + 2 * v, LE), q3 = IntVector.fromMemorySegment(I, w, wo + 3 * v, LE);
            e0 = q0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, e0); d0 = q0.and(0xFFFF0000).reinterpretAsFloats().fma(x, d0);
            e1 = q1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, e1); d1 = q1.and(0xFFFF0000).reinterpretAsFloats().fma(x, d1);
            e2 = q2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, e2); d2 = q2.and(0xFFFF0000).reinterpretAsFloats().fma(x, d2);
            e3 = q3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(x, e3); d3 = q3.and(0xFFFF0000).reinterpretAsFloats().fma(x, d3);
        }
        e0.intoArray(t, 0); d0.intoArray(t, L); e1.intoArray(t, 2 * L); d1.intoArray(t, 3 * L);
        e2.intoArray(t, 4 * L); d2.intoArray(t, 5 * L); e3.intoArray(t, 6 * L); d3.intoArray(t, 7 * L);
    }

    private static void stripF16(float[] ah, MemorySegment w, float[] t, int x0, long w0, long r, int K) {
        FloatVector e0 = FloatVector.fromArray(S, t, 0), d0 = FloatVector.fromArray(S, t, L);
        FloatVector e1 = FloatVector.fromArray(S, t, 2 * L), d1 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector e2 = FloatVector.fromArray(S, t, 4 * L), d2 = FloatVector.fromArray(S, t, 5 * L);
        FloatVector e3 = FloatVector.fromArray(S, t, 6 * L), d3 = FloatVector.fromArray(S, t, 7 * L);
        long v = 4L * L;
        for (int k = 0, step = Matmul.STREAM_STEP; k < K; k += step) {
            FloatVector x = FloatVector.broadcast(S, ah[x0 + k]);
            long wo = w0 + k * r;
            IntVector q0 = IntVector.fromMemorySegment(I, w, wo, LE), q1 = IntVector.fromMemorySegment(I, w, wo + v, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, w, wo + 2 * v, LE), q3 = IntVector.fromMemorySegment(I, w, wo + 3 * v, LE);
            IntVector t0 = q0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            IntVector l0 = t0.and(0x0FFFFFFF).add(112 << 23), h0 = q0.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
            e0 = l0.min(l0.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t0.and(0x80000000)).reinterpretAsFloats().fma(x, e0);
            d0 = h0.min(h0.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q0.and(0x80000000)).reinterpretAsFloats().fma(x, d0);
            IntVector t1 = q1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            IntVector l1 = t1.and(0x0FFFFFFF).add(112 << 23), h1 = q1.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
            e1 = l1.min(l1.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t1.and(0x80000000)).reinterpretAsFloats().fma(x, e1);
            d1 = h1.min(h1.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q1.and(0x80000000)).reinterpretAsFloats().fma(x, d1);
            IntVector t2 = q2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            IntVector l2 = t2.and(0x0FFFFFFF).add(112 << 23), h2 = q2.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
            e2 = l2.min(l2.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t2.and(0x80000000)).reinterpretAsFloats().fma(x, e2);
            d2 = h2.min(h2.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q2.and(0x80000000)).reinterpretAsFloats().fma(x, d2);
            IntVector t3 = q3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
            IntVector l3 = t3.and(0x0FFFFFFF).add(112 << 23), h3 = q3.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
            e3 = l3.min(l3.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t3.and(0x80000000)).reinterpretAsFloats().fma(x, e3);
            d3 = h3.min(h3.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q3.and(0x80000000)).reinterpretAsFloats().fma(x, d3);
        }
        e0.intoArray(t, 0); d0.intoArray(t, L); e1.intoArray(t, 2 * L); d1.intoArray(t, 3 * L);
        e2.intoArray(t, 4 * L); d2.intoArray(t, 5 * L); e3.intoArray(t, 6 * L); d3.intoArray(t, 7 * L);
    }

    /**
     * Whether the F16 decode kernels keep vectors holding a zero exponent off their short forms: true unless fma with
     * subnormal operands is known to run at full speed here ({@link CpuVendor#SUBNORMAL_OPERANDS_FREE}). On a Zen 4,
     * dropping the test made the block products 1.6× faster with the weights in cache (20 of 20 pairs; as fast with 90 %
     * subnormal halves), and the head's short form with the test was slower than the exact widening. A field rather
     * than a constant so that tests run both forms; the bits are the same either way.
     */
    static boolean exactOnZeroExponent = !CpuVendor.SUBNORMAL_OPERANDS_FREE;

    // stripF16 when every activation of the call is below 2^16 in magnitude (belowTwoTo16): the halves' bits
    // rearranged as in f16Low/f16High but not re-biased read as the float w' = w · 2^-112, and fma(w', x · 2^112, c) =
    // fma(w, x, c) bit for bit: the two products are the same real number, x · 2^112 is exact for |x| < 2^16, and fma
    // rounds once. So three or two lane ops per vector instead of seven or six. A zero or subnormal half gives a
    // subnormal w' (or a zero), exact all the same; where such operands may take a microcode assist
    // (exactOnZeroExponent), a vector with a zero exponent anywhere (about 7 % of the vectors of N(0, 0.02) weights)
    // takes the exact form of stripF16 instead, at the price of the test and its branch.
    private static void stripF16Scaled(float[] ah, MemorySegment w, float[] t, int x0, long w0, long r, int K) {
        boolean exactOnZero = exactOnZeroExponent;
        FloatVector e0 = FloatVector.fromArray(S, t, 0), d0 = FloatVector.fromArray(S, t, L);
        FloatVector e1 = FloatVector.fromArray(S, t, 2 * L), d1 = FloatVector.fromArray(S, t, 3 * L);
        FloatVector e2 = FloatVector.fromArray(S, t, 4 * L), d2 = FloatVector.fromArray(S, t, 5 * L);
        FloatVector e3 = FloatVector.fromArray(S, t, 6 * L), d3 = FloatVector.fromArray(S, t, 7 * L);
        long v = 4L * L;
        for (int k = 0, step = Matmul.STREAM_STEP; k < K; k += step) {
            float xk = ah[x0 + k];
            FloatVector x = FloatVector.broadcast(S, xk), xs = FloatVector.broadcast(S, xk * 0x1p112f);
            long wo = w0 + k * r;
            IntVector q0 = IntVector.fromMemorySegment(I, w, wo, LE), q1 = IntVector.fromMemorySegment(I, w, wo + v, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, w, wo + 2 * v, LE), q3 = IntVector.fromMemorySegment(I, w, wo + 3 * v, LE);
            if (exactOnZero && q0.reinterpretAsShorts().and((short) 0x7C00).compare(VectorOperators.EQ, (short) 0).anyTrue()) {
                IntVector t0 = q0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
                IntVector l0 = t0.and(0x0FFFFFFF).add(112 << 23), h0 = q0.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
                e0 = l0.min(l0.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t0.and(0x80000000)).reinterpretAsFloats().fma(x, e0);
                d0 = h0.min(h0.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q0.and(0x80000000)).reinterpretAsFloats().fma(x, d0);
            } else {
                e0 = q0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().fma(xs, e0);
                d0 = q0.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(xs, d0);
            }
            if (exactOnZero && q1.reinterpretAsShorts().and((short) 0x7C00).compare(VectorOperators.EQ, (short) 0).anyTrue()) {
                IntVector t1 = q1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
                IntVector l1 = t1.and(0x0FFFFFFF).add(112 << 23), h1 = q1.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
                e1 = l1.min(l1.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t1.and(0x80000000)).reinterpretAsFloats().fma(x, e1);
                d1 = h1.min(h1.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q1.and(0x80000000)).reinterpretAsFloats().fma(x, d1);
            } else {
                e1 = q1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().fma(xs, e1);
                d1 = q1.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(xs, d1);
            }
            if (exactOnZero && q2.reinterpretAsShorts().and((short) 0x7C00).compare(VectorOperators.EQ, (short) 0).anyTrue()) {
                IntVector t2 = q2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
                IntVector l2 = t2.and(0x0FFFFFFF).add(112 << 23), h2 = q2.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
                e2 = l2.min(l2.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t2.and(0x80000000)).reinterpretAsFloats().fma(x, e2);
                d2 = h2.min(h2.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q2.and(0x80000000)).reinterpretAsFloats().fma(x, d2);
            } else {
                e2 = q2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().fma(xs, e2);
                d2 = q2.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(xs, d2);
            }
            if (exactOnZero && q3.reinterpretAsShorts().and((short) 0x7C00).compare(VectorOperators.EQ, (short) 0).anyTrue()) {
                IntVector t3 = q3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3);
                IntVector l3 = t3.and(0x0FFFFFFF).add(112 << 23), h3 = q3.lanewise(VectorOperators.ASHR, 3).and(0x0FFFE000).add(112 << 23);
                e3 = l3.min(l3.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(t3.and(0x80000000)).reinterpretAsFloats().fma(x, e3);
                d3 = h3.min(h3.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(q3.and(0x80000000)).reinterpretAsFloats().fma(x, d3);
            } else {
                e3 = q3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().fma(xs, e3);
                d3 = q3.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(xs, d3);
            }
        }
        e0.intoArray(t, 0); d0.intoArray(t, L); e1.intoArray(t, 2 * L); d1.intoArray(t, 3 * L);
        e2.intoArray(t, 4 * L); d2.intoArray(t, 5 * L); e3.intoArray(t, 6 * L); d3.intoArray(t, 7 * L);
    }

    // Columns j0..N-1 (fewer than a tile): one vector at a time, then scalar fma chains; split over rows.
    // Columns j0..N-1 lie in one strip of a STRIPS matrix (j0 is a multiple of NR, NV = 2·NR), so each row of them is
    // contiguous under either layout.
    private static void narrowColumns(MemorySegment o, MemorySegment a, HalfMatrix wm, MemorySegment b, int M, int K, int N, int j0, int epi) {
        if (j0 >= N) return;
        WeightFormat format = wm.format();
        boolean f16 = format == WeightFormat.F16;
        MemorySegment w = wm.segment();
        Parallel.forChunks(M, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                long a0 = (long) i * K;
                int j = j0;
                float[] q = WIDE.get();
                for (; j + L <= N; j += L) {
                    FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
                    for (int k = 0; k < K; k++) {
                        widen(w, 2 * wm.index(k, j), q, 0, L, f16);
                        acc = FloatVector.fromArray(S, q, 0).fma(FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k)), acc);
                    }
                    float[] c = ROW.get();
                    acc.intoArray(c, 0);
                    Matmul.storeRow(o, c, L, (long) i * N + j, epi);
                }
                for (; j < N; j++) {
                    float s = b == null ? 0f : b.getAtIndex(F32, j);
                    for (int k = 0; k < K; k++) s = Math.fma(format.toFloat(w.getAtIndex(Convert.U16, wm.index(k, j))), a.getAtIndex(F32, a0 + k), s);
                    long oi = (long) i * N + j;
                    if (epi == GELU) s = Kernels.geluScalar(s);
                    else if (epi == RESIDUAL) s = o.getAtIndex(F32, oi) + s;
                    o.setAtIndex(F32, oi, s);
                }
            }
        });
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null (the tied LM head). */
    public static void matmulTransposed(Tensor out, Tensor inp, HalfMatrix w, Tensor bias) {
        if (w.layout() != HalfMatrix.Layout.ROWS) throw new IllegalArgumentException("matmulTransposed reads rows: " + w + " is stored as " + w.layout());
        int N = w.dim(0), K = w.dim(1);
        int M = Matmul.rows(inp, K, "inp");
        Matmul.checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        WeightFormat format = w.format();
        boolean f16 = format == WeightFormat.F16;
        if (M >= GEMM_MIN_ROWS) {
            int strips = N / NR;
            Matmul.packedStrips(o, a, bs, M, K, N, strips, NONE, (pack, d0, j, k0, kc) -> {
                // Widen 16 rows of W at a time into a small buffer, then write them transposed into the panel.
                float[] rows = TROWS.get();
                for (int c0 = 0; c0 < NR; c0 += 16) {
                    for (int c = 0; c < 16; c++) {
                        long src = ((long) (j + c0 + c) * K + k0) * 2;
                        int kk = kc - kc % L;
                        widen(ws, src, rows, c * KC, kk, f16);
                        for (; kk < kc; kk++) rows[c * KC + kk] = format.toFloat(ws.get(Convert.U16, src + 2L * kk));
                    }
                    for (int kk = 0; kk < kc; kk++) {
                        int d = d0 + kk * NR + c0;
                        for (int c = 0; c < 16; c++) pack[d + c] = rows[c * KC + kk];
                    }
                }
            });
            int n0 = strips * NR;
            if (n0 < N) dotsRange(o, a, ws, bs, M, K, N, n0, format);
            return;
        }
        dotsRange(o, a, ws, bs, M, K, N, 0, format);
    }

    // Columns nStart..N-1 of out = inp · wᵀ + b in the dot-product form, as Matmul's: each element is L lane-partial
    // fma chains over k in vector steps, the fixed pairwise lane sum, the scalar k tail in order, then the bias.
    private static void dotsRange(MemorySegment o, MemorySegment a, MemorySegment ws, MemorySegment bs, int M, int K, int N, int nStart,
                                  WeightFormat format) {
        boolean f16 = format == WeightFormat.F16;
        int blocks = (N - nStart + TB - 1) / TB;
        float[] ah = M < 4 ? Matmul.heapRows(a, M, K) : null;
        // The F16 decode rows read x · 2^112 (see dotRowF16Scaled) when every activation allows it.
        float[] ahs = ah != null && f16 && !exactOnZeroExponent && belowTwoTo16(a, (long) M * K) ? scaledRows(ah) : null;
        Parallel.forChunks(blocks, 1, (b0, b1) -> {
            float[] t = LANES.get();
            for (int blk = b0; blk < b1; blk++) {
                int nEnd = Math.min(N, nStart + (blk + 1) * TB);
                int n = nStart + blk * TB;
                if (M < 4) { // decode: one row of w after another, read front to back (memory-bound)
                    for (; n < nEnd; n++) for (int i = 0; i < M; i++) dotRow(o, a, ah, ahs, ws, bs, i, n, K, N, t, format, f16);
                }
                for (; n < nEnd; n++) for (int i = 0; i < M; i++) dots1x1(o, a, ws, bs, i, n, K, N, t, format, f16);
            }
        });
    }

    // Decode: out[i, n], as dots1x1 computes it, with the row of w widened in registers; called row after row of w,
    // it reads w as one stream (see Matmul.dotRow).
    private static void dotRow(MemorySegment o, MemorySegment a, float[] ah, float[] ahs, MemorySegment w, MemorySegment b, int i, int n,
                               int K, int N, float[] t, WeightFormat format, boolean f16) {
        long w0 = (long) n * K * 2;
        int kv = K - K % L, x0 = i * K;
        if (ahs != null) dotRowF16Scaled(ahs, w, t, x0, w0, kv);
        else if (f16) dotRowF16(ah, w, t, x0, w0, kv);
        else dotRowBF16(ah, w, t, x0, w0, kv);
        finish1(o, a, w, b, i, n, K, N, kv, laneSum(t, 0), format);
    }

    // The loops of dotRow, one method per format, with the widening written out in the loop rather than called: the
    // JIT stops inlining our own helpers once a method's graph is large (NodeCountInliningCutoff; the Vector API's
    // methods are force-inlined), and a helper left as a call boxes every vector it returns: F16 through f16Finite
    // calls ran several times slower than BF16 (seen with -XX:+PrintInlining). t[0..L) = the L lane partials of the
    // row of w at byte offset w0 against inp's row at ah[x0..], over k = 0..kv-1 in vector steps.
    private static void dotRowBF16(float[] ah, MemorySegment w, float[] t, int x0, long w0, int kv) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0, step = L * Matmul.STREAM_STEP; k < kv; k += step) {
            FloatVector a0 = FloatVector.fromArray(S, ah, x0 + k);
            c0 = a0.fma(((IntVector) ShortVector.fromMemorySegment(H, w, w0 + 2L * k, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), c0);
        }
        c0.intoArray(t, 0);
    }

    private static void dotRowF16(float[] ah, MemorySegment w, float[] t, int x0, long w0, int kv) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0, step = L * Matmul.STREAM_STEP; k < kv; k += step) {
            FloatVector a0 = FloatVector.fromArray(S, ah, x0 + k);
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(H, w, w0 + 2L * k, LE).convertShape(VectorOperators.S2I, I, 0);
            IntVector u0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x0FFFE000).add(112 << 23);
            c0 = a0.fma(u0.min(u0.reinterpretAsFloats().fma(2f, -0x1p-14f).reinterpretAsInts()).or(h0.and(0x80000000)).reinterpretAsFloats(), c0);
        }
        c0.intoArray(t, 0);
    }

    // dotRowF16 in the short form of stripF16Scaled (x · 2^112 from scaledRows against the sign-extended halves shifted
    // and masked, w · 2^-112): two lane ops a vector instead of seven, the same lanes, fma chains and bits. Used where
    // zero exponents need no test (exactOnZeroExponent false); with the test it ran slower than dotRowF16 on a Zen 4.
    // The 124M head in F16, one row: 3.7 → 3.1 ms on the Zen 4 (20 of 20 pairs).
    private static void dotRowF16Scaled(float[] ahs, MemorySegment w, float[] t, int x0, long w0, int kv) {
        FloatVector c0 = FloatVector.zero(S);
        for (int k = 0, step = L * Matmul.STREAM_STEP; k < kv; k += step) {
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(H, w, w0 + 2L * k, LE).convertShape(VectorOperators.S2I, I, 0);
            c0 = FloatVector.fromArray(S, ahs, x0 + k).fma(h0.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats(), c0);
        }
        c0.intoArray(t, 0);
    }

    /** The rows times 2^112 (exact for the activations belowTwoTo16 admits). */
    private static float[] scaledRows(float[] ah) {
        float[] s = new float[ah.length];
        for (int i = 0; i < ah.length; i++) s[i] = ah[i] * 0x1p112f;
        return s;
    }

    private static void dots1x1(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, float[] t,
                                WeightFormat format, boolean f16) {
        FloatVector c0 = FloatVector.zero(S);
        long x0 = (long) i * K * 4, w0 = (long) n * K * 2;
        int kv = K - K % L;
        float[] q = WIDE.get();
        for (int k0 = 0; k0 < kv; k0 += KB) {
            int kb = Math.min(KB, kv - k0);
            widen(w, w0 + 2L * k0, q, 0, kb, f16);
            for (int kk = 0; kk < kb; kk += L) c0 = FloatVector.fromMemorySegment(S, a, x0 + 4L * (k0 + kk), LE).fma(FloatVector.fromArray(S, q, kk), c0);
        }
        c0.intoArray(t, 0);
        finish1(o, a, w, b, i, n, K, N, kv, laneSum(t, 0), format);
    }

    // Row i, column n: the scalar k tail in order, then the bias.
    private static void finish1(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, int kv, float s,
                                WeightFormat format) {
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, (long) i * K + k), format.toFloat(w.getAtIndex(Convert.U16, (long) n * K + k)), s);
        if (b != null) s += b.getAtIndex(F32, n);
        o.setAtIndex(F32, (long) i * N + n, s);
    }
}
