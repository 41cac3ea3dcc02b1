package sealjvm.tensor;

/**
 * Plain scalar twins of every kernel: the definitions, written for clarity, used only by tests.
 * Accumulation is in double so that the twin is the better-rounded side of each comparison.
 */
final class ScalarKernels {
    private ScalarKernels() {}

    // out (M,N) = inp (M,K) · w (K,N) + bias (N)
    static float[] matmul(float[] inp, float[] w, float[] bias, int M, int K, int N) {
        float[] out = new float[M * N];
        for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
            double s = bias == null ? 0 : bias[j];
            for (int k = 0; k < K; k++) s += (double) inp[i * K + k] * w[k * N + j];
            out[i * N + j] = (float) s;
        }
        return out;
    }

    // out (M,N) = inp (M,K) · w (N,K)ᵀ + bias (N)
    static float[] matmulTransposed(float[] inp, float[] w, float[] bias, int M, int K, int N) {
        float[] out = new float[M * N];
        for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) {
            double s = bias == null ? 0 : bias[j];
            for (int k = 0; k < K; k++) s += (double) inp[i * K + k] * w[j * K + k];
            out[i * N + j] = (float) s;
        }
        return out;
    }

    static float[] add(float[] a, float[] b) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i] + b[i];
        return out;
    }

    // inp (N,C) -> out (N,C)
    static float[] layernorm(float[] x, float[] w, float[] b, int N, int C, float eps) {
        float[] out = new float[N * C];
        for (int r = 0; r < N; r++) {
            double mean = 0, var = 0;
            for (int c = 0; c < C; c++) mean += x[r * C + c];
            mean /= C;
            for (int c = 0; c < C; c++) { double d = x[r * C + c] - mean; var += d * d; }
            var /= C;
            double rstd = 1.0 / Math.sqrt(var + eps);
            for (int c = 0; c < C; c++) out[r * C + c] = (float) ((x[r * C + c] - mean) * rstd * w[c] + b[c]);
        }
        return out;
    }

    static float[] gelu(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = (float) (0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        }
        return out;
    }

    // inp (N,V) -> out (N,V)
    static float[] softmax(float[] x, int N, int V) {
        float[] out = new float[N * V];
        for (int r = 0; r < N; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < V; c++) max = Math.max(max, x[r * V + c]);
            for (int c = 0; c < V; c++) sum += Math.exp(x[r * V + c] - max);
            for (int c = 0; c < V; c++) out[r * V + c] = (float) (Math.exp(x[r * V + c] - max) / sum);
        }
        return out;
    }

    // inp (N,V) -> out (N): log Σ exp
    static float[] logSumExp(float[] x, int N, int V) {
        float[] out = new float[N];
        for (int r = 0; r < N; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < V; c++) max = Math.max(max, x[r * V + c]);
            for (int c = 0; c < V; c++) sum += Math.exp(x[r * V + c] - max);
            out[r] = (float) (max + Math.log(sum));
        }
        return out;
    }

    // ids (B,T) -> out (B,T,C)
    static float[] embedding(int[] ids, float[] wte, float[] wpe, int C, int pos0) {
        float[] out = new float[ids.length * C];
        int T = ids.length; // positions are per sequence; callers pass one sequence at a time or B=1
        for (int t = 0; t < T; t++) for (int c = 0; c < C; c++) out[t * C + c] = wte[ids[t] * C + c] + wpe[(pos0 + t) * C + c];
        return out;
    }

    // q (B,Tq,C), k/v (B,Tk,C) -> out (B,Tq,C); query t at position pos0+t sees keys 0..pos0+t
    static float[] attention(float[] q, float[] k, float[] v, int B, int Tq, int Tk, int C, int nHead, int pos0) {
        int hs = C / nHead;
        float[] out = new float[B * Tq * C];
        for (int b = 0; b < B; b++) for (int h = 0; h < nHead; h++) for (int t = 0; t < Tq; t++) {
            int n = pos0 + t + 1;
            double[] s = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int t2 = 0; t2 < n; t2++) {
                double d = 0;
                for (int c = 0; c < hs; c++) d += (double) q[(b * Tq + t) * C + h * hs + c] * k[(b * Tk + t2) * C + h * hs + c];
                s[t2] = d / Math.sqrt(hs);
                max = Math.max(max, s[t2]);
            }
            double sum = 0;
            for (int t2 = 0; t2 < n; t2++) { s[t2] = Math.exp(s[t2] - max); sum += s[t2]; }
            for (int c = 0; c < hs; c++) {
                double acc = 0;
                for (int t2 = 0; t2 < n; t2++) acc += s[t2] / sum * v[(b * Tk + t2) * C + h * hs + c];
                out[(b * Tq + t) * C + h * hs + c] = (float) acc;
            }
        }
        return out;
    }

    /** IEEE 754 binary16 decoded from its definition (sign, 5-bit exponent, 10-bit fraction). */
    static float f16(short bits) {
        int sign = (bits >> 15) & 1, exp = (bits >> 10) & 0x1f, frac = bits & 0x3ff;
        double v;
        if (exp == 0) v = frac / 1024.0 * Math.pow(2, -14);
        else if (exp == 31) v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else v = (1 + frac / 1024.0) * Math.pow(2, exp - 15);
        return (float) (sign == 1 ? -v : v);
    }

    /** bfloat16 decoded from its definition (sign, 8-bit exponent, 7-bit fraction). */
    static float bf16(short bits) {
        int sign = (bits >> 15) & 1, exp = (bits >> 7) & 0xff, frac = bits & 0x7f;
        double v;
        if (exp == 0) v = frac / 128.0 * Math.pow(2, -126);
        else if (exp == 255) v = frac == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        else v = (1 + frac / 128.0) * Math.pow(2, exp - 127);
        return (float) (sign == 1 ? -v : v);
    }
}
