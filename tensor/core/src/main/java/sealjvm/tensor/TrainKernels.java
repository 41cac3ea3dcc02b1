package sealjvm.tensor;

import static sealjvm.tensor.Matmul.L;
import static sealjvm.tensor.Matmul.LE;
import static sealjvm.tensor.Matmul.S;
import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The kernels training needs, llm.c-style: each op a forward/backward pair with its shapes in a comment.
 * Forwards here keep what their backward needs (layernorm statistics, attention probabilities); the plain
 * forwards in {@link Kernels} and {@link Matmul} serve inference.
 *
 * <p>Conventions: gradients of parameters ({@code dweight}, {@code dbias}) are ACCUMULATED (+=), so micro-batches
 * add up; gradients of activations are overwritten unless the comment says "+=". A null parameter gradient
 * means "not needed" and is skipped. Every reduction runs in an order fixed by the shapes alone, never by the
 * thread count: the same inputs give the same bits on 1 or 16 threads (exact resume depends on it).
 */
public final class TrainKernels {
    private TrainKernels() {}

    /** Rows per partial sum of the parameter gradients of layernorm: fixed, so the sum order is too. */
    private static final int LN_ROWS = 64;

    // ---------------------------------------------------------------------------------------------- layernorm

    /** inp (N,C) -> out (N,C), mean (N), rstd (N): {@link Kernels#layernorm} keeping its statistics. */
    public static void layernormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, float eps) {
        Kernels.layernorm(out, inp, weight, bias, eps, mean, rstd);
    }

    /**
     * dout (N,C) -> dinp (N,C) +=, dweight (C) +=, dbias (C) +=.
     * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) with g = weight·dout, x̂ = (x − mean)·rstd.
     */
    public static void layernormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                         Tensor mean, Tensor rstd) {
        int C = inp.dim(-1);
        int N = Math.toIntExact(inp.size() / C);
        int chunks = (N + LN_ROWS - 1) / LN_ROWS;
        boolean params = dweight != null || dbias != null;
        float[][] partial = params ? new float[chunks][2 * C] : null;   // [dweight | dbias] per chunk of rows
        MemorySegment dx = dinp == null ? null : dinp.segment(), dy = dout.segment(), x = inp.segment(), w = weight.segment();
        Parallel.forEach(chunks, ch -> {
            float[] p = params ? partial[ch] : null;
            for (int r = ch * LN_ROWS, end = Math.min(N, r + LN_ROWS); r < end; r++) {
                long base = (long) r * C;
                float m = mean.get(r), rs = rstd.get(r);
                float gMean = 0f, gxMean = 0f;
                for (int c = 0; c < C; c++) {
                    float xh = (x.getAtIndex(F32, base + c) - m) * rs;
                    float g = w.getAtIndex(F32, c) * dy.getAtIndex(F32, base + c);
                    gMean += g;
                    gxMean += g * xh;
                }
                gMean /= C;
                gxMean /= C;
                for (int c = 0; c < C; c++) {
                    float xh = (x.getAtIndex(F32, base + c) - m) * rs;
                    float d = dy.getAtIndex(F32, base + c);
                    if (p != null) { p[c] += xh * d; p[C + c] += d; }
                    if (dx != null) {
                        float g = w.getAtIndex(F32, c) * d;
                        dx.setAtIndex(F32, base + c, dx.getAtIndex(F32, base + c) + (g - gMean - xh * gxMean) * rs);
                    }
                }
            }
        });
        if (!params) return;
        for (float[] p : partial) {
            for (int c = 0; c < C; c++) {
                if (dweight != null) dweight.set(c, dweight.get(c) + p[c]);
                if (dbias != null) dbias.set(c, dbias.get(c) + p[C + c]);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- matmul

    /**
     * Backward of {@code out (M,N) = inp (M,K) · weight (K,N) + bias}: dinp (M,K) = dout · weightᵀ (overwritten),
     * dweight (K,N) += inpᵀ · dout, dbias (N) += Σ_rows dout. {@code scratch} holds at least K·M floats (inpᵀ).
     */
    public static void matmulBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight, Tensor scratch) {
        int K = weight.dim(0), N = weight.dim(1);
        int M = Math.toIntExact(inp.size() / K);
        Tensor dy = dout.view(M, N);
        if (dinp != null) Matmul.matmulTransposed(dinp, dy, weight, null);
        if (dweight != null) {
            Tensor inpT = scratch.slice(0, K, M);
            transpose(inpT, inp.view(M, K), 0, K);
            Matmul.matmulResidual(dweight, inpT, dy, null);
        }
        if (dbias != null) columnSums(dbias, dy);
    }

    /**
     * Backward of {@code out (M,N) = inp (M,K) · weight (N,K)ᵀ} (the LM head): dinp (M,K) = dout · weight
     * (overwritten), dweight (N,K) += doutᵀ · inp, done in blocks of {@code scratch.size() / M} rows of weight.
     */
    public static void matmulTransposedBackward(Tensor dinp, Tensor dweight, Tensor dout, Tensor inp, Tensor weight, Tensor scratch) {
        int N = weight.dim(0), K = weight.dim(1);
        int M = Math.toIntExact(inp.size() / K);
        Tensor dy = dout.view(M, N);
        if (dinp != null) Matmul.matmul(dinp, dy, weight, null);
        if (dweight == null) return;
        int block = (int) Math.min(N, scratch.size() / M);
        if (block < 1) throw new IllegalArgumentException("scratch of " + scratch.size() + " floats is too small for " + M + " rows");
        Tensor x = inp.view(M, K);
        for (int n0 = 0; n0 < N; n0 += block) {
            int nb = Math.min(block, N - n0);
            Tensor dyT = scratch.slice(0, nb, M);
            transpose(dyT, dy, n0, nb);
            Matmul.matmulResidual(dweight.slice((long) n0 * K, nb, K), dyT, x, null);
        }
    }

    /** out (cols, M) = columns c0..c0+cols-1 of inp (M, N), transposed. */
    public static void transpose(Tensor out, Tensor inp, int c0, int cols) {
        int M = inp.dim(0), N = inp.dim(1);
        if (c0 < 0 || c0 + cols > N || out.size() != (long) cols * M) {
            throw new IllegalArgumentException("transpose of columns " + c0 + "+" + cols + " of " + inp + " into " + out);
        }
        MemorySegment src = inp.segment(), dst = out.segment();
        final int TILE = 32;
        int tilesC = (cols + TILE - 1) / TILE;
        Parallel.forChunks(tilesC, 1, (t0, t1) -> {
            for (int tc = t0; tc < t1; tc++) {
                int ca = tc * TILE, cb = Math.min(cols, ca + TILE);
                for (int ra = 0; ra < M; ra += TILE) {
                    int rb = Math.min(M, ra + TILE);
                    for (int c = ca; c < cb; c++) {
                        long d = (long) c * M;
                        for (int r = ra; r < rb; r++) dst.setAtIndex(F32, d + r, src.getAtIndex(F32, (long) r * N + c0 + c));
                    }
                }
            }
        });
    }

    /** out (N) += Σ_i inp[i, :] for inp (M,N), rows summed in order. */
    public static void columnSums(Tensor out, Tensor inp) {
        int M = inp.dim(0), N = inp.dim(1);
        if (out.size() != N) throw new IllegalArgumentException("column sums of " + inp + " into " + out);
        MemorySegment x = inp.segment(), o = out.segment();
        int blocks = (N + NV - 1) / NV;
        Parallel.forChunks(blocks, 1, (b0, b1) -> {
            for (int blk = b0; blk < b1; blk++) {
                int j0 = blk * NV, j1 = Math.min(N, j0 + NV);
                int j = j0;
                for (; j + L <= j1; j += L) {
                    FloatVector acc = FloatVector.fromMemorySegment(S, o, j * 4L, LE);
                    for (int i = 0; i < M; i++) acc = acc.add(FloatVector.fromMemorySegment(S, x, ((long) i * N + j) * 4, LE));
                    acc.intoMemorySegment(o, j * 4L, LE);
                }
                for (; j < j1; j++) {
                    float s = o.getAtIndex(F32, j);
                    for (int i = 0; i < M; i++) s += x.getAtIndex(F32, (long) i * N + j);
                    o.setAtIndex(F32, j, s);
                }
            }
        });
    }

    private static final int NV = 4 * L;

    // ---------------------------------------------------------------------------------------------- gelu

    /** dinp = dout · gelu'(inp), elementwise, for GPT-2's tanh GELU. dinp may alias dout. */
    public static void geluBackward(Tensor dinp, Tensor inp, Tensor dout) {
        long n = inp.size();
        if (dinp.size() != n || dout.size() != n) throw new IllegalArgumentException("gelu backward of " + inp + " " + dout + " into " + dinp);
        MemorySegment dx = dinp.segment(), x = inp.segment(), dy = dout.segment();
        int rows = (int) ((n + 4095) / 4096);
        Parallel.forChunks(rows, 16, (r0, r1) -> {
            long i = r0 * 4096L, end = Math.min(n, r1 * 4096L);
            for (; i + L <= end; i += L) {
                FloatVector v = FloatVector.fromMemorySegment(S, x, i * 4, LE);
                geluGrad(v).mul(FloatVector.fromMemorySegment(S, dy, i * 4, LE)).intoMemorySegment(dx, i * 4, LE);
            }
            for (; i < end; i++) {
                dx.setAtIndex(F32, i, geluGrad(FloatVector.broadcast(S, x.getAtIndex(F32, i))).lane(0) * dy.getAtIndex(F32, i));
            }
        });
    }

    private static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);

    // d/dx 0.5·x·(1 + tanh(u)), u = s·(x + 0.044715·x³): 0.5·(1 + t) + 0.5·x·(1 − t²)·s·(1 + 3·0.044715·x²)
    private static FloatVector geluGrad(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector t = VectorMath.tanh(x2.mul(x).mul(0.044715f).add(x).mul(GELU_SCALE));
        FloatVector sech2 = FloatVector.broadcast(S, 1f).sub(t.mul(t));
        FloatVector du = x2.mul(3f * 0.044715f).add(1f).mul(GELU_SCALE);
        return t.add(1f).mul(0.5f).add(x.mul(0.5f).mul(sech2).mul(du));
    }

    // ---------------------------------------------------------------------------------------------- attention

    /**
     * qkv (B,T,3C) -> out (B,T,C), att (B,NH,T,T): causal self-attention keeping the probabilities
     * (row t of att holds positions 0..t; the rest is zero). Same arithmetic as {@link Kernels#attention}.
     */
    public static void attentionForward(Tensor out, Tensor att, Tensor qkv, int nHead) {
        int B = qkv.dim(0), T = qkv.dim(1), C = qkv.dim(2) / 3, hs = C / nHead;
        checkAttention(out, att, qkv, nHead);
        float scale = (float) (1.0 / Math.sqrt(hs));
        MemorySegment o = out.segment(), in = qkv.segment(), a = att.segment();
        Parallel.forEach(B * nHead, bh -> {
            int b = bh / nHead, h = bh % nHead;
            float[] lanes = Matmul.LANES.get();
            float[] row = new float[T];
            for (int t = 0; t < T; t++) {
                long qo = ((long) b * T + t) * 3 * C + (long) h * hs;
                float max = Float.NEGATIVE_INFINITY;
                for (int t2 = 0; t2 <= t; t2++) {
                    long ko = ((long) b * T + t2) * 3 * C + C + (long) h * hs;
                    float s = Matmul.dot(in, qo, in, ko, hs, lanes) * scale;
                    row[t2] = s;
                    if (s > max) max = s;
                }
                float inv = 1f / Kernels.expInPlace(row, t + 1, max);
                long ao = (((long) b * nHead + h) * T + t) * T;
                for (int t2 = 0; t2 < T; t2++) a.setAtIndex(F32, ao + t2, t2 <= t ? row[t2] * inv : 0f);
                long oo = ((long) b * T + t) * C + (long) h * hs;
                int c = 0;
                for (; c + L <= hs; c += L) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int t2 = 0; t2 <= t; t2++) {
                        long vo = ((long) b * T + t2) * 3 * C + 2L * C + (long) h * hs + c;
                        acc = FloatVector.fromMemorySegment(S, in, vo * 4, LE).fma(FloatVector.broadcast(S, row[t2]), acc);
                    }
                    acc.mul(inv).intoMemorySegment(o, (oo + c) * 4, LE);
                }
                for (; c < hs; c++) {
                    float acc = 0f;
                    for (int t2 = 0; t2 <= t; t2++) acc += row[t2] * in.getAtIndex(F32, ((long) b * T + t2) * 3 * C + 2L * C + (long) h * hs + c);
                    o.setAtIndex(F32, oo + c, acc * inv);
                }
            }
        });
    }

    /**
     * dout (B,T,C) -> dqkv (B,T,3C), overwritten. With p = att row t and s_t2 = q_t·k_t2/√hs:
     * dp = dout_t·v_t2, dv_t2 += p·dout_t, ds = p·(dp − Σ p·dp), dq_t += ds·k_t2/√hs, dk_t2 += ds·q_t/√hs.
     * One task per (batch, head) owns that head's slice of dqkv, so no two tasks write the same element.
     */
    public static void attentionBackward(Tensor dqkv, Tensor dout, Tensor qkv, Tensor att, int nHead) {
        int B = qkv.dim(0), T = qkv.dim(1), C = qkv.dim(2) / 3, hs = C / nHead;
        checkAttention(dout, att, qkv, nHead);
        if (dqkv.size() != qkv.size()) throw new IllegalArgumentException("dqkv " + dqkv + " for qkv " + qkv);
        float scale = (float) (1.0 / Math.sqrt(hs));
        MemorySegment dst = dqkv.segment(), in = qkv.segment(), dy = dout.segment(), a = att.segment();
        Parallel.forEach(B * nHead, bh -> {
            int b = bh / nHead, h = bh % nHead;
            // This head's q, k, v, dout as contiguous (T, hs) arrays; gradients accumulate in dq, dk, dv.
            float[] q = new float[T * hs], k = new float[T * hs], v = new float[T * hs], g = new float[T * hs];
            float[] dq = new float[T * hs], dk = new float[T * hs], dv = new float[T * hs];
            float[] p = new float[T], dp = new float[T];
            for (int t = 0; t < T; t++) {
                long r = ((long) b * T + t) * 3 * C + (long) h * hs;
                MemorySegment.copy(in, F32, r * 4, q, t * hs, hs);
                MemorySegment.copy(in, F32, (r + C) * 4, k, t * hs, hs);
                MemorySegment.copy(in, F32, (r + 2L * C) * 4, v, t * hs, hs);
                MemorySegment.copy(dy, F32, (((long) b * T + t) * C + (long) h * hs) * 4, g, t * hs, hs);
            }
            for (int t = 0; t < T; t++) {
                MemorySegment.copy(a, F32, ((((long) b * nHead + h) * T + t) * T) * 4, p, 0, t + 1);
                float pdp = 0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    dp[t2] = dot(g, t * hs, v, t2 * hs, hs);
                    axpy(dv, t2 * hs, p[t2], g, t * hs, hs);
                    pdp += p[t2] * dp[t2];
                }
                for (int t2 = 0; t2 <= t; t2++) {
                    float ds = p[t2] * (dp[t2] - pdp) * scale;
                    axpy(dq, t * hs, ds, k, t2 * hs, hs);
                    axpy(dk, t2 * hs, ds, q, t * hs, hs);
                }
            }
            for (int t = 0; t < T; t++) {
                long r = ((long) b * T + t) * 3 * C + (long) h * hs;
                MemorySegment.copy(dq, t * hs, dst, F32, r * 4, hs);
                MemorySegment.copy(dk, t * hs, dst, F32, (r + C) * 4, hs);
                MemorySegment.copy(dv, t * hs, dst, F32, (r + 2L * C) * 4, hs);
            }
        });
    }

    private static void checkAttention(Tensor out, Tensor att, Tensor qkv, int nHead) {
        if (qkv.rank() != 3 || qkv.dim(2) % 3 != 0) throw new IllegalArgumentException("qkv must be (B,T,3C), got " + qkv);
        int B = qkv.dim(0), T = qkv.dim(1), C = qkv.dim(2) / 3;
        if (C % nHead != 0) throw new IllegalArgumentException("C=" + C + " is not divisible by n_head=" + nHead);
        if (out.size() != (long) B * T * C || att.size() != (long) B * nHead * T * T) {
            throw new IllegalArgumentException("attention shapes: qkv " + qkv + " out " + out + " att " + att + " n_head " + nHead);
        }
    }

    // Σ x[xo..xo+n) · y[yo..yo+n): lane partials, fixed lane sum, scalar tail.
    private static float dot(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        float s = 0f;
        if (n >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
            s = VectorMath.sum(acc);
        }
        for (; i < n; i++) s += x[xo + i] * y[yo + i];
        return s;
    }

    // y[yo..yo+n) += a · x[xo..xo+n)
    private static void axpy(float[] y, int yo, float a, float[] x, int xo, int n) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        for (; i + L <= n; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(av, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(a, x[xo + i], y[yo + i]);
    }

    // ---------------------------------------------------------------------------------------------- cross-entropy

    /**
     * logits (N,V), targets (N) -> losses (N) = lse − logit[target], and lse (N) for the backward.
     * A target of −1 marks a position without loss (its loss is 0). Returns the number of counted positions.
     */
    public static int crossEntropyForward(float[] losses, float[] lse, Tensor logits, int[] targets) {
        int V = logits.dim(-1);
        int N = Math.toIntExact(logits.size() / V);
        if (targets.length != N || losses.length != N) throw new IllegalArgumentException(targets.length + " targets for " + N + " rows");
        Kernels.logSumExp(lse, logits);
        int counted = 0;
        for (int i = 0; i < N; i++) {
            int y = targets[i];
            if (y == -1) { losses[i] = 0f; continue; }
            if (y < 0 || y >= V) throw new IllegalArgumentException("target id " + y + " at position " + i + " is outside [0, " + V + ")");
            losses[i] = lse[i] - logits.get((long) i * V + y);
            counted++;
        }
        return counted;
    }

    /** dlogits (N,V) = weight[i]·(softmax(logits[i]) − onehot(target[i])); rows with target −1 get 0. May run in place. */
    public static void crossEntropyBackward(Tensor dlogits, Tensor logits, float[] lse, int[] targets, float weight) {
        int V = logits.dim(-1);
        int N = Math.toIntExact(logits.size() / V);
        if (dlogits.size() != logits.size()) throw new IllegalArgumentException("dlogits " + dlogits + " for logits " + logits);
        MemorySegment dx = dlogits.segment(), x = logits.segment();
        int vv = V - V % L;
        Parallel.forChunks(N, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * V;
                if (targets[r] == -1) {
                    dx.asSlice(base * 4, (long) V * 4).fill((byte) 0);
                    continue;
                }
                FloatVector m = FloatVector.broadcast(S, lse[r]), w = FloatVector.broadcast(S, weight);
                for (int c = 0; c < vv; c += L) {
                    VectorMath.exp(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE).sub(m)).mul(w).intoMemorySegment(dx, (base + c) * 4, LE);
                }
                for (int c = vv; c < V; c++) dx.setAtIndex(F32, base + c, VectorMath.exp(x.getAtIndex(F32, base + c) - lse[r]) * weight);
                long yi = base + targets[r];
                dx.setAtIndex(F32, yi, dx.getAtIndex(F32, yi) - weight);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------- embedding

    /** Backward of out (B,T,C) = wte[ids] + wpe[t]: dwte[id] += dout, dwpe[t] += dout (either may be null). */
    public static void embeddingBackward(Tensor dwte, Tensor dwpe, Tensor dout, int[] ids, int B, int T) {
        int C = dout.dim(-1);
        MemorySegment dy = dout.segment();
        // Serial: two positions may share a token id, and the order of the adds is then fixed.
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long src = ((long) b * T + t) * C;
                if (dwte != null) addRow(dwte.segment(), (long) ids[b * T + t] * C, dy, src, C);
                if (dwpe != null) addRow(dwpe.segment(), (long) t * C, dy, src, C);
            }
        }
    }

    private static void addRow(MemorySegment dst, long d, MemorySegment src, long s, int C) {
        int c = 0;
        for (; c + L <= C; c += L) {
            FloatVector.fromMemorySegment(S, dst, (d + c) * 4, LE).add(FloatVector.fromMemorySegment(S, src, (s + c) * 4, LE))
                    .intoMemorySegment(dst, (d + c) * 4, LE);
        }
        for (; c < C; c++) dst.setAtIndex(F32, d + c, dst.getAtIndex(F32, d + c) + src.getAtIndex(F32, s + c));
    }
}
