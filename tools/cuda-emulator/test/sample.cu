// Sample kernels for the SEAL CUDA emulator's own tests (tools/cuda-emulator/test, and
// native-bindings' CudaEmulatorTest). They follow the emulator's kernel rules and are ordinary
// CUDA C: NVRTC compiles the same text for a real GPU.

// The kernel GpuSmokeTest compiles inline (same text), so that test also runs on the emulator.
extern "C" __global__ void axpb(float* x, float a, float b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] = a * x[i] + b;
}

// y += a * x over n elements, grid-stride loop.
extern "C" __global__ void axpy(float* __restrict__ y, const float* __restrict__ x, float a, long long n) {
    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[i] = fmaf(a, x[i], y[i]);
    }
}

__device__ __forceinline__ float warpSum(float v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float warpMax(float v) {
#pragma unroll
    for (int mask = 16; mask > 0; mask >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, mask));
    return v;
}

// Sum over the block; the result is valid in every thread. blockDim.x a multiple of 32, <= 1024.
__device__ float blockSum(float v) {
    __shared__ float partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v = warpSum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int nwarps = blockDim.x >> 5;
    if (warp == 0) {  // only the first warp shuffles here
        float t = lane < nwarps ? partial[lane] : 0.0f;
        t = warpSum(t);
        if (lane == 0) partial[0] = t;
    }
    __syncthreads();
    float total = partial[0];
    __syncthreads();  // partial is reused by the next call
    return total;
}

// out[row] = sum of the row; one block per row (gridDim.x = rows).
extern "C" __global__ void row_sum(const float* __restrict__ x, float* __restrict__ out, int cols) {
    const float* r = x + (long long)blockIdx.x * cols;
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += r[c];
    s = blockSum(s);
    if (threadIdx.x == 0) out[blockIdx.x] = s;
}

// Numerically stable softmax of each row, one block per row; exercises expf, INFINITY, butterflies.
extern "C" __global__ void softmax_rows(const float* __restrict__ x, float* __restrict__ y, int cols) {
    __shared__ float warpMaxes[32];
    const float* r = x + (long long)blockIdx.x * cols;
    float* o = y + (long long)blockIdx.x * cols;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    float m = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) m = fmaxf(m, r[c]);
    m = warpMax(m);
    if (lane == 0) warpMaxes[warp] = m;
    __syncthreads();
    m = warpMaxes[0];
    for (int w = 1; w < nwarps; w++) m = fmaxf(m, warpMaxes[w]);
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) s += expf(r[c] - m);
    float inv = 1.0f / blockSum(s);
    for (int c = threadIdx.x; c < cols; c += blockDim.x) o[c] = expf(r[c] - m) * inv;
}

// c = a + b for a rows x cols matrix with a 2D grid of 2D blocks.
extern "C" __global__ void add_2d(float* c, const float* a, const float* b, int rows, int cols) {
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y * blockDim.y + threadIdx.y;
    if (row < rows && col < cols) c[row * cols + col] = a[row * cols + col] + b[row * cols + col];
}

// out[linear thread id over the whole 3D launch] = encoded (block, thread) coordinates.
extern "C" __global__ void coords_3d(int* out) {
    int threadsPerBlock = blockDim.x * blockDim.y * blockDim.z;
    int block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    out[block * threadsPerBlock + thread] = ((blockIdx.z * 16 + blockIdx.y) * 16 + blockIdx.x) * 4096 +
                                            (threadIdx.z * 16 + threadIdx.y) * 16 + threadIdx.x;
}

// bf16 bits (unsigned short) -> float.
extern "C" __global__ void bf16_to_f32(const unsigned short* __restrict__ in, float* __restrict__ out, long long n) {
    long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    if (i < n) out[i] = __uint_as_float((unsigned)in[i] << 16);
}

// Every warp-intrinsic flavour, one warp per block: out has 8 ints per lane.
extern "C" __global__ void warp_ops(const int* in, int* out, int srcLane) {
    int lane = threadIdx.x;
    int v = in[blockIdx.x * 32 + lane];
    int* o = out + (blockIdx.x * 32 + lane) * 8;
    o[0] = __shfl_sync(0xffffffffu, v, srcLane);
    o[1] = __shfl_up_sync(0xffffffffu, v, 3);
    o[2] = __shfl_down_sync(0xffffffffu, v, 5);
    o[3] = __shfl_xor_sync(0xffffffffu, v, 6);
    o[4] = __shfl_xor_sync(0xffffffffu, v, 1, 8);  // width 8
    o[5] = (int)__ballot_sync(0xffffffffu, v & 1);
    o[6] = __any_sync(0xffffffffu, v > 1000) + 2 * __all_sync(0xffffffffu, v >= 0);
    __syncwarp();
    o[7] = __shfl_down_sync(0xffffffffu, v, 2, 16);  // width 16
}

// min/max overloads with mixed argument types, as CUDA declares them.
extern "C" __global__ void mixed_min_max(long long* out, int i, unsigned u, long long l, float f, double d) {
    out[0] = (long long)min(i, u);   // unsigned comparison: -1 becomes 4294967295
    out[1] = (long long)max(i, l);
    out[2] = (long long)(1000.0 * min(f, d));
    out[3] = (long long)max(u, i);
}
