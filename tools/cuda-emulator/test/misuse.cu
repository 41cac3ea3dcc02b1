// Kernels that break the rules on purpose: the emulator must report them, not hang or guess.
// (A second kernel file, so builds with several files are tested too; helper names may repeat.)

__device__ __forceinline__ float warpSum(float v) {  // same name as in sample.cu: each file has its own namespace
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
    return v;
}

// Only half of each warp shuffles: divergent warp intrinsic -> deadlock report.
extern "C" __global__ void divergent_shuffle(float* out) {
    float v = threadIdx.x;
    if ((threadIdx.x & 31) < 16) v = warpSum(v);
    out[threadIdx.x] = v;
}

// Lanes >= 8 return before the shuffle.
extern "C" __global__ void shuffle_after_return(float* out, int n) {
    if ((int)threadIdx.x >= n) return;
    out[threadIdx.x] = warpSum(1.0f);
}

// Threads that returned count as arrived at __syncthreads (documented emulator behaviour).
extern "C" __global__ void sync_after_return(int* out) {
    __shared__ int s[64];
    if (threadIdx.x >= 32) return;
    s[threadIdx.x] = threadIdx.x;
    __syncthreads();
    out[threadIdx.x] = s[31 - threadIdx.x];
}

// Half of warp 0 shuffles while the other half (and warp 1) wait at __syncthreads: deadlock.
// (A whole warp shuffling while other warps wait at a barrier is fine.)
extern "C" __global__ void shuffle_vs_sync(float* out) {
    float v = 1.0f;
    if (threadIdx.x < 16) {
        v = warpSum(v);
    } else {
        __syncthreads();
    }
    out[threadIdx.x] = v;
}

extern "C" __global__ void failing_assert(const int* in) {
    assert(in[threadIdx.x] >= 0);
}

// A missing __syncthreads between writing and reading shared memory: right in forward thread
// order by luck, wrong in reverse order (SEAL_CUDA_EMU_ORDER=reverse exposes it, as long as the
// block's __shared__ storage does not still hold the right values from an earlier block).
extern "C" __global__ void missing_barrier(int* out) {
    __shared__ int s[64];
    s[threadIdx.x] = threadIdx.x + 1;
    out[threadIdx.x] = s[threadIdx.x > 0 ? threadIdx.x - 1 : 0];
}
