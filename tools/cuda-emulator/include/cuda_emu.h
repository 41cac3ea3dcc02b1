// SEAL CUDA emulator — kernel-side header (TEST DOUBLE, never shipped in the product bundle).
//
// build.sh force-includes this header (g++ -include cuda_emu.h) in front of every kernel file, so
// that CUDA C kernels compile as plain C++17 and run on the CPU: every thread of a block is a
// cooperative fiber, __syncthreads() and the warp intrinsics are exact barriers (see src/fiber.cpp).
//
// RULES a kernel file must follow (also in tools/cuda-emulator/README.md):
//  1. Every kernel is a definition `extern "C" __global__ void name(params) { ... }` (optionally with
//     __launch_bounds__(...) before `void`), written out in the source, not produced by a macro.
//     Kernel names are unique over all files given to one build.
//  2. Parameters are arithmetic values (int, unsigned, long long, float, double, ...) or pointers to
//     arithmetic types (float*, const float*, int*, const int*, unsigned short* / const unsigned short*
//     holding bf16 bits, ...). No structs, references or templates. Pointer parameters must be 0 or
//     point into (or one past) a live cuMemAlloc allocation.
//  3. Only static __shared__ arrays/variables (no `extern __shared__`, no dynamic shared memory);
//     they are uninitialised at block start, as on the GPU.
//  4. __syncthreads() is reached by all threads of the block that have not returned (a thread that
//     has returned counts as arrived). Warp intrinsics (__shfl_sync, __shfl_up_sync, __shfl_down_sync,
//     __shfl_xor_sync on int/unsigned/float/long long/double, __ballot_sync, __any_sync, __all_sync,
//     __syncwarp) are called by every lane of the warp with the full mask (0xffffffffu, or exactly the
//     existing lanes of a last, partial warp); no lane of that warp may have returned. Different warps
//     may call them at different times (e.g. only warp 0 in a block reduction).
//  5. Built-ins: threadIdx/blockIdx/blockDim/gridDim (.x .y .z), warpSize, __device__ /
//     __forceinline__ / __noinline__ helpers, __restrict__, #pragma unroll (ignored), INFINITY,
//     math.h float functions (expf, logf, tanhf, sqrtf, fmaxf, fminf, fmaf, fabsf, ...), rsqrtf,
//     __expf, __logf, __fdividef, __float_as_int/__int_as_float/__float_as_uint/__uint_as_float,
//     min/max, __ldg, atomicAdd/atomicMax/atomicMin/atomicExch/atomicCAS, assert, printf.
//  6. No #include of other headers (NVRTC has no standard headers either); no texture/surface
//     objects, no cooperative groups, no inline PTX, no __constant__ set from the host.
//
// Helper functions and file-scope variables of each kernel file live in a namespace of their own
// (build.sh wraps the file), so two files may both define e.g. `warpSum`.
#pragma once

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#define SEAL_CUDA_EMULATOR 1
#define __CUDACC__ 1
#define __CUDACC_RTC__ 1
#define __CUDA_ARCH__ 900

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
// One copy per OS worker thread; a worker runs the blocks of a launch one after another, so each
// block being executed has storage of its own. (__thread: no dynamic initialisation, as in CUDA.)
#define __shared__ static __thread
#define __constant__ static
#define __launch_bounds__(...)

struct uint3 {
    unsigned int x, y, z;
};
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
};

namespace cuemu {

struct ThreadCtx {
    uint3 tid;  // threadIdx
};
struct BlockCtx {
    uint3 bid;   // blockIdx
    dim3 bdim;   // blockDim
    dim3 gdim;   // gridDim
};
// Set by the fiber scheduler before it switches to a thread (one OS thread runs all fibers of a block).
extern __thread const ThreadCtx* tls_thread;
extern __thread const BlockCtx* tls_block;

void syncthreads();
enum WarpOp { OP_SHFL_IDX = 1, OP_SHFL_UP, OP_SHFL_DOWN, OP_SHFL_XOR, OP_BALLOT, OP_ANY, OP_ALL, OP_SYNCWARP };
uint64_t warp_op(int op, unsigned mask, uint64_t value, int bytes, int arg, int width);
[[noreturn]] void device_assert(const char* expr, const char* file, int line);
[[noreturn]] void trap();

template <class T>
inline T warp_shuffle(int op, unsigned mask, T var, int arg, int width) {
    static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8,
                  "warp shuffles move values of at most 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &var, sizeof(T));
    bits = warp_op(op, mask, bits, (int)sizeof(T), arg, width);
    T out;
    memcpy(&out, &bits, sizeof(T));
    return out;
}

}  // namespace cuemu

#define threadIdx (::cuemu::tls_thread->tid)
#define blockIdx (::cuemu::tls_block->bid)
#define blockDim (::cuemu::tls_block->bdim)
#define gridDim (::cuemu::tls_block->gdim)
static constexpr int warpSize = 32;

// ---- synchronisation and warp intrinsics -------------------------------------------------------
static inline void __syncthreads() { ::cuemu::syncthreads(); }
static inline void __syncwarp(unsigned mask = 0xffffffffu) {
    ::cuemu::warp_op(::cuemu::OP_SYNCWARP, mask, 0, 0, 0, 32);
}
template <class T>
static inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32) {
    return ::cuemu::warp_shuffle(::cuemu::OP_SHFL_IDX, mask, var, srcLane, width);
}
template <class T>
static inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return ::cuemu::warp_shuffle(::cuemu::OP_SHFL_UP, mask, var, (int)delta, width);
}
template <class T>
static inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return ::cuemu::warp_shuffle(::cuemu::OP_SHFL_DOWN, mask, var, (int)delta, width);
}
template <class T>
static inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32) {
    return ::cuemu::warp_shuffle(::cuemu::OP_SHFL_XOR, mask, var, laneMask, width);
}
static inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return (unsigned)::cuemu::warp_op(::cuemu::OP_BALLOT, mask, predicate != 0, 4, 0, 32);
}
static inline int __any_sync(unsigned mask, int predicate) {
    return (int)::cuemu::warp_op(::cuemu::OP_ANY, mask, predicate != 0, 4, 0, 32);
}
static inline int __all_sync(unsigned mask, int predicate) {
    return (int)::cuemu::warp_op(::cuemu::OP_ALL, mask, predicate != 0, 4, 0, 32);
}
static inline void __trap() { ::cuemu::trap(); }

// Device-side assert: fails the launch with CUDA_ERROR_ASSERT instead of aborting the process.
#undef assert
#define assert(e) ((e) ? (void)0 : ::cuemu::device_assert(#e, __FILE__, __LINE__))

// ---- math and bit intrinsics ---------------------------------------------------------------------
static inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
// glibc declares __expf & co. itself (its internal names); the CUDA fast-math ones map to the libm functions.
#define __expf(x) expf(x)
#define __logf(x) logf(x)
#define __sinf(x) sinf(x)
#define __cosf(x) cosf(x)
#define __powf(x, y) powf(x, y)
static inline float __fdividef(float a, float b) { return a / b; }
static inline float __frcp_rn(float x) { return 1.0f / x; }
static inline float __fsqrt_rn(float x) { return sqrtf(x); }
static inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
static inline float __fadd_rn(float a, float b) { return a + b; }
static inline float __fmul_rn(float a, float b) { return a * b; }
static inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
static inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
static inline float __int_as_float(int i) { float x; memcpy(&x, &i, 4); return x; }
static inline unsigned __float_as_uint(float x) { unsigned i; memcpy(&i, &x, 4); return i; }
static inline float __uint_as_float(unsigned i) { float x; memcpy(&x, &i, 4); return x; }
static inline long long __double_as_longlong(double x) { long long i; memcpy(&i, &x, 8); return i; }
static inline double __longlong_as_double(long long i) { double x; memcpy(&x, &i, 8); return x; }
static inline int __float2int_rn(float x) { return (int)nearbyintf(x); }
static inline int __float2int_rz(float x) { return (int)x; }
static inline float __int2float_rn(int i) { return (float)i; }
static inline int __popc(unsigned x) { return __builtin_popcount(x); }
static inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
static inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
static inline int __ffs(int x) { return __builtin_ffs(x); }
static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
static inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
static inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
static inline long long min(long long a, long long b) { return a < b ? a : b; }
static inline long long max(long long a, long long b) { return a > b ? a : b; }
static inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
static inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
// Mixed signedness/width, as CUDA's math_functions.hpp: the operation happens in the wider or unsigned type.
static inline unsigned min(int a, unsigned b) { return min((unsigned)a, b); }
static inline unsigned min(unsigned a, int b) { return min(a, (unsigned)b); }
static inline unsigned max(int a, unsigned b) { return max((unsigned)a, b); }
static inline unsigned max(unsigned a, int b) { return max(a, (unsigned)b); }
static inline unsigned long long min(long long a, unsigned long long b) { return min((unsigned long long)a, b); }
static inline unsigned long long min(unsigned long long a, long long b) { return min(a, (unsigned long long)b); }
static inline unsigned long long max(long long a, unsigned long long b) { return max((unsigned long long)a, b); }
static inline unsigned long long max(unsigned long long a, long long b) { return max(a, (unsigned long long)b); }
static inline long long min(int a, long long b) { return min((long long)a, b); }
static inline long long min(long long a, int b) { return min(a, (long long)b); }
static inline long long max(int a, long long b) { return max((long long)a, b); }
static inline long long max(long long a, int b) { return max(a, (long long)b); }
static inline float min(float a, float b) { return fminf(a, b); }
static inline float max(float a, float b) { return fmaxf(a, b); }
static inline double min(double a, double b) { return fmin(a, b); }
static inline double max(double a, double b) { return fmax(a, b); }
static inline double min(float a, double b) { return fmin(a, b); }
static inline double min(double a, float b) { return fmin(a, b); }
static inline double max(float a, double b) { return fmax(a, b); }
static inline double max(double a, float b) { return fmax(a, b); }
template <class T>
static inline T __ldg(const T* p) { return *p; }

// ---- atomics (blocks may run concurrently on several OS threads) --------------------------------
static inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned atomicAdd(unsigned* p, unsigned v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
static inline float atomicAdd(float* p, float v) {
    float old, sum;
    __atomic_load(p, &old, __ATOMIC_RELAXED);
    do {
        sum = old + v;
    } while (!__atomic_compare_exchange(p, &old, &sum, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return old;
}
static inline int atomicMax(int* p, int v) {
    int old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
static inline int atomicMin(int* p, int v) {
    int old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old > v && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
    return old;
}
static inline int atomicExch(int* p, int v) { return __atomic_exchange_n(p, v, __ATOMIC_RELAXED); }
static inline float atomicExch(float* p, float v) {
    float old;
    __atomic_exchange(p, &v, &old, __ATOMIC_RELAXED);
    return old;
}
static inline int atomicCAS(int* p, int compare, int v) {
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
static inline unsigned atomicCAS(unsigned* p, unsigned compare, unsigned v) {
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
static inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long compare, unsigned long long v) {
    __atomic_compare_exchange_n(p, &compare, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    return compare;
}
static inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void __threadfence_block() {}

// ---- kernel registration (used by the wrapper files build.sh generates) --------------------------
namespace cuemu {

struct ParamInfo {
    unsigned char isPointer;
    unsigned short size;
};

struct KernelDesc {
    const char* name;
    const char* file;
    int line;
    int nparams;
    const ParamInfo* params;
    void* fn;
    void* (*bind)(void* fn, void* const* kernelParams);  // copies the argument values, like the driver
    void (*run)(void* bound);                            // one thread's call of the kernel
    void (*release)(void* bound);
};

void register_kernel(const KernelDesc* desc);

template <class T>
constexpr bool allowed_param() {
    if constexpr (std::is_pointer<T>::value) {
        return std::is_arithmetic<typename std::remove_cv<typename std::remove_pointer<T>::type>::type>::value;
    } else {
        return std::is_arithmetic<T>::value;
    }
}

template <class... A>
struct Binder {
    using Fn = void (*)(A...);
    struct Bound {
        Fn fn;
        std::tuple<A...> args;
    };
    template <class T>
    static T read(const void* p) {
        T v;
        memcpy(&v, p, sizeof(T));
        return v;
    }
    template <size_t... I>
    static void* bind_impl(void* fn, void* const* p, std::index_sequence<I...>) {
        return new Bound{reinterpret_cast<Fn>(fn), std::tuple<A...>(read<A>(p[I])...)};
    }
    static void* bind(void* fn, void* const* p) { return bind_impl(fn, p, std::index_sequence_for<A...>{}); }
    template <size_t... I>
    static void run_impl(Bound* b, std::index_sequence<I...>) {
        b->fn(std::get<I>(b->args)...);
    }
    static void run(void* b) { run_impl(static_cast<Bound*>(b), std::index_sequence_for<A...>{}); }
    static void release(void* b) { delete static_cast<Bound*>(b); }
    static constexpr ParamInfo params[sizeof...(A) + 1] = {
        ParamInfo{(unsigned char)std::is_pointer<A>::value, (unsigned short)sizeof(A)}..., ParamInfo{0, 0}};
};

struct Registrar {
    KernelDesc desc;
    template <class... A>
    Registrar(const char* name, void (*fn)(A...), const char* file, int line) {
        static_assert((allowed_param<A>() && ...),
                      "SEAL CUDA emulator: kernel parameters must be arithmetic values or pointers to arithmetic types");
        desc = KernelDesc{name, file, line, (int)sizeof...(A), Binder<A...>::params, reinterpret_cast<void*>(fn),
                          &Binder<A...>::bind, &Binder<A...>::run, &Binder<A...>::release};
        register_kernel(&desc);
    }
};

}  // namespace cuemu
