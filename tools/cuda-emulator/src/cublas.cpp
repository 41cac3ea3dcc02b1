// SEAL CUDA emulator — the cuBLAS subset SEAL binds (libcublas.so.13). TEST DOUBLE.
//
// cublasGemmEx / cublasGemmStridedBatchedEx compute, per batch, C = alpha * op(A) * op(B) + beta * C
// in column-major order (BLAS semantics: element (i, j) of an lda-strided matrix is at i + j*lda;
// beta == 0 does not read C, so NaN garbage there is overwritten; alpha == 0 or k == 0 does not
// read A and B). Pointer mode is HOST: alpha and beta are read as float through host pointers.
//
// Numerics: products are accumulated in float with fmaf, in increasing k order, then
// alpha*acc + beta*C in float. Inputs are first rounded as the compute type asks:
// CUBLAS_COMPUTE_32F_FAST_TF32 (or COMPUTE_32F under CUBLAS_TF32_TENSOR_OP_MATH) to TF32 (10
// mantissa bits, round to nearest, ties away from zero, like PTX cvt.rna.tf32.f32),
// _FAST_16BF to bfloat16 and _FAST_16F to half (round to nearest even). CUBLAS_COMPUTE_32F_PEDANTIC
// never rounds.
//
// Supported (Atype, Btype, Ctype, computeType): (32F, 32F, 32F, 32F | 32F_PEDANTIC | 32F_FAST_TF32 |
// 32F_FAST_16BF | 32F_FAST_16F); (16BF, 16BF, 16BF or 32F, 32F | 32F_PEDANTIC); (16F, 16F, 16F or
// 32F, 32F | 32F_PEDANTIC). Other valid combinations return CUBLAS_STATUS_NOT_SUPPORTED (the real
// library supports some of them, e.g. 64F), values that are not types at all CUBLAS_STATUS_INVALID_VALUE.
//
// Device operands are checked against libcuda's allocation table: a range outside every allocation
// is reported like a GPU fault (sticky CUDA_ERROR_ILLEGAL_ADDRESS in the context) and the call
// returns CUBLAS_STATUS_EXECUTION_FAILED without computing. alpha/beta pointing into device memory
// (pointer mode DEVICE, which SEAL does not bind) is CUBLAS_STATUS_INVALID_VALUE.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#define CUEMU_EXPORT extern "C" __attribute__((visibility("default")))

typedef enum {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16,
} cublasStatus_t;
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2, CUBLAS_OP_CONJG = 3 } cublasOperation_t;
typedef enum {
    CUBLAS_DEFAULT_MATH = 0,
    CUBLAS_TENSOR_OP_MATH = 1,
    CUBLAS_PEDANTIC_MATH = 2,
    CUBLAS_TF32_TENSOR_OP_MATH = 3,
    CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16,
} cublasMath_t;
typedef enum { CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14 } cudaDataType;
typedef enum {
    CUBLAS_COMPUTE_16F = 64,
    CUBLAS_COMPUTE_16F_PEDANTIC = 65,
    CUBLAS_COMPUTE_32F = 68,
    CUBLAS_COMPUTE_32F_PEDANTIC = 69,
    CUBLAS_COMPUTE_64F = 70,
    CUBLAS_COMPUTE_64F_PEDANTIC = 71,
    CUBLAS_COMPUTE_32I = 72,
    CUBLAS_COMPUTE_32I_PEDANTIC = 73,
    CUBLAS_COMPUTE_32F_FAST_16F = 74,
    CUBLAS_COMPUTE_32F_FAST_16BF = 75,
    CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
} cublasComputeType_t;
typedef int cublasGemmAlgo_t;
struct cublasContext {
    void* stream = nullptr;
    int mathMode = CUBLAS_DEFAULT_MATH;
};
typedef struct cublasContext* cublasHandle_t;
typedef struct CUstream_st* cudaStream_t;

// From the emulated libcuda.so.1 (this library links against it).
extern "C" int seal_cuemu_check_range(const char* call, unsigned long long p, unsigned long long bytes);
extern "C" int seal_cuemu_is_device_pointer(unsigned long long p);
extern "C" int seal_cuemu_valid_stream(void* s);

namespace {

std::mutex mu;
std::set<cublasHandle_t> handles;

void note(const std::string& text) {
    const char* quiet = getenv("SEAL_CUDA_EMU_QUIET");
    if (quiet && *quiet && *quiet != '0') return;
    std::fprintf(stderr, "SEAL CUDA emulator: %s\n", text.c_str());
    std::fflush(stderr);
}

cublasStatus_t complain(cublasStatus_t status, const std::string& text) {
    note(text);
    return status;
}

bool valid_handle(cublasHandle_t h) {
    std::lock_guard<std::mutex> lock(mu);
    return handles.count(h) > 0;
}

float bits_to_float(uint32_t b) {
    float f;
    std::memcpy(&f, &b, 4);
    return f;
}
uint32_t float_to_bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return b;
}

float round_tf32(float x) {
    uint32_t b = float_to_bits(x);
    if ((b & 0x7f800000u) == 0x7f800000u) return x;  // inf, nan
    b += 0x1000u;                                   // half an ulp of a 10-bit mantissa: ties away from zero
    return bits_to_float(b & ~0x1fffu);
}

uint16_t to_bf16(float x) {
    uint32_t b = float_to_bits(x);
    if ((b & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((b >> 16) | 0x40);  // quiet nan
    b += 0x7fffu + ((b >> 16) & 1u);                                                    // nearest, ties to even
    return static_cast<uint16_t>(b >> 16);
}
float from_bf16(uint16_t h) { return bits_to_float(static_cast<uint32_t>(h) << 16); }
float round_bf16(float x) { return from_bf16(to_bf16(x)); }

uint16_t to_half(float x) {
    _Float16 h = static_cast<_Float16>(x);
    uint16_t b;
    std::memcpy(&b, &h, 2);
    return b;
}
float from_half(uint16_t b) {
    _Float16 h;
    std::memcpy(&h, &b, 2);
    return static_cast<float>(h);
}
float round_half(float x) { return static_cast<float>(static_cast<_Float16>(x)); }
float round_none(float x) { return x; }

size_t type_size(int t) { return t == CUDA_R_32F ? 4 : 2; }

float load(const void* base, int type, size_t i) {
    switch (type) {
        case CUDA_R_32F: return static_cast<const float*>(base)[i];
        case CUDA_R_16BF: return from_bf16(static_cast<const uint16_t*>(base)[i]);
        default: return from_half(static_cast<const uint16_t*>(base)[i]);
    }
}

void store(void* base, int type, size_t i, float v) {
    switch (type) {
        case CUDA_R_32F: static_cast<float*>(base)[i] = v; break;
        case CUDA_R_16BF: static_cast<uint16_t*>(base)[i] = to_bf16(v); break;
        default: static_cast<uint16_t*>(base)[i] = to_half(v); break;
    }
}

bool is_data_type(int t) { return (t >= 0 && t <= 33); }  // cudaDataType_t values (library_types.h)
bool is_compute_type(int c) { return c >= CUBLAS_COMPUTE_16F && c <= 79; }

const char* op_name(int op) { return op == CUBLAS_OP_N ? "N" : op == CUBLAS_OP_T ? "T" : "C"; }

struct Gemm {
    const char* call;
    cublasHandle_t handle;
    int transa, transb, m, n, k;
    const void* alpha;
    const void* A;
    int Atype, lda;
    long long strideA;
    const void* B;
    int Btype, ldb;
    long long strideB;
    const void* beta;
    void* C;
    int Ctype, ldc;
    long long strideC;
    int batchCount;
    int computeType, algo;
};

// Bytes spanned by a rows x cols column-major matrix with leading dimension ld.
unsigned long long span(int rows, int cols, int ld, size_t elem) {
    if (rows == 0 || cols == 0) return 0;
    return (static_cast<unsigned long long>(cols - 1) * ld + rows) * elem;
}

cublasStatus_t gemm(const Gemm& g) {
    std::string call = g.call;
    if (!valid_handle(g.handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    auto invalid = [&](const std::string& why) { return complain(CUBLAS_STATUS_INVALID_VALUE, call + ": " + why); };
    if (g.m < 0 || g.n < 0 || g.k < 0) return invalid("m, n, k must be >= 0");
    if (g.transa < CUBLAS_OP_N || g.transa > CUBLAS_OP_C || g.transb < CUBLAS_OP_N || g.transb > CUBLAS_OP_C)
        return invalid("transa/transb must be CUBLAS_OP_N, _T or _C");
    bool ta = g.transa != CUBLAS_OP_N, tb = g.transb != CUBLAS_OP_N;  // OP_C == OP_T for real types
    int aRows = ta ? g.k : g.m, aCols = ta ? g.m : g.k;
    int bRows = tb ? g.n : g.k, bCols = tb ? g.k : g.n;
    if (g.lda < std::max(1, aRows))
        return invalid("lda = " + std::to_string(g.lda) + " < max(1, " + std::to_string(aRows) + ") (rows of A as stored, op " +
                       op_name(g.transa) + ")");
    if (g.ldb < std::max(1, bRows))
        return invalid("ldb = " + std::to_string(g.ldb) + " < max(1, " + std::to_string(bRows) + ") (rows of B as stored, op " +
                       op_name(g.transb) + ")");
    if (g.ldc < std::max(1, g.m)) return invalid("ldc = " + std::to_string(g.ldc) + " < max(1, m = " + std::to_string(g.m) + ")");
    if (g.batchCount < 0) return invalid("batchCount < 0");
    if (!g.alpha || !g.beta) return invalid("alpha and beta must not be NULL");
    if (!is_data_type(g.Atype) || !is_data_type(g.Btype) || !is_data_type(g.Ctype)) return invalid("unknown cudaDataType");
    if (!is_compute_type(g.computeType)) {
        return invalid("computeType " + std::to_string(g.computeType) +
                       " is not a cublasComputeType_t (CUBLAS_COMPUTE_32F is 68; CUDA_R_32F = 0 is a data type)");
    }
    if (!(g.algo == -1 || (g.algo >= 0 && g.algo <= 23) || (g.algo >= 99 && g.algo <= 115))) {
        return invalid("algo " + std::to_string(g.algo) + " is not a cublasGemmAlgo_t");
    }
    int ct = g.computeType;
    bool plain32 = ct == CUBLAS_COMPUTE_32F || ct == CUBLAS_COMPUTE_32F_PEDANTIC;
    bool fast = ct == CUBLAS_COMPUTE_32F_FAST_TF32 || ct == CUBLAS_COMPUTE_32F_FAST_16BF || ct == CUBLAS_COMPUTE_32F_FAST_16F;
    bool supported = false;
    if (g.Atype == g.Btype) {
        if (g.Atype == CUDA_R_32F) supported = g.Ctype == CUDA_R_32F && (plain32 || fast);
        if (g.Atype == CUDA_R_16BF) supported = (g.Ctype == CUDA_R_16BF || g.Ctype == CUDA_R_32F) && plain32;
        if (g.Atype == CUDA_R_16F) supported = (g.Ctype == CUDA_R_16F || g.Ctype == CUDA_R_32F) && plain32;
    }
    if (!supported) {
        return complain(CUBLAS_STATUS_NOT_SUPPORTED, call + ": (Atype " + std::to_string(g.Atype) + ", Btype " +
                                                         std::to_string(g.Btype) + ", Ctype " + std::to_string(g.Ctype) +
                                                         ", computeType " + std::to_string(ct) +
                                                         ") is not a combination the emulator supports");
    }
    if (seal_cuemu_is_device_pointer(reinterpret_cast<uintptr_t>(g.alpha)) ||
        seal_cuemu_is_device_pointer(reinterpret_cast<uintptr_t>(g.beta))) {
        return invalid("alpha/beta point into device memory, but the pointer mode is CUBLAS_POINTER_MODE_HOST");
    }
    if (g.m == 0 || g.n == 0 || g.batchCount == 0) return CUBLAS_STATUS_SUCCESS;
    float alpha, beta;
    std::memcpy(&alpha, g.alpha, 4);
    std::memcpy(&beta, g.beta, 4);
    bool readAB = g.k > 0 && alpha != 0.0f;
    size_t ea = type_size(g.Atype), eb = type_size(g.Btype), ec = type_size(g.Ctype);
    for (int b = 0; b < g.batchCount; b++) {
        unsigned long long a = reinterpret_cast<uintptr_t>(g.A) + static_cast<unsigned long long>(b * g.strideA * (long long)ea);
        unsigned long long bb = reinterpret_cast<uintptr_t>(g.B) + static_cast<unsigned long long>(b * g.strideB * (long long)eb);
        unsigned long long c = reinterpret_cast<uintptr_t>(g.C) + static_cast<unsigned long long>(b * g.strideC * (long long)ec);
        std::string what = call + (g.batchCount > 1 ? " batch " + std::to_string(b) : std::string());
        if ((readAB && (seal_cuemu_check_range((what + " A").c_str(), a, span(aRows, aCols, g.lda, ea)) ||
                        seal_cuemu_check_range((what + " B").c_str(), bb, span(bRows, bCols, g.ldb, eb)))) ||
            seal_cuemu_check_range((what + " C").c_str(), c, span(g.m, g.n, g.ldc, ec))) {
            return CUBLAS_STATUS_EXECUTION_FAILED;
        }
    }
    float (*rnd)(float) = round_none;
    if (ct == CUBLAS_COMPUTE_32F_FAST_TF32) rnd = round_tf32;
    if (ct == CUBLAS_COMPUTE_32F_FAST_16BF) rnd = round_bf16;
    if (ct == CUBLAS_COMPUTE_32F_FAST_16F) rnd = round_half;
    if (ct == CUBLAS_COMPUTE_32F && g.Atype == CUDA_R_32F && (g.handle->mathMode & 0xf) == CUBLAS_TF32_TENSOR_OP_MATH)
        rnd = round_tf32;
    int m = g.m, n = g.n, k = g.k;
    std::vector<float> ap(readAB ? static_cast<size_t>(m) * k : 0), bp(readAB ? static_cast<size_t>(n) * k : 0);
    for (int b = 0; b < g.batchCount; b++) {
        const char* A = static_cast<const char*>(g.A) + b * g.strideA * (long long)ea;
        const char* B = static_cast<const char*>(g.B) + b * g.strideB * (long long)eb;
        char* C = static_cast<char*>(g.C) + b * g.strideC * (long long)ec;
        if (readAB) {
            for (int i = 0; i < m; i++)  // op(A)(i, p), packed row-major m x k
                for (int p = 0; p < k; p++)
                    ap[static_cast<size_t>(i) * k + p] =
                        rnd(load(A, g.Atype, ta ? p + static_cast<size_t>(i) * g.lda : i + static_cast<size_t>(p) * g.lda));
            for (int j = 0; j < n; j++)  // op(B)(p, j), packed as n rows of k
                for (int p = 0; p < k; p++)
                    bp[static_cast<size_t>(j) * k + p] =
                        rnd(load(B, g.Btype, tb ? j + static_cast<size_t>(p) * g.ldb : p + static_cast<size_t>(j) * g.ldb));
        }
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float acc = 0.0f;
                if (readAB) {
                    const float* x = &ap[static_cast<size_t>(i) * k];
                    const float* y = &bp[static_cast<size_t>(j) * k];
                    for (int p = 0; p < k; p++) acc = std::fmaf(x[p], y[p], acc);
                }
                size_t ci = i + static_cast<size_t>(j) * g.ldc;
                float v = alpha * acc;
                if (beta != 0.0f) v += beta * load(C, g.Ctype, ci);
                store(C, g.Ctype, ci, v);
            }
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

CUEMU_EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    if (!handle) return CUBLAS_STATUS_INVALID_VALUE;
    cublasHandle_t h = new cublasContext();
    std::lock_guard<std::mutex> lock(mu);
    handles.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

CUEMU_EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    std::lock_guard<std::mutex> lock(mu);
    if (!handles.erase(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

CUEMU_EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) {
    if (!valid_handle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!seal_cuemu_valid_stream(streamId)) return complain(CUBLAS_STATUS_INVALID_VALUE, "cublasSetStream_v2: unknown stream");
    handle->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

CUEMU_EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    if (!valid_handle(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < CUBLAS_DEFAULT_MATH || base > CUBLAS_TF32_TENSOR_OP_MATH) return CUBLAS_STATUS_INVALID_VALUE;
    handle->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUEMU_EXPORT cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m,
                                         int n, int k, const void* alpha, const void* A, cudaDataType Atype, int lda,
                                         const void* B, cudaDataType Btype, int ldb, const void* beta, void* C,
                                         cudaDataType Ctype, int ldc, cublasComputeType_t computeType, cublasGemmAlgo_t algo) {
    return gemm(Gemm{"cublasGemmEx", handle, transa, transb, m, n, k, alpha, A, Atype, lda, 0, B, Btype, ldb, 0, beta, C,
                     Ctype, ldc, 0, 1, computeType, algo});
}

CUEMU_EXPORT cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t handle, cublasOperation_t transa,
                                                       cublasOperation_t transb, int m, int n, int k, const void* alpha,
                                                       const void* A, cudaDataType Atype, int lda, long long strideA,
                                                       const void* B, cudaDataType Btype, int ldb, long long strideB,
                                                       const void* beta, void* C, cudaDataType Ctype, int ldc,
                                                       long long strideC, int batchCount, cublasComputeType_t computeType,
                                                       cublasGemmAlgo_t algo) {
    return gemm(Gemm{"cublasGemmStridedBatchedEx", handle, transa, transb, m, n, k, alpha, A, Atype, lda, strideA, B, Btype,
                     ldb, strideB, beta, C, Ctype, ldc, strideC, batchCount, computeType, algo});
}

struct StatusInfo {
    int code;
    const char* name;
    const char* text;
};
static const StatusInfo STATUSES[] = {
    {CUBLAS_STATUS_SUCCESS, "CUBLAS_STATUS_SUCCESS", "the operation completed successfully"},
    {CUBLAS_STATUS_NOT_INITIALIZED, "CUBLAS_STATUS_NOT_INITIALIZED", "the library was not initialized"},
    {CUBLAS_STATUS_ALLOC_FAILED, "CUBLAS_STATUS_ALLOC_FAILED", "the resource allocation failed"},
    {CUBLAS_STATUS_INVALID_VALUE, "CUBLAS_STATUS_INVALID_VALUE", "an invalid numeric value was used as an argument"},
    {CUBLAS_STATUS_ARCH_MISMATCH, "CUBLAS_STATUS_ARCH_MISMATCH", "an absent device architectural feature is required"},
    {CUBLAS_STATUS_MAPPING_ERROR, "CUBLAS_STATUS_MAPPING_ERROR", "an access to GPU memory space failed"},
    {CUBLAS_STATUS_EXECUTION_FAILED, "CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to execute"},
    {CUBLAS_STATUS_INTERNAL_ERROR, "CUBLAS_STATUS_INTERNAL_ERROR", "an internal operation failed"},
    {CUBLAS_STATUS_NOT_SUPPORTED, "CUBLAS_STATUS_NOT_SUPPORTED", "the functionality requested is not supported"},
    {CUBLAS_STATUS_LICENSE_ERROR, "CUBLAS_STATUS_LICENSE_ERROR", "error detected trying to check the license"},
};

CUEMU_EXPORT const char* cublasGetStatusName(cublasStatus_t status) {
    for (const StatusInfo& s : STATUSES)
        if (s.code == status) return s.name;
    return "<unknown>";
}

CUEMU_EXPORT const char* cublasGetStatusString(cublasStatus_t status) {
    for (const StatusInfo& s : STATUSES)
        if (s.code == status) return s.text;
    return "unknown error";
}
