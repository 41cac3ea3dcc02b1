package sealjvm.tensor;

import static sealjvm.tensor.Matmul.L;
import static sealjvm.tensor.Matmul.LE;
import static sealjvm.tensor.Matmul.S;
import static sealjvm.tensor.Tensor.F32;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * GPT-2's elementwise, row-wise and attention kernels on the Vector API.
 * Each has a plain scalar twin in the tests (ScalarKernels) that property tests compare against.
 * Shapes are given in comments llm.c-style: B batch, T time, C channels, V vocabulary.
 */
public final class Kernels {
    private Kernels() {}

    private static final float GELU_SCALE = (float) Math.sqrt(2.0 / Math.PI);

    /** out = a + b, elementwise (the residual add). out may alias a or b. */
    public static void add(Tensor out, Tensor a, Tensor b) {
        long n = out.size();
        if (a.size() != n || b.size() != n) throw new IllegalArgumentException("add of " + a + " and " + b + " into " + out);
        MemorySegment o = out.segment(), x = a.segment(), y = b.segment();
        int rows = (int) Math.min(Integer.MAX_VALUE, (n + 4095) / 4096);
        Parallel.forChunks(rows, 64, (r0, r1) -> {
            long start = r0 * 4096L, end = Math.min(n, r1 * 4096L);
            long i = start;
            for (; i + L <= end; i += L) {
                FloatVector.fromMemorySegment(S, x, i * 4, LE).add(FloatVector.fromMemorySegment(S, y, i * 4, LE))
                        .intoMemorySegment(o, i * 4, LE);
            }
            for (; i < end; i++) o.setAtIndex(F32, i, x.getAtIndex(F32, i) + y.getAtIndex(F32, i));
        });
    }

    /** inp (N,C) -> out (N,C): (x - mean) / sqrt(var + eps) * weight + bias, per row. out may alias inp. */
    public static void layernorm(Tensor out, Tensor inp, Tensor weight, Tensor bias, float eps) {
        layernorm(out, inp, weight, bias, eps, null, null);
    }

    /** {@link #layernorm(Tensor, Tensor, Tensor, Tensor, float)} also writing each row's mean and 1/σ (N) when not null (training). */
    public static void layernorm(Tensor out, Tensor inp, Tensor weight, Tensor bias, float eps, Tensor meanOut, Tensor rstdOut) {
        int C = inp.dim(-1);
        int N = Math.toIntExact(inp.size() / C);
        if (out.size() != inp.size() || weight.size() != C || bias.size() != C
                || (meanOut != null && meanOut.size() != N) || (rstdOut != null && rstdOut.size() != N)) {
            throw new IllegalArgumentException("layernorm shapes: inp " + inp + " out " + out + " weight " + weight + " bias " + bias
                    + " mean " + meanOut + " rstd " + rstdOut);
        }
        MemorySegment o = out.segment(), x = inp.segment(), w = weight.segment(), b = bias.segment();
        int cv = C - C % L;
        Parallel.forChunks(N, 8, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * C;
                FloatVector acc = FloatVector.zero(S);
                for (int c = 0; c < cv; c += L) acc = acc.add(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE));
                float sum = VectorMath.sum(acc);
                for (int c = cv; c < C; c++) sum += x.getAtIndex(F32, base + c);
                float mean = sum / C;
                FloatVector m = FloatVector.broadcast(S, mean);
                FloatVector vacc = FloatVector.zero(S);
                for (int c = 0; c < cv; c += L) {
                    FloatVector d = FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE).sub(m);
                    vacc = d.fma(d, vacc);
                }
                float var = VectorMath.sum(vacc);
                for (int c = cv; c < C; c++) { float d = x.getAtIndex(F32, base + c) - mean; var += d * d; }
                float rstd = (float) (1.0 / Math.sqrt(var / C + eps)); // sqrt is exact IEEE
                if (meanOut != null) meanOut.set(r, mean);
                if (rstdOut != null) rstdOut.set(r, rstd);
                FloatVector rs = FloatVector.broadcast(S, rstd);
                for (int c = 0; c < cv; c += L) {
                    FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE).sub(m).mul(rs)
                            .fma(FloatVector.fromMemorySegment(S, w, c * 4L, LE), FloatVector.fromMemorySegment(S, b, c * 4L, LE))
                            .intoMemorySegment(o, (base + c) * 4, LE);
                }
                for (int c = cv; c < C; c++) {
                    o.setAtIndex(F32, base + c, (x.getAtIndex(F32, base + c) - mean) * rstd * w.getAtIndex(F32, c) + b.getAtIndex(F32, c));
                }
            }
        });
    }

    /** out = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), GPT-2's "gelu_new". out may alias inp. */
    public static void gelu(Tensor out, Tensor inp) {
        long n = inp.size();
        if (out.size() != n) throw new IllegalArgumentException("gelu of " + inp + " into " + out);
        MemorySegment o = out.segment(), x = inp.segment();
        int rows = (int) Math.min(Integer.MAX_VALUE, (n + 4095) / 4096);
        Parallel.forChunks(rows, 16, (r0, r1) -> {
            long start = r0 * 4096L, end = Math.min(n, r1 * 4096L);
            long i = start;
            for (; i + L <= end; i += L) {
                gelu(FloatVector.fromMemorySegment(S, x, i * 4, LE)).intoMemorySegment(o, i * 4, LE);
            }
            for (; i < end; i++) o.setAtIndex(F32, i, geluScalar(x.getAtIndex(F32, i)));
        });
    }

    /** The tanh GELU of each lane (shared by {@link #gelu(Tensor, Tensor)} and the fused matmul epilogue). */
    static FloatVector gelu(FloatVector v) {
        FloatVector inner = v.mul(v).mul(v).mul(0.044715f).add(v).mul(GELU_SCALE);
        return v.mul(0.5f).mul(VectorMath.tanh(inner).add(1f));
    }

    static float geluScalar(float x) {
        return 0.5f * x * (1f + VectorMath.tanh(FloatVector.broadcast(Matmul.S, GELU_SCALE * (x + 0.044715f * x * x * x))).lane(0));
    }

    /** inp (N,V) -> out (N,V): softmax of each row (max-subtracted). out may alias inp. */
    public static void softmax(Tensor out, Tensor inp) {
        int V = inp.dim(-1);
        int N = Math.toIntExact(inp.size() / V);
        if (out.size() != inp.size()) throw new IllegalArgumentException("softmax of " + inp + " into " + out);
        MemorySegment o = out.segment(), x = inp.segment();
        Parallel.forChunks(N, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) softmaxRow(o, x, (long) r * V, V);
        });
    }

    /**
     * Whether no element of {@code row} is above {@code x}: every e has e <= x (a NaN element fails, as the scalar
     * comparison does). Vectorized, stopping at the first failing vector: a top-1 check scans a whole vocabulary row
     * whenever the target is the top-1.
     */
    public static boolean noneAbove(Tensor row, float x) {
        MemorySegment m = row.segment();
        long n = row.size(), nv = n - n % L;
        for (long i = 0; i < nv; i += L) {
            if (!FloatVector.fromMemorySegment(S, m, i * 4, LE).compare(VectorOperators.LE, x).allTrue()) return false;
        }
        for (long i = nv; i < n; i++) if (!(m.getAtIndex(F32, i) <= x)) return false;
        return true;
    }

    /** logits (N,V) -> lse (N): log Σ_v exp(x_v) per row, max-subtracted (log-softmax = x − lse). */
    public static void logSumExp(float[] lse, Tensor logits) {
        int V = logits.dim(-1);
        int N = Math.toIntExact(logits.size() / V);
        if (lse.length != N) throw new IllegalArgumentException(lse.length + " outputs for " + N + " rows");
        MemorySegment x = logits.segment();
        int vv = V - V % L;
        Parallel.forChunks(N, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                long base = (long) r * V;
                FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (int c = 0; c < vv; c += L) mx = mx.max(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE));
                float max = mx.reduceLanes(VectorOperators.MAX);
                for (int c = vv; c < V; c++) max = Math.max(max, x.getAtIndex(F32, base + c));
                FloatVector m = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
                for (int c = 0; c < vv; c += L) {
                    acc = acc.add(VectorMath.exp(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE).sub(m)));
                }
                double sum = VectorMath.sum(acc);
                for (int c = vv; c < V; c++) sum += VectorMath.exp(x.getAtIndex(F32, base + c) - max);
                lse[r] = (float) (max + StrictMath.log(sum));
            }
        });
    }

    static void softmaxRow(MemorySegment o, MemorySegment x, long base, int V) {
        int vv = V - V % L;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < vv; c += L) mx = mx.max(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE));
        float max = mx.reduceLanes(VectorOperators.MAX);
        for (int c = vv; c < V; c++) max = Math.max(max, x.getAtIndex(F32, base + c));
        FloatVector m = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0; c < vv; c += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(S, x, (base + c) * 4, LE).sub(m));
            e.intoMemorySegment(o, (base + c) * 4, LE);
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (int c = vv; c < V; c++) {
            float e = VectorMath.exp(x.getAtIndex(F32, base + c) - max);
            o.setAtIndex(F32, base + c, e);
            sum += e;
        }
        FloatVector inv = FloatVector.broadcast(S, 1f / sum);
        for (int c = 0; c < vv; c += L) {
            FloatVector.fromMemorySegment(S, o, (base + c) * 4, LE).mul(inv).intoMemorySegment(o, (base + c) * 4, LE);
        }
        for (int c = vv; c < V; c++) o.setAtIndex(F32, base + c, o.getAtIndex(F32, base + c) / sum);
    }

    /**
     * ids (B,T) -> out (B,T,C) = wte[id] + wpe[pos0 + t].
     * Ids are checked here, so a bad id is a clear error and never an out-of-bounds read.
     */
    public static void embedding(Tensor out, int[] ids, int B, int T, Tensor wte, Tensor wpe, int pos0) {
        int V = wte.dim(0), C = wte.dim(1), P = wpe.dim(0);
        if (ids.length != B * T || out.size() != (long) B * T * C) {
            throw new IllegalArgumentException("embedding of " + ids.length + " ids (B=" + B + ", T=" + T + ") into " + out);
        }
        if (pos0 < 0 || pos0 + T > P) {
            throw new IllegalArgumentException("positions " + pos0 + ".." + (pos0 + T - 1) + " exceed n_positions=" + P);
        }
        for (int id : ids) {
            if (id < 0 || id >= V) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + V + ")");
        }
        MemorySegment o = out.segment(), e = wte.segment(), p = wpe.segment();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long dst = ((long) b * T + t) * C, tok = (long) ids[b * T + t] * C, pos = (long) (pos0 + t) * C;
                int c = 0;
                for (; c + L <= C; c += L) {
                    FloatVector.fromMemorySegment(S, e, (tok + c) * 4, LE).add(FloatVector.fromMemorySegment(S, p, (pos + c) * 4, LE))
                            .intoMemorySegment(o, (dst + c) * 4, LE);
                }
                for (; c < C; c++) o.setAtIndex(F32, dst + c, e.getAtIndex(F32, tok + c) + p.getAtIndex(F32, pos + c));
            }
        }
    }

    /**
     * Causal multi-head attention, the queries of positions pos0..pos0+Tq-1 against a KV cache.
     * q (B,Tq,C), k and v (B,Tk,C) holding positions 0..pos0+Tq-1 (later rows are ignored), out (B,Tq,C).
     * Query t sees keys 0..pos0+t; scores are scaled by 1/√(C/nHead). Nothing of size T×T is materialized:
     * each (b, head, t) keeps one row of scores in a per-thread scratch buffer.
     */
    public static void attention(Tensor out, Tensor q, Tensor k, Tensor v, int nHead, int pos0) {
        int B = q.dim(0), Tq = q.dim(1), C = q.dim(2), Tk = k.dim(1);
        if (C % nHead != 0) throw new IllegalArgumentException("C=" + C + " is not divisible by n_head=" + nHead);
        if (pos0 + Tq > Tk || k.dim(0) != B || v.dim(0) != B || v.dim(1) != Tk || k.dim(2) != C || v.dim(2) != C
                || out.size() != q.size()) {
            throw new IllegalArgumentException("attention shapes: q " + q + " k " + k + " v " + v + " out " + out + " pos0 " + pos0);
        }
        int hs = C / nHead;
        float scale = (float) (1.0 / Math.sqrt(hs));
        MemorySegment o = out.segment(), qs = q.segment(), ks = k.segment(), vs = v.segment();
        if (L == 16 && hs % L == 0 && Tq >= L) {
            // Prefill: a task per (b, head). Its keys are transposed once into kt[c][j] (hs × keys), so that one
            // query's scores for 16 keys are computed as one vector (scores16), bit for bit dot's.
            int nAll = pos0 + Tq, stride = (nAll + L - 1) / L * L;
            Parallel.forChunks(B * nHead, 1, (i0, i1) -> {
                float[] att = scratch(SCRATCH, stride), att2 = scratch(SCRATCH2, stride), kt = scratch(KEYS_T, hs * stride), qrow = new float[hs];
                for (int i = i0; i < i1; i++) {
                    int h = i % nHead, b = i / nHead;
                    long kvBase = (long) b * Tk * C + (long) h * hs;
                    for (int j = 0; j < nAll; j++) {
                        MemorySegment.copy(ks, F32, (kvBase + (long) j * C) * 4, qrow, 0, hs);
                        for (int c = 0; c < hs; c++) kt[c * stride + j] = qrow[c];
                    }
                    // Two queries at a time (t sees n keys, t + 1 one more) share the pass over the values.
                    for (int t = 0; t < Tq; t += 2) {
                        int n = pos0 + t + 1;
                        long qo = ((long) b * Tq + t) * C + (long) h * hs;
                        MemorySegment.copy(qs, F32, qo * 4, qrow, 0, hs);
                        // whole blocks: the last one's keys past n (stale columns of kt) are computed, never read
                        for (int j0 = 0; j0 < n; j0 += L) scores16(qrow, kt, stride, j0, hs, att, scale);
                        if (t + 1 == Tq) {
                            weightedValues(o, vs, att, n, qo, kvBase, C, hs);
                            break;
                        }
                        MemorySegment.copy(qs, F32, (qo + C) * 4, qrow, 0, hs);
                        for (int j0 = 0; j0 <= n; j0 += L) scores16(qrow, kt, stride, j0, hs, att2, scale);
                        weightedValues2(o, vs, att, att2, n, qo, kvBase, C, hs);
                    }
                }
            });
            return;
        }
        Parallel.forChunks(B * nHead * Tq, 1, (i0, i1) -> {
            float[] lanes = Matmul.LANES.get(), att = scratch(SCRATCH, Tk);
            for (int i = i0; i < i1; i++) {
                int t = i % Tq, h = (i / Tq) % nHead, b = i / (Tq * nHead);
                int n = pos0 + t + 1;
                long qo = ((long) b * Tq + t) * C + (long) h * hs;
                long kvBase = (long) b * Tk * C + (long) h * hs;
                int j0 = 0;
                if (hs % L == 0) {   // four keys at a time: four independent chains, each key's the same as dot's
                    for (; j0 + 4 <= n; j0 += 4) dots4(qs, qo, ks, kvBase + (long) j0 * C, C, hs, att, j0, scale);
                }
                for (; j0 < n; j0++) att[j0] = Matmul.dot(qs, qo, ks, kvBase + (long) j0 * C, hs, lanes) * scale;
                weightedValues(o, vs, att, n, qo, kvBase, C, hs);
            }
        });
    }

    // This thread's buffer of ref, at least n floats.
    private static float[] scratch(ThreadLocal<float[]> ref, int n) {
        float[] b = ref.get();
        if (b.length < n) { b = new float[n]; ref.set(b); }
        return b;
    }

    // out at qo (hs) = softmax(att[0..n)) · v's rows 0..n-1 of the head at kvBase.
    private static void weightedValues(MemorySegment o, MemorySegment vs, float[] att, int n, long qo, long kvBase, int C, int hs) {
        float inv = softmaxUnscaled(att, n);
        long oo = qo;
        int c = 0;
        // Four vectors of the head at a time over the keys: four independent fma chains (each column's chain
        // runs over the keys in order, as one at a time would).
        for (; c + 4 * L <= hs; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < n; j++) {
                FloatVector w = FloatVector.broadcast(S, att[j]);
                long vo = (kvBase + (long) j * C + c) * 4;
                a0 = FloatVector.fromMemorySegment(S, vs, vo, LE).fma(w, a0);
                a1 = FloatVector.fromMemorySegment(S, vs, vo + 4L * L, LE).fma(w, a1);
                a2 = FloatVector.fromMemorySegment(S, vs, vo + 8L * L, LE).fma(w, a2);
                a3 = FloatVector.fromMemorySegment(S, vs, vo + 12L * L, LE).fma(w, a3);
            }
            long oc = (oo + c) * 4;
            a0.mul(inv).intoMemorySegment(o, oc, LE);
            a1.mul(inv).intoMemorySegment(o, oc + 4L * L, LE);
            a2.mul(inv).intoMemorySegment(o, oc + 8L * L, LE);
            a3.mul(inv).intoMemorySegment(o, oc + 12L * L, LE);
        }
        for (; c + L <= hs; c += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                acc = FloatVector.fromMemorySegment(S, vs, (kvBase + (long) j * C + c) * 4, LE).fma(FloatVector.broadcast(S, att[j]), acc);
            }
            acc.mul(inv).intoMemorySegment(o, (oo + c) * 4, LE);
        }
        for (; c < hs; c++) {
            float acc = 0f;
            for (int t2 = 0; t2 < n; t2++) acc += att[t2] * vs.getAtIndex(F32, kvBase + (long) t2 * C + c);
            o.setAtIndex(F32, oo + c, acc * inv);
        }
    }

    // att[0..n) = e^(att[j] − max); returns 1 / their sum (the caller scales the weighted sum by it).
    private static float softmaxUnscaled(float[] att, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) if (att[j] > max) max = att[j];
        return 1f / expInPlace(att, n, max);
    }

    // weightedValues for two queries at once: the query at qo over keys 0..n-1 (scores att), the next one (qo + C)
    // over keys 0..n (att2); each output column's chain is the one weightedValues runs, eight chains in flight.
    private static void weightedValues2(MemorySegment o, MemorySegment vs, float[] att, float[] att2, int n, long qo, long kvBase, int C, int hs) {
        float inv = softmaxUnscaled(att, n), inv2 = softmaxUnscaled(att2, n + 1);
        for (int c = 0; c < hs; c += L) {
            if (c + 2 * L <= hs) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0;
                long vo = (kvBase + c) * 4;
                for (int j = 0; j < n; j++, vo += 4L * C) {
                    FloatVector v0 = FloatVector.fromMemorySegment(S, vs, vo, LE), v1 = FloatVector.fromMemorySegment(S, vs, vo + 4L * L, LE);
                    FloatVector w = FloatVector.broadcast(S, att[j]), w2 = FloatVector.broadcast(S, att2[j]);
                    a0 = v0.fma(w, a0); a1 = v1.fma(w, a1);
                    b0 = v0.fma(w2, b0); b1 = v1.fma(w2, b1);
                }
                FloatVector w2 = FloatVector.broadcast(S, att2[n]);
                b0 = FloatVector.fromMemorySegment(S, vs, vo, LE).fma(w2, b0);
                b1 = FloatVector.fromMemorySegment(S, vs, vo + 4L * L, LE).fma(w2, b1);
                long oc = (qo + c) * 4, oc2 = (qo + C + c) * 4;
                a0.mul(inv).intoMemorySegment(o, oc, LE); a1.mul(inv).intoMemorySegment(o, oc + 4L * L, LE);
                b0.mul(inv2).intoMemorySegment(o, oc2, LE); b1.mul(inv2).intoMemorySegment(o, oc2 + 4L * L, LE);
                c += L;
            } else {
                FloatVector a0 = FloatVector.zero(S), b0 = a0;
                long vo = (kvBase + c) * 4;
                for (int j = 0; j < n; j++, vo += 4L * C) {
                    FloatVector v0 = FloatVector.fromMemorySegment(S, vs, vo, LE);
                    a0 = v0.fma(FloatVector.broadcast(S, att[j]), a0);
                    b0 = v0.fma(FloatVector.broadcast(S, att2[j]), b0);
                }
                b0 = FloatVector.fromMemorySegment(S, vs, vo, LE).fma(FloatVector.broadcast(S, att2[n]), b0);
                a0.mul(inv).intoMemorySegment(o, (qo + c) * 4, LE);
                b0.mul(inv2).intoMemorySegment(o, (qo + C + c) * 4, LE);
            }
        }
    }

    // att[j0 + j] = dot(q, key j0 + j) · scale for j < 16 (L = 16, hs a multiple of 16), keys as kt[c·stride + j]. Bit for
    // bit Matmul.dot's result: lane l of dot's vector chain is p_l = fma over chunks c of q[c + l]·k[c + l], here one
    // vector per l holding 16 keys' p_l, and laneSum's tree over l is ((p0+p8)+(p4+p12)) + ((p2+p10)+(p6+p14)) for
    // the even lanes, the same with l + 1 for the odd, then even + odd.
    private static void scores16(float[] q, float[] kt, int stride, int j0, int hs, float[] att, float scale) {
        FloatVector p0 = FloatVector.zero(S), p1 = p0, p2 = p0, p3 = p0, p4 = p0, p5 = p0, p6 = p0, p7 = p0;
        FloatVector p8 = p0, p9 = p0, p10 = p0, p11 = p0, p12 = p0, p13 = p0, p14 = p0, p15 = p0;
        for (int c = 0; c < hs; c += 16) {
            int r = c * stride + j0;
            p0 = FloatVector.fromArray(S, kt, r).fma(FloatVector.broadcast(S, q[c]), p0);
            p1 = FloatVector.fromArray(S, kt, r + stride).fma(FloatVector.broadcast(S, q[c + 1]), p1);
            p2 = FloatVector.fromArray(S, kt, r + 2 * stride).fma(FloatVector.broadcast(S, q[c + 2]), p2);
            p3 = FloatVector.fromArray(S, kt, r + 3 * stride).fma(FloatVector.broadcast(S, q[c + 3]), p3);
            p4 = FloatVector.fromArray(S, kt, r + 4 * stride).fma(FloatVector.broadcast(S, q[c + 4]), p4);
            p5 = FloatVector.fromArray(S, kt, r + 5 * stride).fma(FloatVector.broadcast(S, q[c + 5]), p5);
            p6 = FloatVector.fromArray(S, kt, r + 6 * stride).fma(FloatVector.broadcast(S, q[c + 6]), p6);
            p7 = FloatVector.fromArray(S, kt, r + 7 * stride).fma(FloatVector.broadcast(S, q[c + 7]), p7);
            p8 = FloatVector.fromArray(S, kt, r + 8 * stride).fma(FloatVector.broadcast(S, q[c + 8]), p8);
            p9 = FloatVector.fromArray(S, kt, r + 9 * stride).fma(FloatVector.broadcast(S, q[c + 9]), p9);
            p10 = FloatVector.fromArray(S, kt, r + 10 * stride).fma(FloatVector.broadcast(S, q[c + 10]), p10);
            p11 = FloatVector.fromArray(S, kt, r + 11 * stride).fma(FloatVector.broadcast(S, q[c + 11]), p11);
            p12 = FloatVector.fromArray(S, kt, r + 12 * stride).fma(FloatVector.broadcast(S, q[c + 12]), p12);
            p13 = FloatVector.fromArray(S, kt, r + 13 * stride).fma(FloatVector.broadcast(S, q[c + 13]), p13);
            p14 = FloatVector.fromArray(S, kt, r + 14 * stride).fma(FloatVector.broadcast(S, q[c + 14]), p14);
            p15 = FloatVector.fromArray(S, kt, r + 15 * stride).fma(FloatVector.broadcast(S, q[c + 15]), p15);
        }
        FloatVector even = p0.add(p8).add(p4.add(p12)).add(p2.add(p10).add(p6.add(p14)));
        FloatVector odd = p1.add(p9).add(p5.add(p13)).add(p3.add(p11).add(p7.add(p15)));
        even.add(odd).mul(scale).intoArray(att, j0);
    }

    // att[j0 + r] = Matmul.dot(q at qo, k at ko + r·C, hs) · scale for r = 0..3 (hs a multiple of L): the same four
    // chains dot would run, interleaved, and the same pairwise lane sum as Matmul.laneSum (lane j plus lane j + w for
    // w = L/2, .., 1), done in registers: each step adds the vector rotated by w, whose low w lanes are laneSum's.
    private static void dots4(MemorySegment q, long qo, MemorySegment k, long ko, int C, int hs, float[] att, int j0, float scale) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        long k0 = ko * 4, k1 = (ko + C) * 4, k2 = (ko + 2L * C) * 4, k3 = (ko + 3L * C) * 4;
        for (int c = 0; c < hs; c += L) {
            FloatVector x = FloatVector.fromMemorySegment(S, q, (qo + c) * 4, LE);
            long d = 4L * c;
            a0 = x.fma(FloatVector.fromMemorySegment(S, k, k0 + d, LE), a0);
            a1 = x.fma(FloatVector.fromMemorySegment(S, k, k1 + d, LE), a1);
            a2 = x.fma(FloatVector.fromMemorySegment(S, k, k2 + d, LE), a2);
            a3 = x.fma(FloatVector.fromMemorySegment(S, k, k3 + d, LE), a3);
        }
        if (L >= 16) {
            a0 = a0.add(a0.rearrange(ROT8)); a1 = a1.add(a1.rearrange(ROT8)); a2 = a2.add(a2.rearrange(ROT8)); a3 = a3.add(a3.rearrange(ROT8));
        }
        if (L >= 8) {
            a0 = a0.add(a0.rearrange(ROT4)); a1 = a1.add(a1.rearrange(ROT4)); a2 = a2.add(a2.rearrange(ROT4)); a3 = a3.add(a3.rearrange(ROT4));
        }
        a0 = a0.add(a0.rearrange(ROT2)); a1 = a1.add(a1.rearrange(ROT2)); a2 = a2.add(a2.rearrange(ROT2)); a3 = a3.add(a3.rearrange(ROT2));
        a0 = a0.add(a0.rearrange(ROT1)); a1 = a1.add(a1.rearrange(ROT1)); a2 = a2.add(a2.rearrange(ROT1)); a3 = a3.add(a3.rearrange(ROT1));
        att[j0] = a0.lane(0) * scale; att[j0 + 1] = a1.lane(0) * scale;
        att[j0 + 2] = a2.lane(0) * scale; att[j0 + 3] = a3.lane(0) * scale;
    }

    /** Rotations by w lanes (lane j takes lane (j + w) mod L): Matmul.laneSum's steps in registers (L is 4, 8 or 16). */
    private static final VectorShuffle<Float> ROT8 = rotation(8), ROT4 = rotation(4), ROT2 = rotation(2), ROT1 = rotation(1);

    private static VectorShuffle<Float> rotation(int w) { return VectorShuffle.fromOp(S, j -> (j + w) % L); }

    /** a[i] = e^(a[i] − max) for i < n; returns Σ a[i] (vector exp, fixed summation order). */
    static float expInPlace(float[] a, int n, float max) {
        FloatVector m = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, a, i).sub(m));
            e.intoArray(a, i);
            acc = acc.add(e);
        }
        float sum = VectorMath.sum(acc);
        for (; i < n; i++) { a[i] = VectorMath.exp(a[i] - max); sum += a[i]; }
        return sum;
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[1024]);
    private static final ThreadLocal<float[]> SCRATCH2 = ThreadLocal.withInitial(() -> new float[1024]);
    private static final ThreadLocal<float[]> KEYS_T = ThreadLocal.withInitial(() -> new float[0]);
}
