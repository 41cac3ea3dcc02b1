package sealjvm.tensor;

import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix products GPT-2 needs, register-tiled on the Vector API and split over the pool.
 * <ul>
 *   <li>{@link #matmul}: {@code out = inp · W + b}, W stored [in, out] (Hugging Face Conv1D).</li>
 *   <li>{@link #matmulTransposed}: {@code out = inp · Wᵀ + b}, W stored [out, in] (the tied LM head, wte).</li>
 * </ul>
 * Inputs with more than two dimensions are treated as (rows, last dim).
 */
public final class Matmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Matmul() {}

    /** out (M,N) = inp (M,K) · w (K,N) + bias (N); bias may be null. */
    public static void matmul(Tensor out, Tensor inp, Tensor w, Tensor bias) { gemm(out, inp, w, bias, NONE); }

    /** out (M,N) = gelu(inp (M,K) · w (K,N) + bias (N)), GPT-2's tanh GELU fused into the store (as {@link Kernels#gelu}). */
    public static void matmulGelu(Tensor out, Tensor inp, Tensor w, Tensor bias) { gemm(out, inp, w, bias, GELU); }

    /** out (M,N) += inp (M,K) · w (K,N) + bias (N): the residual add fused into the store; out must not alias inp. */
    public static void matmulResidual(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        if (out.segment().asOverlappingSlice(inp.segment()).isPresent()) throw new IllegalArgumentException("residual out aliases inp");
        gemm(out, inp, w, bias, RESIDUAL);
    }

    static final int NONE = 0, GELU = 1, RESIDUAL = 2;
    /** Columns per micro-tile (four vectors), rows per micro-tile. */
    static final int NR = 4 * L, MR = 4;
    /**
     * k-depth of one packed panel: the panel (KC × NR floats), which every row tile of a strip reads again, fills at
     * most two thirds of the L1 data cache (128 on a 48 KiB L1), a multiple of L in [4L, 32L]. The depth changes no
     * result: every chain runs k = 0..K-1 in order across panels.
     */
    static final int KC = Math.clamp(CpuCaches.l1Data() * 2 / 3 / (NR * 4) / L * L, 4 * L, 32 * L);
    /**
     * Whether the 4×4-vector register tile fits the register file: its 16 accumulators, 4 weight vectors and a
     * broadcast need 21 vector registers, which AVX-512 has (32) and AVX2 has not (16). On AVX2 (an AMD EPYC Zen 3,
     * 2026-12-06) the JIT then spills, and two 4×2-vector tiles over the strip's halves (8 + 2 + 1 registers) ran the
     * c_fc product 1.7× faster. Every sum still runs k = 0..K-1 in order: the bits are the same either way.
     */
    static final boolean WIDE_TILE = S.vectorBitSize() >= 512;
    /** Columns per task of the few-row (decode) path: eight vectors. */
    static final int NV = 8 * L;
    /**
     * Below this many rows the weight is streamed straight from memory (a matrix-vector product), not packed; public
     * for callers that must know which path (and so which bits, for the transposed form) a row block gets.
     */
    public static final int GEMM_MIN_ROWS = 4;

    /** Bytes of partial sums one task keeps between k-panels (a block of strips): an eighth of a core's L2. */
    static final int PARTIALS_BYTES = (int) Math.min(1 << 24, CpuCaches.l2() / 8);

    static final ThreadLocal<float[]> TROWS = ThreadLocal.withInitial(() -> new float[16 * KC]);
    private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[KC * NR]);
    private static final ThreadLocal<float[][]> STRIP = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> CBUF = ThreadLocal.withInitial(() -> new float[1][0]);

    /*
     * Every output element is one fused-multiply-add chain, acc = bias; acc = fma(a[i,k], w[k,j], acc) for
     * k = 0..K-1 in order, then the epilogue. All paths below (packed tiles, row tails, the decode path, vector
     * and scalar column tails) compute exactly that, and work is split over columns only, so the result is
     * bit-identical whatever the thread count or the tile an element lands in.
     */
    private static void gemm(Tensor out, Tensor inp, Tensor w, Tensor bias, int epi) {
        int K = w.dim(0), N = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        if (M < GEMM_MIN_ROWS) {
            int strips = N / NV;
            float[] ah = heapRows(a, M, K);
            Parallel.forChunks(strips, 1, (s0, s1) -> {
                for (int s = s0; s < s1; s++) for (int i = 0; i < M; i++) rowStrip8(o, ah, ws, bs, i, s * NV, K, N, epi);
            });
            narrowColumns(o, a, ws, bs, M, K, N, strips * NV, epi);
            return;
        }
        int strips = N / NR;
        PanelPacker gather = (pack, d0, j, k0, kc) -> {
            for (int kk = 0; kk < kc; kk++) {
                long src = ((long) (k0 + kk) * N + j) * 4;
                int dst = d0 + kk * NR;
                FloatVector.fromMemorySegment(S, ws, src, LE).intoArray(pack, dst);
                FloatVector.fromMemorySegment(S, ws, src + 4L * L, LE).intoArray(pack, dst + L);
                FloatVector.fromMemorySegment(S, ws, src + 8L * L, LE).intoArray(pack, dst + 2 * L);
                FloatVector.fromMemorySegment(S, ws, src + 12L * L, LE).intoArray(pack, dst + 3 * L);
            }
        };
        prefillStrips(o, a, bs, M, K, N, strips, epi, gather);
        narrowColumns(o, a, ws, bs, M, K, N, strips * NR, epi);
    }

    /**
     * Strips of W (K,N) for {@link #gemmPanels}, written into {@code panels} (4·strips·K·NR bytes, zero where nothing
     * is written): the panels of every NR-column strip, laid out as the batched path packs them ([K][NR] per strip,
     * strip s at s·K·NR), the last strip zero-padded past column N. On the caller's thread: ws may belong to a confined
     * arena (a tensor read at load).
     */
    static void packPanels(MemorySegment ws, int K, int N, MemorySegment panels) {
        int strips = (N + NR - 1) / NR;
        if (panels.byteSize() != 4L * strips * K * NR) throw new IllegalArgumentException("panels of " + panels.byteSize() + " bytes for a (" + K + "," + N + ") matrix");
        float[] row = new float[N];
        for (int k = 0; k < K; k++) {
            MemorySegment.copy(ws, F32, (long) k * N * 4, row, 0, N);
            for (int s = 0; s < strips; s++) MemorySegment.copy(row, s * NR, panels, F32, ((long) s * K + k) * NR * 4, Math.min(NR, N - s * NR));
        }
    }

    /**
     * {@link #gemm} on W (K,N) held as {@link #packPanels} laid it out: bit-identical to it (every element the same
     * fma chain: bias, then k = 0..K-1 in order), without gathering panels from W's rows on each call: the batched path
     * copies each k-panel it needs (contiguous there), the decode path streams the panels two strips at a time. The
     * last strip's padding columns are computed and never stored.
     */
    static void gemmPanels(Tensor out, Tensor inp, MemorySegment panels, int K, int N, Tensor bias, int epi) {
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        if (epi == RESIDUAL && out.segment().asOverlappingSlice(inp.segment()).isPresent()) throw new IllegalArgumentException("residual out aliases inp");
        MemorySegment o = out.segment(), a = inp.segment(), bs = bias == null ? null : bias.segment();
        int strips = (N + NR - 1) / NR;
        if (M < GEMM_MIN_ROWS) {
            int pairs = (strips + 1) / 2;
            float[] ah = heapRows(a, M, K);
            Parallel.forChunks(pairs, 1, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int s = 2 * p;
                    for (int i = 0; i < M; i++) rowPanels2(o, ah, panels, bs, i, s, Math.min(s + 1, strips - 1), K, N, epi);
                }
            });
            return;
        }
        if (WIDE_TILE) {
            segmentStrips(o, a, bs, M, K, N, strips, epi, panels);
            return;
        }
        packedStrips(o, a, bs, M, K, N, strips, epi, (pack, d0, j, k0, kc) ->
                MemorySegment.copy(panels, F32, ((long) (j / NR) * K + k0) * NR * 4, pack, d0, kc * NR));
    }

    // Panels on a 512-bit machine: per strip, each row tile runs over all K depths at once, reading the strip's panels
    // ([K][NR], contiguous and 64-byte aligned) straight from the segment, where they stay in L2 across the row tiles
    // (192 KiB at K = 768): the partial sums stay in registers for the whole chain and no panel is copied. Each
    // element's chain is the same (bias, then k = 0..K-1), so the bits are packedStrips'. On a Zen 4 (in-JVM A/B, 30
    // pairs) every T=128 shape ran 7-11 % faster than k-panel by k-panel; the L2 streams a 4×64 tile's four panel
    // vectors per depth while its sixteen fmas run, which a 16-register AVX2 tile (tile4x2) was not measured for.
    private static void segmentStrips(MemorySegment o, MemorySegment a, MemorySegment bs, int M, int K, int N, int strips, int epi,
                                      MemorySegment panels) {
        float[] ah = interleavedRows(a, M, K);
        Parallel.forGuided(strips, 1, (s0, s1) -> {
            float[] c = partials(M * NR);
            for (int s = s0; s < s1; s++) {
                int j = s * NR;
                long base = (long) s * K * NR * 4;
                initPartials(c, 0, bs, M, j, Math.min(NR, N - j));
                int i = 0;
                for (; i + MR <= M; i += MR) tile4Segment(ah, panels, base, c, i * NR, i, K);
                for (; i < M; i++) tile1Segment(ah, panels, base, c, i * NR, i, K);
                storePartials(o, c, 0, M, 0, j, N, epi);
            }
        });
    }

    // tile4 over all K depths with the panel [K][NR] read from p at byte offset p0. A second copy of tile4's loop
    // rather than one tile for both: tile4 reading a heap float[] through MemorySegment.ofArray ran 1.7-4x slower
    // (C2's code for heap-segment vector loads, fourteenth session), and this one reading a segment cannot take an array.
    private static void tile4Segment(float[] a, MemorySegment p, long p0, float[] c, int r0, int i, int K) {
        int r1 = r0 + NR, r2 = r1 + NR, r3 = r2 + NR;
        FloatVector c00 = FloatVector.fromArray(S, c, r0), c01 = FloatVector.fromArray(S, c, r0 + L),
                c02 = FloatVector.fromArray(S, c, r0 + 2 * L), c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1), c11 = FloatVector.fromArray(S, c, r1 + L),
                c12 = FloatVector.fromArray(S, c, r1 + 2 * L), c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2), c21 = FloatVector.fromArray(S, c, r2 + L),
                c22 = FloatVector.fromArray(S, c, r2 + 2 * L), c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3), c31 = FloatVector.fromArray(S, c, r3 + L),
                c32 = FloatVector.fromArray(S, c, r3 + 2 * L), c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
        long q = p0, v = 4L * L, row = 4L * NR;
        int ia = i * K, end = ia + K * MR, end2 = ia + (K & ~1) * MR;
        for (; ia < end2; ia += 2 * MR, q += 2 * row) {
            FloatVector w0 = FloatVector.fromMemorySegment(S, p, q, LE), w1 = FloatVector.fromMemorySegment(S, p, q + v, LE),
                    w2 = FloatVector.fromMemorySegment(S, p, q + 2 * v, LE), w3 = FloatVector.fromMemorySegment(S, p, q + 3 * v, LE);
            FloatVector x = FloatVector.broadcast(S, a[ia]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
            w0 = FloatVector.fromMemorySegment(S, p, q + row, LE); w1 = FloatVector.fromMemorySegment(S, p, q + row + v, LE);
            w2 = FloatVector.fromMemorySegment(S, p, q + row + 2 * v, LE); w3 = FloatVector.fromMemorySegment(S, p, q + row + 3 * v, LE);
            x = FloatVector.broadcast(S, a[ia + MR]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + MR + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + MR + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + MR + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
        }
        if (ia < end) {   // an odd K's last depth
            FloatVector w0 = FloatVector.fromMemorySegment(S, p, q, LE), w1 = FloatVector.fromMemorySegment(S, p, q + v, LE),
                    w2 = FloatVector.fromMemorySegment(S, p, q + 2 * v, LE), w3 = FloatVector.fromMemorySegment(S, p, q + 3 * v, LE);
            FloatVector x = FloatVector.broadcast(S, a[ia]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
    }

    // tile1 over all K depths with the panel read from p at byte offset p0 (row i in the plain layout).
    private static void tile1Segment(float[] a, MemorySegment p, long p0, float[] c, int r0, int i, int K) {
        FloatVector c0 = FloatVector.fromArray(S, c, r0), c1 = FloatVector.fromArray(S, c, r0 + L),
                c2 = FloatVector.fromArray(S, c, r0 + 2 * L), c3 = FloatVector.fromArray(S, c, r0 + 3 * L);
        long v = 4L * L;
        for (int k = 0; k < K; k++) {
            long q = p0 + (long) k * NR * 4;
            FloatVector x = FloatVector.broadcast(S, a[i * K + k]);
            c0 = FloatVector.fromMemorySegment(S, p, q, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, p, q + v, LE).fma(x, c1);
            c2 = FloatVector.fromMemorySegment(S, p, q + 2 * v, LE).fma(x, c2);
            c3 = FloatVector.fromMemorySegment(S, p, q + 3 * v, LE).fma(x, c3);
        }
        c0.intoArray(c, r0); c1.intoArray(c, r0 + L); c2.intoArray(c, r0 + 2 * L); c3.intoArray(c, r0 + 3 * L);
    }

    // Decode path on panels: row i against strips s and t = s+1 ([K][NR] at s·K·NR), or against strip s alone when
    // t == s (the last of an odd count): two streams read front to back, eight fma chains, each column's chain the
    // same as the batched path's. One stream at a time left the weights at about half the machine's read bandwidth.
    private static void rowPanels2(MemorySegment o, float[] ah, MemorySegment p, MemorySegment b, int i, int s, int t, int K, int N, int epi) {
        int j = s * NR, jt = t * NR;
        float[] c = ROW.get();
        initPartials(c, 0, b, 1, j, Math.min(NR, N - j));
        initPartials(c, NR, b, 1, jt, Math.min(NR, N - jt));
        FloatVector c0 = FloatVector.fromArray(S, c, 0), c1 = FloatVector.fromArray(S, c, L),
                c2 = FloatVector.fromArray(S, c, 2 * L), c3 = FloatVector.fromArray(S, c, 3 * L);
        FloatVector d0 = FloatVector.fromArray(S, c, NR), d1 = FloatVector.fromArray(S, c, NR + L),
                d2 = FloatVector.fromArray(S, c, NR + 2 * L), d3 = FloatVector.fromArray(S, c, NR + 3 * L);
        long v = 4L * L, next = (long) (t - s) * K * NR * 4;
        for (int k = 0, x0 = i * K, step = STREAM_STEP; k < K; k += step) {
            long q = ((long) s * K + k) * NR * 4;
            FloatVector x = FloatVector.broadcast(S, ah[x0 + k]);
            c0 = FloatVector.fromMemorySegment(S, p, q, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, p, q + v, LE).fma(x, c1);
            c2 = FloatVector.fromMemorySegment(S, p, q + 2 * v, LE).fma(x, c2);
            c3 = FloatVector.fromMemorySegment(S, p, q + 3 * v, LE).fma(x, c3);
            d0 = FloatVector.fromMemorySegment(S, p, q + next, LE).fma(x, d0);
            d1 = FloatVector.fromMemorySegment(S, p, q + next + v, LE).fma(x, d1);
            d2 = FloatVector.fromMemorySegment(S, p, q + next + 2 * v, LE).fma(x, d2);
            d3 = FloatVector.fromMemorySegment(S, p, q + next + 3 * v, LE).fma(x, d3);
        }
        c0.intoArray(c, 0); c1.intoArray(c, L); c2.intoArray(c, 2 * L); c3.intoArray(c, 3 * L);
        d0.intoArray(c, NR); d1.intoArray(c, NR + L); d2.intoArray(c, NR + 2 * L); d3.intoArray(c, NR + 3 * L);
        storePartials(o, c, 0, 1, i, j, N, epi);
        if (t != s) storePartials(o, c, NR, 1, i, jt, N, epi);
    }

    /** Copies the panel of W for output columns j..j+NR and depths k0..k0+kc into pack[d0..] as [kc][NR]. */
    @FunctionalInterface
    interface PanelPacker { void pack(float[] pack, int d0, int j, int k0, int kc); }

    // Output columns [0, strips·NR): 4×64 register tiles over all rows into partial sums (M,NR) per strip that start
    // at the bias and leave through the epilogue. A task takes a block of strips whose partial sums fit
    // PARTIALS_BYTES and runs it k-panel by k-panel: the rows' panel (M × KC) is read by every strip of the block
    // while it is in cache, and each strip's weight panel is packed just before its tiles read it (from L1).
    static void packedStrips(MemorySegment o, MemorySegment a, MemorySegment bs, int M, int K, int N, int strips, int epi,
                             PanelPacker packer) {
        float[] ah = interleavedRows(a, M, K);
        int block = Math.max(1, PARTIALS_BYTES / (M * NR * 4));
        // At least two strips a task, so that a block shares the rows' panel: with one, a matmul of few strips and
        // long rows (mlp.c_proj: 12 strips, K = 3072) reads its rows again for every strip. The tasks shrink as the
        // strips run out, so the threads finish together (with eight fixed chunks, c_attn's 36 strips left one thread
        // waiting for the other's last chunk: 7 % of its time on a Zen 4). Each strip's sums are the same whichever
        // task holds it.
        Parallel.forGuided(strips, 2, (s0, s1) -> {
            float[] pack = PACK.get();
            float[] c = partials(Math.min(block, s1 - s0) * M * NR);
            for (int b0 = s0; b0 < s1; b0 += block) {
                int b1 = Math.min(s1, b0 + block);
                for (int k0 = 0; k0 < K; k0 += KC) {
                    int kc = Math.min(KC, K - k0);
                    for (int s = b0; s < b1; s++) {
                        int j = s * NR, c0 = (s - b0) * M * NR;
                        if (k0 == 0) initPartials(c, c0, bs, M, j, Math.min(NR, N - j));
                        packer.pack(pack, 0, j, k0, kc);
                        rowTiles(ah, pack, 0, c, c0, M, k0, kc, K);
                    }
                }
                for (int s = b0; s < b1; s++) storePartials(o, c, (s - b0) * M * NR, M, 0, s * NR, N, epi);
            }
        });
    }

    // The batched product over columns [0, strips·NR) with the weight panels made by packer (gathered, widened or
    // dequantized from the stored format): 512-bit tiles run each strip's whole depth at once (wholeStrips); 256-bit
    // ones k-panel by k-panel, the rows' panel shared by a block of strips (packedStrips), as measured on the AVX2 machine.
    static void prefillStrips(MemorySegment o, MemorySegment a, MemorySegment bs, int M, int K, int N, int strips, int epi,
                              PanelPacker packer) {
        if (WIDE_TILE) wholeStrips(o, a, bs, M, K, N, strips, epi, packer, null);
        else packedStrips(o, a, bs, M, K, N, strips, epi, packer);
    }

    // As packedStrips, a strip at a time with all its depths packed first ([K][NR], by one packer call for depths
    // 0..K), or read from prepacked[s·K·NR ..] (laid out by packTransposed) when that is non-null. For the transposed
    // weight, whose rows are the strip's columns: the packer then reads each row of W from start to end. 512-bit
    // tiles run the whole depth at once, as segmentStrips does (the T=128 head 6 % faster on a Zen 4).
    private static void wholeStrips(MemorySegment o, MemorySegment a, MemorySegment bs, int M, int K, int N, int strips, int epi,
                                    PanelPacker packer, float[] prepacked) {
        float[] ah = interleavedRows(a, M, K);
        Parallel.forGuided(strips, 1, (s0, s1) -> {
            float[] sp = prepacked;
            if (sp == null) {
                float[][] sb = STRIP.get();
                if (sb[0].length < K * NR) sb[0] = new float[K * NR];
                sp = sb[0];
            }
            float[] c = partials(M * NR);
            for (int s = s0; s < s1; s++) {
                int j = s * NR, base = 0;
                if (prepacked == null) packer.pack(sp, 0, j, 0, K);
                else base = s * K * NR;
                initPartials(c, 0, bs, M, j, NR);
                if (WIDE_TILE) rowTiles(ah, sp, base, c, 0, M, 0, K, K);   // see segmentStrips
                else for (int k0 = 0; k0 < K; k0 += KC) rowTiles(ah, sp, base + k0 * NR, c, 0, M, k0, Math.min(KC, K - k0), K);
                storePartials(o, c, 0, M, 0, j, N, epi);
            }
        });
    }

    // Every row of one strip's partial sums c[c0..] (M,NR) += a[.., k0..k0+kc) · the panel p[p0..] [kc][NR].
    private static void rowTiles(float[] ah, float[] p, int p0, float[] c, int c0, int M, int k0, int kc, int K) {
        int i = 0;
        if (WIDE_TILE) for (; i + MR <= M; i += MR) tile4(ah, p, p0, c, c0 + i * NR, i, k0, kc, K);
        else for (; i + MR <= M; i += MR) { tile4x2(ah, p, p0, c, c0 + i * NR, i, k0, kc, K, 0); tile4x2(ah, p, p0, c, c0 + i * NR, i, k0, kc, K, 2 * L); }
        for (; i < M; i++) tile1(ah, p, p0, c, c0 + i * NR, i, k0, kc, K);
    }

    // This thread's partial-sum buffer, at least n floats.
    private static float[] partials(int n) {
        float[][] cb = CBUF.get();
        if (cb[0].length < n) cb[0] = new float[n];
        return cb[0];
    }

    // Partial sums c[c0..] (M,NR) start at the bias, columns past width (a padded last strip) at zero. (No FloatVector
    // crosses a method boundary anywhere in this class: a call the JIT does not inline would box every vector
    // argument, making a kernel ten times slower.)
    private static void initPartials(float[] c, int c0, MemorySegment b, int M, int j, int width) {
        if (b == null || width < NR) java.util.Arrays.fill(c, c0, c0 + M * NR, 0f);   // no bias (the LM head): +0.0f, as FloatVector.zero stores
        if (b == null) return;
        for (int i = 0; i < M; i++) {
            int v = 0;
            for (; v + L <= width; v += L) FloatVector.fromMemorySegment(S, b, (long) (j + v) * 4, LE).intoArray(c, c0 + i * NR + v);
            for (; v < width; v++) c[c0 + i * NR + v] = b.getAtIndex(F32, j + v);
        }
    }

    // out[i0 + i, j..j+width) = epilogue(c[c0..] (M,NR)) for i < M, width = min(NR, N - j): a padded last strip stores
    // its real columns only (vectors, then the scalar epilogue, which gives the same bits).
    private static void storePartials(MemorySegment o, float[] c, int c0, int M, int i0, int j, int N, int epi) {
        int width = Math.min(NR, N - j);
        for (int i = 0; i < M; i++) {
            int v = 0;
            for (; v + L <= width; v += L) {
                FloatVector x = FloatVector.fromArray(S, c, c0 + i * NR + v);
                long off = ((long) (i0 + i) * N + j + v) * 4;
                if (epi == GELU) x = Kernels.gelu(x);
                else if (epi == RESIDUAL) x = FloatVector.fromMemorySegment(S, o, off, LE).add(x);
                x.intoMemorySegment(o, off, LE);
            }
            for (; v < width; v++) {
                float x = c[c0 + i * NR + v];
                long oi = (long) (i0 + i) * N + j + v;
                if (epi == GELU) x = Kernels.geluScalar(x);
                else if (epi == RESIDUAL) x = o.getAtIndex(F32, oi) + x;
                o.setAtIndex(F32, oi, x);
            }
        }
    }

    /**
     * The input rows on the heap, each full group of MR rows interleaved ({@code [g][k][r]}: element (g·MR + r, k) at
     * g·MR·K + k·MR + r) so that a tile reads its MR values of one depth side by side; the last M % MR rows keep the
     * plain layout (row i at i·K), which is where the groups end. Same values: the fma chains do not change.
     */
    static float[] interleavedRows(MemorySegment a, int M, int K) {
        float[] ah = new float[Math.multiplyExact(M, K)];
        int full = M / MR * MR;
        MemorySegment.copy(a, F32, (long) full * K * 4, ah, full * K, (M - full) * K);
        Parallel.forChunks(full / MR, 1, (g0, g1) -> {
            float[] rows = new float[MR * K];
            for (int g = g0; g < g1; g++) {
                MemorySegment.copy(a, F32, (long) g * MR * K * 4, rows, 0, MR * K);
                int d = g * MR * K;
                for (int k = 0; k < K; k++, d += MR) {   // MR = 4 rows, written out
                    ah[d] = rows[k]; ah[d + 1] = rows[K + k]; ah[d + 2] = rows[2 * K + k]; ah[d + 3] = rows[3 * K + k];
                }
            }
        });
        return ah;
    }

    // rows i..i+3 of the partial sums c (M,NR) += a[i.., k0..k0+kc) · the packed panel p[p0..] [kc][NR]; a as interleavedRows
    private static void tile4(float[] a, float[] p, int p0, float[] c, int r0, int i, int k0, int kc, int K) {
        int r1 = r0 + NR, r2 = r1 + NR, r3 = r2 + NR;
        FloatVector c00 = FloatVector.fromArray(S, c, r0), c01 = FloatVector.fromArray(S, c, r0 + L),
                c02 = FloatVector.fromArray(S, c, r0 + 2 * L), c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1), c11 = FloatVector.fromArray(S, c, r1 + L),
                c12 = FloatVector.fromArray(S, c, r1 + 2 * L), c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2), c21 = FloatVector.fromArray(S, c, r2 + L),
                c22 = FloatVector.fromArray(S, c, r2 + 2 * L), c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3), c31 = FloatVector.fromArray(S, c, r3 + L),
                c32 = FloatVector.fromArray(S, c, r3 + 2 * L), c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
        // One index into each operand, both advancing linearly: few live general registers, so the JIT keeps the
        // loop free of spills and of the register moves that would share the two FMA ports.
        // Two depths per iteration: half the loop's scalar work (index updates, compare, branch), which would
        // otherwise take issue slots on the two ports that also run the 512-bit FMAs.
        int ia = i * K + k0 * MR, q = p0, end = ia + kc * MR, end2 = ia + (kc & ~1) * MR;
        for (; ia < end2; ia += 2 * MR, q += 2 * NR) {
            FloatVector w0 = FloatVector.fromArray(S, p, q), w1 = FloatVector.fromArray(S, p, q + L),
                    w2 = FloatVector.fromArray(S, p, q + 2 * L), w3 = FloatVector.fromArray(S, p, q + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[ia]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
            w0 = FloatVector.fromArray(S, p, q + NR); w1 = FloatVector.fromArray(S, p, q + NR + L);
            w2 = FloatVector.fromArray(S, p, q + NR + 2 * L); w3 = FloatVector.fromArray(S, p, q + NR + 3 * L);
            x = FloatVector.broadcast(S, a[ia + MR]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + MR + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + MR + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + MR + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
        }
        if (ia < end) {   // an odd depth count's last depth
            FloatVector w0 = FloatVector.fromArray(S, p, q), w1 = FloatVector.fromArray(S, p, q + L),
                    w2 = FloatVector.fromArray(S, p, q + 2 * L), w3 = FloatVector.fromArray(S, p, q + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[ia]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01); c02 = w2.fma(x, c02); c03 = w3.fma(x, c03);
            x = FloatVector.broadcast(S, a[ia + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11); c12 = w2.fma(x, c12); c13 = w3.fma(x, c13);
            x = FloatVector.broadcast(S, a[ia + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21); c22 = w2.fma(x, c22); c23 = w3.fma(x, c23);
            x = FloatVector.broadcast(S, a[ia + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31); c32 = w2.fma(x, c32); c33 = w3.fma(x, c33);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L); c02.intoArray(c, r0 + 2 * L); c03.intoArray(c, r0 + 3 * L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L); c12.intoArray(c, r1 + 2 * L); c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L); c22.intoArray(c, r2 + 2 * L); c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L); c32.intoArray(c, r3 + 2 * L); c33.intoArray(c, r3 + 3 * L);
    }

    // rows i..i+3, columns v0..v0+2L of the strip's partial sums c (M,NR) += a · the panel p[p0..] [kc][NR]: tile4 for
    // a register file of 16 vectors (see WIDE_TILE). One depth per iteration: unrolled by two it ran slower on Zen 3.
    private static void tile4x2(float[] a, float[] p, int p0, float[] c, int r0, int i, int k0, int kc, int K, int v0) {
        r0 += v0;
        int r1 = r0 + NR, r2 = r1 + NR, r3 = r2 + NR;
        FloatVector c00 = FloatVector.fromArray(S, c, r0), c01 = FloatVector.fromArray(S, c, r0 + L);
        FloatVector c10 = FloatVector.fromArray(S, c, r1), c11 = FloatVector.fromArray(S, c, r1 + L);
        FloatVector c20 = FloatVector.fromArray(S, c, r2), c21 = FloatVector.fromArray(S, c, r2 + L);
        FloatVector c30 = FloatVector.fromArray(S, c, r3), c31 = FloatVector.fromArray(S, c, r3 + L);
        for (int ia = i * K + k0 * MR, q = p0 + v0, end = ia + kc * MR; ia < end; ia += MR, q += NR) {
            FloatVector w0 = FloatVector.fromArray(S, p, q), w1 = FloatVector.fromArray(S, p, q + L);
            FloatVector x = FloatVector.broadcast(S, a[ia]);
            c00 = w0.fma(x, c00); c01 = w1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ia + 1]);
            c10 = w0.fma(x, c10); c11 = w1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ia + 2]);
            c20 = w0.fma(x, c20); c21 = w1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ia + 3]);
            c30 = w0.fma(x, c30); c31 = w1.fma(x, c31);
        }
        c00.intoArray(c, r0); c01.intoArray(c, r0 + L);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + L);
    }

    private static void tile1(float[] a, float[] p, int p0, float[] c, int r0, int i, int k0, int kc, int K) {
        FloatVector c0 = FloatVector.fromArray(S, c, r0), c1 = FloatVector.fromArray(S, c, r0 + L),
                c2 = FloatVector.fromArray(S, c, r0 + 2 * L), c3 = FloatVector.fromArray(S, c, r0 + 3 * L);
        int a0 = i * K + k0;
        for (int kk = 0; kk < kc; kk++) {
            int q = p0 + kk * NR;
            FloatVector x = FloatVector.broadcast(S, a[a0 + kk]);
            c0 = FloatVector.fromArray(S, p, q).fma(x, c0);
            c1 = FloatVector.fromArray(S, p, q + L).fma(x, c1);
            c2 = FloatVector.fromArray(S, p, q + 2 * L).fma(x, c2);
            c3 = FloatVector.fromArray(S, p, q + 3 * L).fma(x, c3);
        }
        c0.intoArray(c, r0); c1.intoArray(c, r0 + L); c2.intoArray(c, r0 + 2 * L); c3.intoArray(c, r0 + 3 * L);
    }

    // Decode path: one row against an 8-vector strip of w streamed from memory, row by row of w.
    private static void rowStrip8(MemorySegment o, float[] ah, MemorySegment w, MemorySegment b, int i, int j, int K, int N, int epi) {
        FloatVector c0, c1, c2, c3, c4, c5, c6, c7;
        if (b == null) {
            c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = FloatVector.zero(S);
        } else {
            long bo = (long) j * 4, v = 4L * L;
            c0 = FloatVector.fromMemorySegment(S, b, bo, LE); c1 = FloatVector.fromMemorySegment(S, b, bo + v, LE);
            c2 = FloatVector.fromMemorySegment(S, b, bo + 2 * v, LE); c3 = FloatVector.fromMemorySegment(S, b, bo + 3 * v, LE);
            c4 = FloatVector.fromMemorySegment(S, b, bo + 4 * v, LE); c5 = FloatVector.fromMemorySegment(S, b, bo + 5 * v, LE);
            c6 = FloatVector.fromMemorySegment(S, b, bo + 6 * v, LE); c7 = FloatVector.fromMemorySegment(S, b, bo + 7 * v, LE);
        }
        int x0 = i * K, step = STREAM_STEP;
        long v = 4L * L;
        for (int k = 0; k < K; k += step) {
            FloatVector x = FloatVector.broadcast(S, ah[x0 + k]);
            long wo = ((long) k * N + j) * 4;
            c0 = FloatVector.fromMemorySegment(S, w, wo, LE).fma(x, c0);
            c1 = FloatVector.fromMemorySegment(S, w, wo + v, LE).fma(x, c1);
            c2 = FloatVector.fromMemorySegment(S, w, wo + 2 * v, LE).fma(x, c2);
            c3 = FloatVector.fromMemorySegment(S, w, wo + 3 * v, LE).fma(x, c3);
            c4 = FloatVector.fromMemorySegment(S, w, wo + 4 * v, LE).fma(x, c4);
            c5 = FloatVector.fromMemorySegment(S, w, wo + 5 * v, LE).fma(x, c5);
            c6 = FloatVector.fromMemorySegment(S, w, wo + 6 * v, LE).fma(x, c6);
            c7 = FloatVector.fromMemorySegment(S, w, wo + 7 * v, LE).fma(x, c7);
        }
        float[] c = ROW.get();
        c0.intoArray(c, 0); c1.intoArray(c, L); c2.intoArray(c, 2 * L); c3.intoArray(c, 3 * L);
        c4.intoArray(c, 4 * L); c5.intoArray(c, 5 * L); c6.intoArray(c, 6 * L); c7.intoArray(c, 7 * L);
        storeRow(o, c, NV, (long) i * N + j, epi);
    }

    static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[NV]);

    /**
     * The step of k in the loops that stream weights from memory (the decode path's kernels here and in HalfMatmul and
     * Q8Matmul): a field, not the constant 1, so that the stride is no compile-time constant and C2 does not treat the
     * loop as counted, which is what keeps it from unrolling it. Unrolled 8×, C2 emitted each accumulator's eight fmas
     * back to back (dependent chains, one accumulator after another), the out-of-order window filled with fmas waiting
     * on their chain, fewer loads were in flight, and the weights streamed at 18–23 GB/s where the same loop not
     * unrolled reads 45–50 GB/s (2-core AMD EPYC Zen 4, 2026-12-07; -XX:LoopMaxUnroll=1 gives the same). Not final on
     * purpose: a final field would be folded into the constant and the loop unrolled again. The sums are unchanged:
     * every chain still runs k in order.
     */
    static int STREAM_STEP = 1;

    /**
     * The decode path's input rows (M,K) copied to the heap once per product: its kernels broadcast each x[k] from
     * this array. Read from the segment inside the k loop, the same broadcast cut the weights' stream to about half
     * of what the same loop reaches from an array (Zen 4, 2026-12-07).
     */
    static float[] heapRows(MemorySegment a, int M, int K) {
        float[] ah = new float[Math.multiplyExact(M, K)];
        MemorySegment.copy(a, F32, 0, ah, 0, ah.length);
        return ah;
    }

    // out[oi .. oi+n) = epilogue(c[0..n)), n a multiple of L
    static void storeRow(MemorySegment o, float[] c, int n, long oi, int epi) {
        for (int v = 0; v < n; v += L) {
            FloatVector x = FloatVector.fromArray(S, c, v);
            long off = (oi + v) * 4;
            if (epi == GELU) x = Kernels.gelu(x);
            else if (epi == RESIDUAL) x = FloatVector.fromMemorySegment(S, o, off, LE).add(x);
            x.intoMemorySegment(o, off, LE);
        }
    }

    // Columns j0..N-1 (fewer than a tile): one vector at a time, then scalar fma chains; split over rows.
    private static void narrowColumns(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int M, int K, int N, int j0, int epi) {
        if (j0 >= N) return;
        Parallel.forChunks(M, 8, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                long a0 = (long) i * K;
                int j = j0;
                for (; j + L <= N; j += L) {
                    FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, b, (long) j * 4, LE);
                    for (int k = 0; k < K; k++) {
                        acc = FloatVector.fromMemorySegment(S, w, ((long) k * N + j) * 4, LE)
                                .fma(FloatVector.broadcast(S, a.getAtIndex(F32, a0 + k)), acc);
                    }
                    float[] c = ROW.get();
                    acc.intoArray(c, 0);
                    storeRow(o, c, L, (long) i * N + j, epi);
                }
                for (; j < N; j++) {
                    float s = b == null ? 0f : b.getAtIndex(F32, j);
                    for (int k = 0; k < K; k++) s = Math.fma(w.getAtIndex(F32, (long) k * N + j), a.getAtIndex(F32, a0 + k), s);
                    long oi = (long) i * N + j;
                    if (epi == GELU) s = Kernels.geluScalar(s);
                    else if (epi == RESIDUAL) s = o.getAtIndex(F32, oi) + s;
                    o.setAtIndex(F32, oi, s);
                }
            }
        });
    }

    /** out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N); bias may be null. */
    public static void matmulTransposed(Tensor out, Tensor inp, Tensor w, Tensor bias) {
        int N = w.dim(0), K = w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.segment(), bs = bias == null ? null : bias.segment();
        // Every element: L lane-partial fma chains over k in vector steps, a fixed pairwise lane sum (laneSum),
        // the scalar k tail in order, then the bias: the same whatever the tile or the thread count.
        // A task owns TB rows of w (TB x K stays in L2) and runs every input row against them, 4x4 at a time.
        if (M >= GEMM_MIN_ROWS) {
            // Batched (prefill, scoring): pack 64 rows of W transposed into a [K][64] strip and run the same 4×64
            // register tiles as matmul — the dot-product form below is bound by its lane sums at this size.
            int strips = N / NR;
            wholeStrips(o, a, bs, M, K, N, strips, NONE, (pack, d0, j, k0, kc) -> packTransposedPanel(ws, K, pack, d0, j, k0, kc), null);
            int n0 = strips * NR;
            if (n0 < N) dotsRange(o, a, ws, bs, M, K, N, n0);
            return;
        }
        dotsRange(o, a, ws, bs, M, K, N, 0);
    }

    // The panel of W (N,K) for output columns j..j+NR and depths k0..k0+kc, transposed into pack[d0..] as [kc][NR]:
    // L×L squares (L rows of W, L depths) loaded as L vectors, transposed in registers' width (transposeSquare) and
    // stored as L vectors of the panel; depths past the last full square are copied one float at a time.
    private static void packTransposedPanel(MemorySegment ws, int K, float[] pack, int d0, int j, int k0, int kc) {
        float[] t = SQUARE.get();
        int full = kc / L * L;
        for (int c0 = 0; c0 < NR; c0 += L) {
            long row0 = ((long) (j + c0) * K + k0) * 4;
            for (int kk = 0; kk < full; kk += L) {
                for (int r = 0; r < L; r++) FloatVector.fromMemorySegment(S, ws, row0 + ((long) r * K + kk) * 4, LE).intoArray(t, r * L);
                transposeSquare(t);
                for (int l = 0; l < L; l++) FloatVector.fromArray(S, t, l * L).intoArray(pack, d0 + (kk + l) * NR + c0);
            }
            for (int kk = full; kk < kc; kk++) {
                for (int c = 0; c < L; c++) pack[d0 + kk * NR + c0 + c] = ws.get(F32, row0 + ((long) c * K + kk) * 4);
            }
        }
    }

    private static final ThreadLocal<float[]> SQUARE = ThreadLocal.withInitial(() -> new float[L * L]);
    /** Per stage (distance L/2, L/4, .., 1), the lane indexes into (lo, hi) of the new lo and the new hi row. */
    private static final float[][] SWAP_LO = new float[Integer.numberOfTrailingZeros(L)][L], SWAP_HI = new float[SWAP_LO.length][L];
    static {
        for (int st = 0, d = L / 2; d >= 1; d >>= 1, st++) {
            for (int l = 0; l < L; l++) {
                boolean low = (l & d) == 0;
                SWAP_LO[st][l] = low ? l : L + l - d;
                SWAP_HI[st][l] = low ? l + d : L + l;
            }
        }
    }

    // t (L,L) row-major transposed in place. Stage d swaps bit log2(d) of the row index with that of the lane index
    // (rows i and i + d exchange their off-diagonal d-wide blocks); after every bit, rows and lanes have traded places.
    // Moves only: the values are the same floats.
    private static void transposeSquare(float[] t) {
        for (int st = 0, d = L / 2; d >= 1; d >>= 1, st++) {
            FloatVector lo = FloatVector.fromArray(S, SWAP_LO[st], 0), hi = FloatVector.fromArray(S, SWAP_HI[st], 0);
            for (int i = 0; i < L; i++) {
                if ((i & d) != 0) continue;
                FloatVector a = FloatVector.fromArray(S, t, i * L), b = FloatVector.fromArray(S, t, (i + d) * L);
                lo.selectFrom(a, b).intoArray(t, i * L);
                hi.selectFrom(a, b).intoArray(t, (i + d) * L);
            }
        }
    }

    /**
     * A weight W (N,K) for {@link #matmulTransposed(Tensor, Tensor, Packed)}: every panel the batched path would pack
     * on each call, packed once (a copy, N·K floats). For a caller that multiplies many row blocks by the same W
     * within one call of its own (the LM head over chunks of rows); W must not change while the copy is in use.
     */
    public static final class Packed {
        final Tensor w;
        final float[] panels;   // strip s, depth k0: [(s·K + k0)·NR ..], kc·NR floats as [kc][NR]

        private Packed(Tensor w, float[] panels) { this.w = w; this.panels = panels; }
    }

    /** W (N,K) packed for repeated {@link #matmulTransposed(Tensor, Tensor, Packed)} calls. */
    public static Packed packTransposed(Tensor w) {
        int N = w.dim(0), K = w.dim(1), strips = N / NR;
        float[] panels = new float[Math.multiplyExact(strips * NR, K)];
        MemorySegment ws = w.segment();
        Parallel.forChunks(strips, 1, (s0, s1) -> {
            for (int s = s0; s < s1; s++) {
                for (int k0 = 0; k0 < K; k0 += KC) packTransposedPanel(ws, K, panels, (s * K + k0) * NR, s * NR, k0, Math.min(KC, K - k0));
            }
        });
        return new Packed(w, panels);
    }

    /**
     * {@link #matmulTransposed(Tensor, Tensor, Tensor, Tensor)} without bias, on a W packed once by {@link #packTransposed}:
     * bit-identical to it (the same panels, tiles and column tail), minus the packing.
     */
    public static void matmulTransposed(Tensor out, Tensor inp, Packed w) { matmulTransposed(out, inp, w, null); }

    /** {@link #matmulTransposed(Tensor, Tensor, Tensor, Tensor)} on a W packed once by {@link #packTransposed}: bit-identical to it. */
    public static void matmulTransposed(Tensor out, Tensor inp, Packed w, Tensor bias) {
        int N = w.w.dim(0), K = w.w.dim(1);
        int M = rows(inp, K, "inp");
        checkOut(out, M, N);
        if (M < GEMM_MIN_ROWS) {   // the decode path packs nothing
            matmulTransposed(out, inp, w.w, bias);
            return;
        }
        if (bias != null && bias.size() != N) throw new IllegalArgumentException("bias has " + bias.size() + " elements, expected " + N);
        MemorySegment o = out.segment(), a = inp.segment(), ws = w.w.segment(), bs = bias == null ? null : bias.segment();
        int strips = N / NR;
        wholeStrips(o, a, bs, M, K, N, strips, NONE, null, w.panels);
        int n0 = strips * NR;
        if (n0 < N) dotsRange(o, a, ws, bs, M, K, N, n0);
    }

    /**
     * Per row of x = inp · Wᵀ (W packed by {@link #packTransposed}): {@code lse} the row's log-sum-exp, {@code max} its
     * max, {@code picked} its element at the column asked for, {@code exact} whether {@code lse} is bit for bit what
     * {@link Kernels#logSumExp} gives on the row of {@link #matmulTransposed(Tensor, Tensor, Packed)}'s output, and
     * {@code guessAt} the first column of the packed strips (the first N − N mod NR) holding the guess (−1 if none
     * or not asked for).
     */
    public record RowStats(float[] lse, float[] max, float[] picked, boolean[] exact, int[] guessAt) {}

    /**
     * {@link RowStats} of x = inp · Wᵀ without writing x. logSumExp subtracts the row's max before its sum, so its sum
     * can only start once every element exists: here the sum runs beside the product with {@code guess[i]} in place
     * of the max, each element made by the chain it has in {@link #matmulTransposed(Tensor, Tensor, Packed)} on a
     * batch of at least {@link #GEMM_MIN_ROWS} rows and added in logSumExp's order (a lane per column mod L, columns
     * ascending). Where guess[i] turns out to be the row's max bit for bit, the row is {@code exact}; elsewhere a
     * second call with {@code guess = max} makes it so, unless the row holds a NaN or ±∞ or its max is zero (then
     * never: the product must be written out for it).
     */
    public static RowStats rowLogSumExp(Tensor inp, Packed w, float[] guess, int[] cols, boolean findGuess) {
        int N = w.w.dim(0), K = w.w.dim(1);
        int M = rows(inp, K, "inp");
        if (guess.length != M || cols.length != M) {
            throw new IllegalArgumentException("rowLogSumExp: " + M + " rows, " + guess.length + " guesses, " + cols.length + " columns");
        }
        for (int col : cols) if (col < 0 || col >= N) throw new IllegalArgumentException("column " + col + " is outside [0, " + N + ")");
        int strips = N / NR, n0 = strips * NR, vv = N - N % L, groups = (Math.max(M, GEMM_MIN_ROWS) + MR - 1) / MR, Mp = groups * MR;
        float[] gs = new float[Mp], accs = new float[Mp * L], mxs = new float[Mp * L], picked = new float[Mp];
        int[] cs = new int[Mp], at = findGuess ? new int[Mp] : null;
        java.util.Arrays.fill(mxs, Float.NEGATIVE_INFINITY);
        if (at != null) java.util.Arrays.fill(at, -1);
        for (int i = 0; i < Mp; i++) { gs[i] = guess[Math.min(i, M - 1)]; cs[i] = cols[Math.min(i, M - 1)]; }
        float[] tail, ah;
        int nt = N - n0;
        try (java.lang.foreign.Arena tmp = java.lang.foreign.Arena.ofShared()) {
            // Rows past M repeat row M − 1 (their results dropped): full tiles, and at least GEMM_MIN_ROWS rows, so
            // the last columns take matmulTransposed's batched path, the one whose bits the row's elements have.
            Tensor a = Tensor.allocate(tmp, Mp, K);
            for (int i = 0; i < Mp; i++) a.row(i).copyFrom(inp.slice((long) Math.min(i, M - 1) * K, K));
            ah = interleavedRows(a.segment(), Mp, K);
            Tensor t = Tensor.allocate(tmp, Mp, Math.max(1, nt));
            if (nt > 0) matmulTransposed(t, a, w.w.slice((long) n0 * K, nt, K), null);
            tail = t.toArray();
        }
        // Strips a block at a time, its panels half of a core's L2 (16 strips of depth 128 in 1 MiB): the threads take
        // row groups as they come (a slow core does not hold the other back), each reading the block once into its L2,
        // and a row's block runs only after its block before (the call returns between them), so its sum keeps its order.
        int block = Math.clamp(CpuCaches.l2() / 2 / ((long) K * NR * Float.BYTES), 1, Math.max(1, strips));
        for (int s0 = 0; s0 < strips; s0 += block) {
            int s1 = Math.min(strips, s0 + block), b0 = s0;
            Parallel.forGuided(groups, 1, (g0, g1) -> {
                float[] c = partials(MR * NR);
                for (int s = b0; s < s1; s++) {
                    for (int g = g0; g < g1; g++) {
                        tileGroup(ah, w.panels, s * K * NR, c, g * MR, K);
                        for (int r = 0; r < MR; r++) expSums(c, r * NR, NR, s * NR, g * MR + r, gs, accs, mxs, at, cs, picked);
                    }
                }
            });
        }
        float[] lse = new float[M], max = new float[M];
        boolean[] exact = new boolean[M];
        // Lane by lane in scalars (the same max; VectorMath.sumLanes is sum's tree): this loop runs once per call, so
        // the JIT compiles it late, and vector code outside compiled code allocates at every operation.
        for (int i = 0; i < M; i++) {
            if (nt > 0) expSums(tail, i * nt, vv - n0, n0, i, gs, accs, mxs, null, cs, picked);
            float mx = Float.NEGATIVE_INFINITY;
            for (int l = 0; l < L; l++) mx = Math.max(mx, mxs[i * L + l]);
            for (int c = vv; c < N; c++) mx = Math.max(mx, tail[i * nt + c - n0]);
            double sum = VectorMath.sumLanes(accs, i * L);
            for (int c = vv; c < N; c++) {
                float x = tail[i * nt + c - n0];
                sum += VectorMath.exp(x - mx);
                if (cs[i] == c) picked[i] = x;
            }
            max[i] = mx;
            lse[i] = (float) (mx + StrictMath.log(sum));
            // The lanes' max skips NaNs and may keep −0 before +0 (Math.max would not): rows it could get wrong are
            // never exact. A NaN element (or ∞ − ∞) makes the sum NaN.
            exact[i] = Float.floatToRawIntBits(mx) == Float.floatToRawIntBits(guess[i]) && mx != 0 && Float.isFinite(mx)
                    && !Float.isNaN(lse[i]);
        }
        return new RowStats(lse, max, java.util.Arrays.copyOf(picked, M), exact, at == null ? null : java.util.Arrays.copyOf(at, M));
    }

    // Rows i..i+MR-1 of the strip's product, from zero, into c (MR,NR): a[i.., 0..K) · the strip's panels p[p0..]
    // [K][NR], by the tiles and depth panels wholeStrips runs.
    private static void tileGroup(float[] ah, float[] p, int p0, float[] c, int i, int K) {
        java.util.Arrays.fill(c, 0, MR * NR, 0f);
        if (WIDE_TILE) tile4(ah, p, p0, c, 0, i, 0, K, K);
        else for (int k0 = 0; k0 < K; k0 += KC) {
            int kc = Math.min(KC, K - k0);
            tile4x2(ah, p, p0 + k0 * NR, c, 0, i, k0, kc, K, 0);
            tile4x2(ah, p, p0 + k0 * NR, c, 0, i, k0, kc, K, 2 * L);
        }
    }

    // Row i's running sums over columns j..j+n (n a multiple of L), their values at x[x0..]: accs[i·L..] += exp(x − gs[i])
    // a vector at a time in column order, mxs[i·L..] = the lanes' max by compare and blend (two instructions, where
    // Java's NaN- and zero-sign-aware max takes several), at[i] (unless null) the first column holding gs[i], and
    // picked[i] the value at column cs[i] if it lies here. Every lane of a row whose max is gs[i] has x − gs[i] ≤ 0,
    // where expNonPositive gives exp's bits.
    private static void expSums(float[] x, int x0, int n, int j, int i, float[] gs, float[] accs, float[] mxs, int[] at,
                                int[] cs, float[] picked) {
        FloatVector g = FloatVector.broadcast(S, gs[i]);
        FloatVector acc = FloatVector.fromArray(S, accs, i * L), mx = FloatVector.fromArray(S, mxs, i * L);
        for (int v = 0; v < n; v += L) {
            FloatVector e = FloatVector.fromArray(S, x, x0 + v);
            mx = mx.blend(e, e.compare(jdk.incubator.vector.VectorOperators.GT, mx));
            acc = acc.add(VectorMath.expNonPositive(e.sub(g)));
        }
        acc.intoArray(accs, i * L);
        mx.intoArray(mxs, i * L);
        if (at != null && at[i] < 0) {
            for (int q = 0; q < n; q++) if (x[x0 + q] == gs[i]) { at[i] = j + q; break; }
        }
        int pc = cs[i] - j;
        if (pc >= 0 && pc < n) picked[i] = x[x0 + pc];
    }

    // Columns n0..N-1 of out = inp · wᵀ + b in the dot-product form (each element: lane partials, fixed lane sum).
    private static void dotsRange(MemorySegment o, MemorySegment a, MemorySegment ws, MemorySegment bs, int M, int K, int N, int nStart) {
        int blocks = (N - nStart + TB - 1) / TB;
        float[] ah = M < 4 ? heapRows(a, M, K) : null;
        Parallel.forChunks(blocks, 1, (b0, b1) -> {
            float[] t = LANES.get();   // once per task: a ThreadLocal lookup per tile costs more than a small tile
            for (int blk = b0; blk < b1; blk++) {
                int nEnd = Math.min(N, nStart + (blk + 1) * TB);
                int n0 = nStart + blk * TB;
                if (M < 4) { // decode: one row of w after another, read front to back (memory-bound)
                    for (; n0 < nEnd; n0++) for (int i = 0; i < M; i++) dotRow(o, ah, ws, bs, i, n0, K, N, t);
                }
                for (int n = n0; n < nEnd; n += 4) {
                    if (n + 4 <= nEnd) {
                        int i = 0;
                        for (; i + 4 <= M; i += 4) dots4x4(o, a, ws, bs, i, n, K, N, t);
                        for (; i < M; i++) dots1x4(o, a, ws, bs, i, n, K, N, t);
                    } else {
                        for (int i = 0; i < M; i++) for (int nn = n; nn < nEnd; nn++) {
                            float s = dot(a, (long) i * K, ws, (long) nn * K, K, t);
                            o.setAtIndex(F32, (long) i * N + nn, bs == null ? s : s + bs.getAtIndex(F32, nn));
                        }
                    }
                }
            }
        });
    }

    /** Rows of w per task of {@link #matmulTransposed}. */
    static final int TB = 64;

    private static void dots4x4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, float[] t) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        long x0 = (long) i * K * 4, x1 = x0 + 4L * K, x2 = x1 + 4L * K, x3 = x2 + 4L * K;
        long w0 = (long) n * K * 4, w1 = w0 + 4L * K, w2 = w1 + 4L * K, w3 = w2 + 4L * K;
        int kv = K - K % L;
        for (long k = 0; k < 4L * kv; k += 4L * L) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, w, w0 + k, LE);
            FloatVector v1 = FloatVector.fromMemorySegment(S, w, w1 + k, LE);
            FloatVector v2 = FloatVector.fromMemorySegment(S, w, w2 + k, LE);
            FloatVector v3 = FloatVector.fromMemorySegment(S, w, w3 + k, LE);
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            c00 = a0.fma(v0, c00); c01 = a0.fma(v1, c01); c02 = a0.fma(v2, c02); c03 = a0.fma(v3, c03);
            FloatVector a1 = FloatVector.fromMemorySegment(S, a, x1 + k, LE);
            c10 = a1.fma(v0, c10); c11 = a1.fma(v1, c11); c12 = a1.fma(v2, c12); c13 = a1.fma(v3, c13);
            FloatVector a2 = FloatVector.fromMemorySegment(S, a, x2 + k, LE);
            c20 = a2.fma(v0, c20); c21 = a2.fma(v1, c21); c22 = a2.fma(v2, c22); c23 = a2.fma(v3, c23);
            FloatVector a3 = FloatVector.fromMemorySegment(S, a, x3 + k, LE);
            c30 = a3.fma(v0, c30); c31 = a3.fma(v1, c31); c32 = a3.fma(v2, c32); c33 = a3.fma(v3, c33);
        }
        c00.intoArray(t, 0); c01.intoArray(t, L); c02.intoArray(t, 2 * L); c03.intoArray(t, 3 * L);
        c10.intoArray(t, 4 * L); c11.intoArray(t, 5 * L); c12.intoArray(t, 6 * L); c13.intoArray(t, 7 * L);
        c20.intoArray(t, 8 * L); c21.intoArray(t, 9 * L); c22.intoArray(t, 10 * L); c23.intoArray(t, 11 * L);
        c30.intoArray(t, 12 * L); c31.intoArray(t, 13 * L); c32.intoArray(t, 14 * L); c33.intoArray(t, 15 * L);
        for (int r = 0; r < 4; r++) finish4(o, a, w, b, i + r, n, K, N, kv, t, 4 * r * L);
    }

    private static void dots1x4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, float[] t) {
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
        long x0 = (long) i * K * 4;
        long w0 = (long) n * K * 4, w1 = w0 + 4L * K, w2 = w1 + 4L * K, w3 = w2 + 4L * K;
        int kv = K - K % L;
        for (long k = 0, step = 4L * L * STREAM_STEP; k < 4L * kv; k += step) {
            FloatVector a0 = FloatVector.fromMemorySegment(S, a, x0 + k, LE);
            c0 = a0.fma(FloatVector.fromMemorySegment(S, w, w0 + k, LE), c0);
            c1 = a0.fma(FloatVector.fromMemorySegment(S, w, w1 + k, LE), c1);
            c2 = a0.fma(FloatVector.fromMemorySegment(S, w, w2 + k, LE), c2);
            c3 = a0.fma(FloatVector.fromMemorySegment(S, w, w3 + k, LE), c3);
        }
        c0.intoArray(t, 0); c1.intoArray(t, L); c2.intoArray(t, 2 * L); c3.intoArray(t, 3 * L);
        finish4(o, a, w, b, i, n, K, N, kv, t, 0);
    }

    // Decode: out[i, n] = inp row i · row n of w + b[n], as finish4 completes dots1x4's rows (lane partials over k in
    // vector steps, the fixed lane sum, the scalar tail in order, the bias). Called row after row of w, it reads w as
    // one stream; eight rows at once (eight 3 KiB streams a step) read the tied head about 15 % slower on a Zen 4.
    private static void dotRow(MemorySegment o, float[] ah, MemorySegment w, MemorySegment b, int i, int n, int K, int N, float[] t) {
        FloatVector acc = FloatVector.zero(S);
        int kv = K - K % L, x0 = i * K;
        long w0 = (long) n * K * 4;
        for (int k = 0, step = L * STREAM_STEP; k < kv; k += step) {
            acc = FloatVector.fromArray(S, ah, x0 + k).fma(FloatVector.fromMemorySegment(S, w, w0 + 4L * k, LE), acc);
        }
        acc.intoArray(t, 0);
        float s = laneSum(t, 0);
        for (int k = kv; k < K; k++) s = Math.fma(ah[x0 + k], w.getAtIndex(F32, (long) n * K + k), s);
        if (b != null) s += b.getAtIndex(F32, n);
        o.setAtIndex(F32, (long) i * N + n, s);
    }

    // Row i, columns n..n+3: lane sums, scalar k tail, bias.
    private static void finish4(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int N, int kv,
                                float[] t, int off) {
        long oi = (long) i * N + n;
        for (int c = 0; c < 4; c++) finish1(o, a, w, b, i, n + c, K, kv, oi + c, laneSum(t, off + c * L));
    }

    private static void finish1(MemorySegment o, MemorySegment a, MemorySegment w, MemorySegment b, int i, int n, int K, int kv, long oi, float s) {
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, (long) i * K + k), w.getAtIndex(F32, (long) n * K + k), s);
        if (b != null) s += b.getAtIndex(F32, n);
        o.setAtIndex(F32, oi, s);
    }

    static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[16 * L]);

    /**
     * Sum of the L lane partials t[off..off+L) in a fixed pairwise order. (Not reduceLanes, whose order is the
     * JIT's and may differ between interpreted and compiled code; and the vectors are stored to an array by the
     * caller because a FloatVector passed to a method the JIT does not inline is boxed.)
     */
    static float laneSum(float[] t, int off) {
        for (int w = L / 2; w >= 1; w /= 2) for (int j = 0; j < w; j++) t[off + j] += t[off + j + w];
        return t[off];
    }

    /** Dot product of two float runs of length K starting at element offsets x and y. */
    static float dot(MemorySegment a, long x, MemorySegment b, long y, int K) {
        return dot(a, x, b, y, K, LANES.get());
    }

    /** {@link #dot(MemorySegment, long, MemorySegment, long, int)} with the caller's lane scratch (≥ L floats). */
    static float dot(MemorySegment a, long x, MemorySegment b, long y, int K, float[] t) {
        FloatVector acc = FloatVector.zero(S);
        int kv = K - K % L;
        for (int k = 0; k < kv; k += L) {
            acc = FloatVector.fromMemorySegment(S, a, (x + k) * 4, LE).fma(FloatVector.fromMemorySegment(S, b, (y + k) * 4, LE), acc);
        }
        acc.intoArray(t, 0);
        float s = laneSum(t, 0);
        for (int k = kv; k < K; k++) s = Math.fma(a.getAtIndex(F32, x + k), b.getAtIndex(F32, y + k), s);
        return s;
    }

    static int rows(Tensor inp, int K, String what) {
        if (inp.dim(-1) != K) {
            throw new IllegalArgumentException(what + " last dimension " + inp.dim(-1) + " does not match the weight's inner dimension " + K);
        }
        return Math.toIntExact(inp.size() / K);
    }

    static void checkOut(Tensor out, int M, int N) {
        if (out.size() != (long) M * N || out.dim(-1) != N) {
            throw new IllegalArgumentException("out " + out + " is not (" + M + "," + N + ")");
        }
    }
}
