// Tests of the SEAL CUDA emulator through its C API, linked against the three emulated libraries
// built from test/sample.cu and test/misuse.cu. Run by test/run.sh (which builds everything).
//   emu_test SAMPLE.cu      exit status 0 when every check passes; failures are listed.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../src/cuda_min.h"

extern "C" {
CUresult cuInit(unsigned);
CUresult cuDriverGetVersion(int*);
CUresult cuDeviceGet(CUdevice*, int);
CUresult cuDeviceGetCount(int*);
CUresult cuDeviceGetName(char*, int, CUdevice);
CUresult cuDeviceGetAttribute(int*, CUdevice_attribute, CUdevice);
CUresult cuDeviceTotalMem_v2(size_t*, CUdevice);
CUresult cuDevicePrimaryCtxRetain(CUcontext*, CUdevice);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxSynchronize(void);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemsetD8_v2(CUdeviceptr, unsigned char, size_t);
CUresult cuMemsetD32_v2(CUdeviceptr, unsigned, size_t);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemcpyDtoD_v2(CUdeviceptr, CUdeviceptr, size_t);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, CUstream);
CUresult cuMemcpyDtoHAsync_v2(void*, CUdeviceptr, size_t, CUstream);
CUresult cuMemGetInfo_v2(size_t*, size_t*);
CUresult cuStreamCreate(CUstream*, unsigned);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuStreamSynchronize(CUstream);
CUresult cuEventCreate(CUevent*, unsigned);
CUresult cuEventRecord(CUevent, CUstream);
CUresult cuEventSynchronize(CUevent);
CUresult cuEventElapsedTime(float*, CUevent, CUevent);
CUresult cuEventElapsedTime_v2(float*, CUevent, CUevent);
CUresult cuEventDestroy_v2(CUevent);
CUresult cuModuleLoadData(CUmodule*, const void*);
CUresult cuModuleUnload(CUmodule);
CUresult cuModuleGetFunction(CUfunction*, CUmodule, const char*);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void**,
                        void**);
CUresult cuGetErrorName(CUresult, const char**);
CUresult cuGetErrorString(CUresult, const char**);
const char* seal_cuemu_last_message(void);

typedef struct _nvrtcProgram* nvrtcProgram;
int nvrtcCreateProgram(nvrtcProgram*, const char*, const char*, int, const char* const*, const char* const*);
int nvrtcDestroyProgram(nvrtcProgram*);
int nvrtcCompileProgram(nvrtcProgram, int, const char* const*);
int nvrtcGetProgramLogSize(nvrtcProgram, size_t*);
int nvrtcGetProgramLog(nvrtcProgram, char*);
int nvrtcGetCUBINSize(nvrtcProgram, size_t*);
int nvrtcGetCUBIN(nvrtcProgram, char*);
int nvrtcGetPTXSize(nvrtcProgram, size_t*);
int nvrtcGetPTX(nvrtcProgram, char*);
int nvrtcVersion(int*, int*);
const char* nvrtcGetErrorString(int);

typedef struct cublasContext* cublasHandle_t;
int cublasCreate_v2(cublasHandle_t*);
int cublasDestroy_v2(cublasHandle_t);
int cublasSetStream_v2(cublasHandle_t, CUstream);
int cublasSetMathMode(cublasHandle_t, int);
int cublasGemmEx(cublasHandle_t, int, int, int, int, int, const void*, const void*, int, int, const void*, int, int,
                 const void*, void*, int, int, int, int);
int cublasGemmStridedBatchedEx(cublasHandle_t, int, int, int, int, int, const void*, const void*, int, int, long long,
                               const void*, int, int, long long, const void*, void*, int, int, long long, int, int, int);
const char* cublasGetStatusName(int);
const char* cublasGetStatusString(int);
}

static int failures = 0, checks = 0;
#define CHECK(cond)                                                                   \
    do {                                                                              \
        checks++;                                                                     \
        if (!(cond)) {                                                                \
            failures++;                                                               \
            std::fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
        }                                                                             \
    } while (0)
#define CHECK_EQ(a, b)                                                                                         \
    do {                                                                                                       \
        checks++;                                                                                              \
        auto va = (a);                                                                                         \
        auto vb = (b);                                                                                         \
        if (!(va == vb)) {                                                                                     \
            failures++;                                                                                        \
            std::fprintf(stderr, "FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b, (long long)va, \
                         (long long)vb);                                                                       \
        }                                                                                                      \
    } while (0)
#define OK(call) CHECK_EQ((int)(call), 0)

static std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

static CUcontext ctx;
static void fresh_context() {  // release to zero (clears sticky errors) and retain again
    cuCtxSetCurrent(nullptr);
    while (cuDevicePrimaryCtxRelease_v2(0) == CUDA_SUCCESS) {
    }
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuCtxSetCurrent(ctx));
}

static std::string compile(const std::string& src, std::vector<const char*> opts, int* rc, std::string* log, bool cubin = true) {
    nvrtcProgram p;
    OK(nvrtcCreateProgram(&p, src.c_str(), "sample.cu", 0, nullptr, nullptr));
    *rc = nvrtcCompileProgram(p, (int)opts.size(), opts.data());
    size_t n = 0;
    OK(nvrtcGetProgramLogSize(p, &n));
    std::string l(n, '\0');
    OK(nvrtcGetProgramLog(p, &l[0]));
    *log = l.c_str();
    std::string image;
    if (*rc == 0) {
        OK(cubin ? nvrtcGetCUBINSize(p, &n) : nvrtcGetPTXSize(p, &n));
        if (n > 0) {
            image.assign(n, '\0');
            OK(cubin ? nvrtcGetCUBIN(p, &image[0]) : nvrtcGetPTX(p, &image[0]));
        }
    }
    OK(nvrtcDestroyProgram(&p));
    CHECK(p == nullptr);
    return image;
}

template <class T>
static CUdeviceptr upload(const std::vector<T>& v) {
    CUdeviceptr d = 0;
    OK(cuMemAlloc_v2(&d, v.size() * sizeof(T)));
    OK(cuMemcpyHtoD_v2(d, v.data(), v.size() * sizeof(T)));
    return d;
}
template <class T>
static std::vector<T> download(CUdeviceptr d, size_t n) {
    std::vector<T> v(n);
    OK(cuMemcpyDtoH_v2(v.data(), d, n * sizeof(T)));
    return v;
}

static CUfunction fn(CUmodule m, const char* name) {
    CUfunction f = nullptr;
    OK(cuModuleGetFunction(&f, m, name));
    return f;
}

static CUresult launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                       std::vector<void*> params) {
    return cuLaunchKernel(f, gx, gy, gz, bx, by, bz, 0, nullptr, params.empty() ? nullptr : params.data(), nullptr);
}

static bool close(float a, float b, float tol) { return std::fabs(a - b) <= tol * (1.0f + std::fabs(b)); }

static void test_device_and_memory() {
    int v = 0;
    CHECK_EQ(cuDeviceGetCount(&v), CUDA_ERROR_NOT_INITIALIZED);
    OK(cuDriverGetVersion(&v));
    CHECK_EQ(v, 13000);
    CHECK_EQ(cuInit(1), CUDA_ERROR_INVALID_VALUE);
    OK(cuInit(0));
    OK(cuDeviceGetCount(&v));
    CHECK_EQ(v, 1);
    CUdevice dev;
    CHECK_EQ(cuDeviceGet(&dev, 1), CUDA_ERROR_INVALID_DEVICE);
    OK(cuDeviceGet(&dev, 0));
    char name[64];
    OK(cuDeviceGetName(name, sizeof name, dev));
    CHECK(std::string(name) == "SEAL CUDA emulator (CPU)");
    OK(cuDeviceGetName(name, 5, dev));
    CHECK(std::string(name) == "SEAL");
    OK(cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
    CHECK_EQ(v, 9);
    OK(cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_WARP_SIZE, dev));
    CHECK_EQ(v, 32);
    OK(cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, dev));
    CHECK_EQ(v, 49152);
    CHECK_EQ(cuDeviceGetAttribute(&v, (CUdevice_attribute)100000, dev), CUDA_ERROR_INVALID_VALUE);
    size_t total = 0, free = 0;
    OK(cuDeviceTotalMem_v2(&total, dev));
    CHECK_EQ(total, 8ULL << 30);

    CUdeviceptr d;
    CHECK_EQ(cuMemAlloc_v2(&d, 16), CUDA_ERROR_INVALID_CONTEXT);  // no current context yet
    OK(cuDevicePrimaryCtxRetain(&ctx, dev));
    OK(cuCtxSetCurrent(ctx));
    OK(cuMemGetInfo_v2(&free, &total));
    CHECK_EQ(free, total);
    CHECK_EQ(cuMemAlloc_v2(&d, 0), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(cuMemAlloc_v2(&d, 9ULL << 30), CUDA_ERROR_OUT_OF_MEMORY);
    OK(cuMemAlloc_v2(&d, 1000));
    CHECK_EQ(d % 256, 0u);
    OK(cuMemGetInfo_v2(&free, &total));
    CHECK_EQ(total - free, 1024u);  // rounded to 256 bytes
    std::vector<unsigned char> bytes(1000);
    OK(cuMemcpyDtoH_v2(bytes.data(), d, 1000));
    CHECK_EQ(bytes[0], 0xFF);  // fresh memory is poisoned
    OK(cuMemsetD8_v2(d, 7, 1000));
    OK(cuMemsetD32_v2(d, 0x01020304u, 250));
    OK(cuMemcpyDtoH_v2(bytes.data(), d, 1000));
    CHECK_EQ(bytes[999], 0x01);
    CHECK_EQ(bytes[0], 0x04);
    CHECK_EQ(cuMemsetD32_v2(d + 2, 0, 1), CUDA_ERROR_INVALID_VALUE);       // misaligned
    CHECK_EQ(cuMemsetD32_v2(d, 0, 251), CUDA_ERROR_INVALID_VALUE);         // past the end
    CHECK_EQ(cuMemcpyHtoD_v2(d + 1, bytes.data(), 1000), CUDA_ERROR_INVALID_VALUE);
    CHECK(std::string(seal_cuemu_last_message()).find("nearest allocation") != std::string::npos);
    CHECK_EQ(cuMemcpyDtoH_v2(bytes.data(), d + 500, 501), CUDA_ERROR_INVALID_VALUE);
    OK(cuMemcpyDtoH_v2(bytes.data(), d + 500, 500));
    OK(cuMemcpyHtoD_v2(d, bytes.data(), 0));
    CUdeviceptr e;
    OK(cuMemAlloc_v2(&e, 1000));
    OK(cuMemcpyDtoD_v2(e, d, 1000));
    CHECK_EQ(cuMemcpyHtoD_v2(e, (const void*)d, 16), CUDA_ERROR_INVALID_VALUE);  // a device address as host pointer
    CHECK_EQ(cuMemcpyDtoH_v2((void*)(e + 8), d, 16), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(cuMemcpyDtoD_v2(e, d, 1001), CUDA_ERROR_INVALID_VALUE);
    CHECK_EQ(cuMemcpyHtoDAsync_v2(e, bytes.data(), 10, (CUstream)0x1234), CUDA_ERROR_INVALID_HANDLE);
    OK(cuMemcpyHtoDAsync_v2(e, bytes.data(), 10, nullptr));
    OK(cuMemcpyDtoHAsync_v2(bytes.data(), e, 10, CU_STREAM_PER_THREAD));
    CHECK_EQ(cuMemFree_v2(d + 256), CUDA_ERROR_INVALID_VALUE);  // interior pointer
    OK(cuMemFree_v2(d));
    CHECK_EQ(cuMemFree_v2(d), CUDA_ERROR_INVALID_VALUE);  // double free
    CHECK_EQ(cuMemcpyDtoH_v2(bytes.data(), d, 4), CUDA_ERROR_INVALID_VALUE);  // use after free
    OK(cuMemFree_v2(e));
    OK(cuMemGetInfo_v2(&free, &total));
    CHECK_EQ(free, total);

    const char* s = nullptr;
    OK(cuGetErrorName(CUDA_ERROR_ILLEGAL_ADDRESS, &s));
    CHECK(std::string(s) == "CUDA_ERROR_ILLEGAL_ADDRESS");
    OK(cuGetErrorString(CUDA_ERROR_INVALID_VALUE, &s));
    CHECK(std::string(s) == "invalid argument");
    CHECK_EQ(cuGetErrorName((CUresult)12345, &s), CUDA_ERROR_INVALID_VALUE);
    CHECK(s == nullptr);
}

static void test_streams_events() {
    CUstream st;
    CHECK_EQ(cuStreamCreate(&st, 4), CUDA_ERROR_INVALID_VALUE);
    OK(cuStreamCreate(&st, CU_STREAM_NON_BLOCKING));
    CUevent a, b, untimed;
    OK(cuEventCreate(&a, CU_EVENT_DEFAULT));
    OK(cuEventCreate(&b, CU_EVENT_BLOCKING_SYNC));
    OK(cuEventCreate(&untimed, CU_EVENT_DISABLE_TIMING));
    float ms = -1;
    CHECK_EQ(cuEventElapsedTime(&ms, a, b), CUDA_ERROR_INVALID_HANDLE);  // not recorded
    OK(cuEventRecord(a, st));
    usleep(20000);
    OK(cuEventRecord(b, st));
    OK(cuEventSynchronize(b));
    OK(cuEventElapsedTime_v2(&ms, a, b));
    CHECK(ms >= 19.0f && ms < 2000.0f);
    OK(cuEventElapsedTime(&ms, a, b));
    OK(cuEventRecord(untimed, st));
    CHECK_EQ(cuEventElapsedTime_v2(&ms, a, untimed), CUDA_ERROR_INVALID_HANDLE);
    OK(cuStreamSynchronize(st));
    OK(cuEventDestroy_v2(a));
    CHECK_EQ(cuEventDestroy_v2(a), CUDA_ERROR_INVALID_HANDLE);
    OK(cuEventDestroy_v2(b));
    OK(cuEventDestroy_v2(untimed));
    OK(cuStreamDestroy_v2(st));
    CHECK_EQ(cuStreamSynchronize(st), CUDA_ERROR_INVALID_HANDLE);
}

static void test_nvrtc(const std::string& sample) {
    int major = 0, minor = 0;
    OK(nvrtcVersion(&major, &minor));
    CHECK_EQ(major, 13);
    CHECK(std::string(nvrtcGetErrorString(6)) == "NVRTC_ERROR_COMPILATION");
    CHECK(std::string(nvrtcGetErrorString(99)) == "NVRTC_ERROR unknown");
    int rc;
    std::string log;
    std::string cubin = compile(sample, {"--gpu-architecture=sm_90", "-std=c++17"}, &rc, &log);
    CHECK_EQ(rc, 0);
    CHECK(cubin.rfind("SEALEMU1 cubin sm_90\n", 0) == 0);
    compile(sample, {"--use_fast_math"}, &rc, &log);
    CHECK_EQ(rc, 5);  // NVRTC_ERROR_INVALID_OPTION
    CHECK(log.find("--use_fast_math") != std::string::npos);
    compile(sample, {"-arch=sm_60"}, &rc, &log);
    CHECK_EQ(rc, 5);
    std::string virt = compile(sample, {"-arch=compute_90"}, &rc, &log);
    CHECK_EQ(rc, 0);
    CHECK(virt.empty());  // no CUBIN for a virtual architecture
    std::string ptx = compile(sample, {"-arch=compute_90"}, &rc, &log, false);
    CHECK(ptx.rfind("SEALEMU1 ptx compute_90\n", 0) == 0);
    CUmodule m;
    OK(cuModuleLoadData(&m, ptx.c_str()));
    OK(cuModuleUnload(m));
    CHECK_EQ(cuModuleUnload(m), CUDA_ERROR_INVALID_HANDLE);
    std::string sm80 = compile(sample, {"-arch=sm_80"}, &rc, &log);
    CHECK_EQ(cuModuleLoadData(&m, sm80.c_str()), CUDA_ERROR_NO_BINARY_FOR_GPU);
    CHECK_EQ(cuModuleLoadData(&m, "\x7f" "ELF garbage"), CUDA_ERROR_INVALID_IMAGE);

    compile("extern \"C\" __global__ void not_built(float* x) { x[0] = 1; }", {}, &rc, &log);
    CHECK_EQ(rc, 6);
    CHECK(log.find("\"not_built\" is not compiled into") != std::string::npos);
    compile("this is not C++", {}, &rc, &log);
    CHECK_EQ(rc, 6);
    compile("extern \"C\" __global__ void axpb(float* x, float a, float b, int n) {\n"
            "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) x[i] = a * x[i] + b;\n}\n"
            "extern __shared__ float dynamic[];\n",
            {}, &rc, &log);
    CHECK_EQ(rc, 6);
    CHECK(log.find("sample.cu(5): error: extern __shared__ (dynamic shared memory) is not supported") != std::string::npos);
    compile("__global__ void mangled(float* x) { }", {}, &rc, &log);
    CHECK_EQ(rc, 6);
    CHECK(log.find("without extern \"C\"") != std::string::npos);
    // Same kernel, other formatting and comments: accepted. Other code: a stale build, refused.
    compile("// comment\nextern  \"C\"\n__global__ void axpb(float* x, float a, float b, int n) {\n"
            "  int i = blockIdx.x * blockDim.x + threadIdx.x; /* c */\n  if (i < n) x[i] = a * x[i] + b;\n}\n",
            {}, &rc, &log);
    CHECK_EQ(rc, 0);
    compile("extern \"C\" __global__ void axpb(float* x, float a, float b, int n) {\n"
            "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n  if (i < n) x[i] = a * x[i] - b;\n}\n",
            {}, &rc, &log);
    CHECK_EQ(rc, 6);
    CHECK(log.find("differs from the text") != std::string::npos);
}

static void test_kernels(const std::string& sample) {
    int rc;
    std::string log;
    std::string cubin = compile(sample, {"-arch=sm_90"}, &rc, &log);
    CUmodule m;
    OK(cuModuleLoadData(&m, cubin.c_str()));
    CUfunction f;
    CHECK_EQ(cuModuleGetFunction(&f, m, "nope"), CUDA_ERROR_NOT_FOUND);
    CHECK_EQ(cuModuleGetFunction(&f, m, "divergent_shuffle"), CUDA_ERROR_NOT_FOUND);  // built in, but not in this module
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);

    {  // axpb, a partial last block
        int n = 1000;
        std::vector<float> x(n);
        for (int i = 0; i < n; i++) x[i] = (float)i;
        CUdeviceptr dx = upload(x);
        float a = 2, b = 1;
        OK(launch(fn(m, "axpb"), (n + 255) / 256, 1, 1, 256, 1, 1, {&dx, &a, &b, &n}));
        OK(cuCtxSynchronize());
        std::vector<float> y = download<float>(dx, n);
        bool all = true;
        for (int i = 0; i < n; i++) all &= y[i] == 2.0f * i + 1.0f;
        CHECK(all);
        OK(cuMemFree_v2(dx));
    }
    {  // axpy grid-stride with long long n
        long long n = 100000;
        std::vector<float> x(n), y(n);
        for (auto& v : x) v = u(rng);
        for (auto& v : y) v = u(rng);
        CUdeviceptr dx = upload(x), dy = upload(y);
        float a = 0.5f;
        OK(launch(fn(m, "axpy"), 7, 1, 1, 128, 1, 1, {&dy, &dx, &a, &n}));
        std::vector<float> r = download<float>(dy, n);
        bool all = true;
        for (long long i = 0; i < n; i++) all &= r[i] == std::fmaf(a, x[i], y[i]);
        CHECK(all);
        OK(cuMemFree_v2(dx));
        OK(cuMemFree_v2(dy));
    }
    for (unsigned block : {32u, 96u, 256u, 1024u}) {  // row_sum: shared memory + two levels of shuffles
        int rows = 37, cols = 1000;
        std::vector<float> x((size_t)rows * cols);
        for (auto& v : x) v = u(rng);
        CUdeviceptr dx = upload(x), dout;
        OK(cuMemAlloc_v2(&dout, rows * 4));
        OK(launch(fn(m, "row_sum"), rows, 1, 1, block, 1, 1, {&dx, &dout, &cols}));
        OK(cuCtxSynchronize());
        std::vector<float> out = download<float>(dout, rows);
        bool all = true;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[(size_t)r * cols + c];
            all &= close(out[r], (float)s, 1e-4f);
        }
        CHECK(all);
        OK(cuMemFree_v2(dx));
        OK(cuMemFree_v2(dout));
    }
    {  // softmax
        int rows = 5, cols = 333;
        std::vector<float> x((size_t)rows * cols);
        for (auto& v : x) v = 10 * u(rng);
        CUdeviceptr dx = upload(x), dy;
        OK(cuMemAlloc_v2(&dy, x.size() * 4));
        OK(launch(fn(m, "softmax_rows"), rows, 1, 1, 128, 1, 1, {&dx, &dy, &cols}));
        std::vector<float> y = download<float>(dy, x.size());
        bool all = true;
        for (int r = 0; r < rows; r++) {
            double mx = -INFINITY, s = 0;
            for (int c = 0; c < cols; c++) mx = std::max(mx, (double)x[r * cols + c]);
            for (int c = 0; c < cols; c++) s += std::exp(x[r * cols + c] - mx);
            for (int c = 0; c < cols; c++) all &= close(y[r * cols + c], (float)(std::exp(x[r * cols + c] - mx) / s), 1e-5f);
        }
        CHECK(all);
        OK(cuMemFree_v2(dx));
        OK(cuMemFree_v2(dy));
    }
    {  // 2D grid of 2D blocks
        int rows = 50, cols = 70;
        std::vector<float> a((size_t)rows * cols), b(a.size());
        for (auto& v : a) v = u(rng);
        for (auto& v : b) v = u(rng);
        CUdeviceptr da = upload(a), db = upload(b), dc;
        OK(cuMemAlloc_v2(&dc, a.size() * 4));
        OK(launch(fn(m, "add_2d"), (cols + 15) / 16, (rows + 7) / 8, 1, 16, 8, 1, {&dc, &da, &db, &rows, &cols}));
        std::vector<float> c = download<float>(dc, a.size());
        bool all = true;
        for (size_t i = 0; i < a.size(); i++) all &= c[i] == a[i] + b[i];
        CHECK(all);
        OK(cuMemFree_v2(da));
        OK(cuMemFree_v2(db));
        OK(cuMemFree_v2(dc));
    }
    {  // 3D coordinates: x varies fastest, for blocks and for threads
        unsigned gx = 3, gy = 2, gz = 2, bx = 4, by = 3, bz = 2;
        size_t n = gx * gy * gz * bx * by * bz;
        CUdeviceptr d;
        OK(cuMemAlloc_v2(&d, n * 4));
        OK(launch(fn(m, "coords_3d"), gx, gy, gz, bx, by, bz, {&d}));
        std::vector<int> o = download<int>(d, n);
        bool all = true;
        size_t i = 0;
        for (unsigned z = 0; z < gz; z++)
            for (unsigned y = 0; y < gy; y++)
                for (unsigned x = 0; x < gx; x++)
                    for (unsigned tz = 0; tz < bz; tz++)
                        for (unsigned ty = 0; ty < by; ty++)
                            for (unsigned tx = 0; tx < bx; tx++)
                                all &= o[i++] == (int)(((z * 16 + y) * 16 + x) * 4096 + (tz * 16 + ty) * 16 + tx);
        CHECK(all);
        OK(cuMemFree_v2(d));
    }
    {  // bf16 bits
        std::vector<unsigned short> in = {0x3f80, 0xc000, 0x7f80, 0x0000, 0x4049};
        long long n = (long long)in.size();
        CUdeviceptr di = upload(in), dout;
        OK(cuMemAlloc_v2(&dout, n * 4));
        OK(launch(fn(m, "bf16_to_f32"), 1, 1, 1, 32, 1, 1, {&di, &dout, &n}));
        std::vector<float> o = download<float>(dout, n);
        CHECK(o[0] == 1.0f && o[1] == -2.0f && std::isinf(o[2]) && o[3] == 0.0f && o[4] == 3.140625f);
        OK(cuMemFree_v2(di));
        OK(cuMemFree_v2(dout));
    }
    {  // warp intrinsics against their definitions
        int blocks = 2, src = 37;  // srcLane 37 wraps to lane 5
        std::vector<int> in(blocks * 32);
        for (auto& v : in) v = (int)(rng() % 1000);
        CUdeviceptr di = upload(in), dout;
        OK(cuMemAlloc_v2(&dout, in.size() * 8 * 4));
        OK(launch(fn(m, "warp_ops"), blocks, 1, 1, 32, 1, 1, {&di, &dout, &src}));
        std::vector<int> o = download<int>(dout, in.size() * 8);
        bool all = true;
        for (int b = 0; b < blocks; b++) {
            const int* v = &in[b * 32];
            unsigned ballot = 0;
            bool any = false, allNonNeg = true;
            for (int l = 0; l < 32; l++) {
                ballot |= (unsigned)(v[l] & 1) << l;
                any |= v[l] > 1000;
                allNonNeg &= v[l] >= 0;
            }
            for (int l = 0; l < 32; l++) {
                const int* r = &o[(b * 32 + l) * 8];
                all &= r[0] == v[5];
                all &= r[1] == (l >= 3 ? v[l - 3] : v[l]);
                all &= r[2] == (l + 5 < 32 ? v[l + 5] : v[l]);
                all &= r[3] == v[l ^ 6];
                all &= r[4] == v[l ^ 1];
                all &= r[5] == (int)ballot;
                all &= r[6] == (int)any + 2 * (int)allNonNeg;
                all &= r[7] == ((l % 16) + 2 < 16 ? v[l + 2] : v[l]);
            }
        }
        CHECK(all);
        OK(cuMemFree_v2(di));
        OK(cuMemFree_v2(dout));
    }
    {  // CUDA's min/max overloads
        CUdeviceptr d;
        OK(cuMemAlloc_v2(&d, 4 * 8));
        int i = -1;
        unsigned un = 7;
        long long l = 5000000000LL;
        float f = 2.5f;
        double dd = 1.25;
        OK(launch(fn(m, "mixed_min_max"), 1, 1, 1, 1, 1, 1, {&d, &i, &un, &l, &f, &dd}));
        std::vector<long long> o = download<long long>(d, 4);
        CHECK_EQ(o[0], 7);
        CHECK_EQ(o[1], 5000000000LL);
        CHECK_EQ(o[2], 1250);
        CHECK_EQ(o[3], 4294967295LL);
        OK(cuMemFree_v2(d));
    }
    {  // launch validation
        CUdeviceptr d;
        OK(cuMemAlloc_v2(&d, 4096));
        int n = 10;
        float a = 1, b = 0;
        std::vector<void*> p = {&d, &a, &b, &n};
        CUfunction k = fn(m, "axpb");
        CHECK_EQ(launch(k, 1, 1, 1, 1025, 1, 1, p), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(launch(k, 1, 1, 1, 32, 32, 2, p), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(launch(k, 1, 1, 1, 1, 1, 65, p), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(launch(k, 0, 1, 1, 32, 1, 1, p), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(launch(k, 1, 65536, 1, 32, 1, 1, p), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(cuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 16, nullptr, p.data(), nullptr), CUDA_ERROR_INVALID_VALUE);
        void* extra[] = {nullptr};
        CHECK_EQ(cuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 0, nullptr, p.data(), extra), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(cuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr), CUDA_ERROR_INVALID_VALUE);
        CHECK_EQ(cuLaunchKernel(k, 1, 1, 1, 32, 1, 1, 0, (CUstream)0x99, p.data(), nullptr), CUDA_ERROR_INVALID_HANDLE);
        OK(launch(k, 1, 1, 1, 32, 1, 1, p));
        OK(cuCtxSynchronize());
        // A pointer argument outside every allocation: like a GPU fault, reported from the next calls.
        CUdeviceptr bogus = d + 8192;
        OK(launch(k, 1, 1, 1, 32, 1, 1, {&bogus, &a, &b, &n}));
        CHECK_EQ(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
        CHECK_EQ(cuMemFree_v2(d), CUDA_ERROR_ILLEGAL_ADDRESS);  // sticky
        fresh_context();
    }
}

static void misuse(const std::string& sample, const char* kernel, unsigned threads, std::vector<void*> params,
                   CUresult expected, const char* messagePart) {
    int rc;
    std::string log;
    std::string src = read_file(sample.substr(0, sample.rfind('/')) + "/misuse.cu");
    std::string cubin = compile(src, {"-arch=sm_90"}, &rc, &log);
    CHECK_EQ(rc, 0);
    CUmodule m;
    OK(cuModuleLoadData(&m, cubin.c_str()));
    OK(launch(fn(m, kernel), 2, 1, 1, threads, 1, 1, params));
    CHECK_EQ(cuCtxSynchronize(), expected);
    std::string msg = seal_cuemu_last_message();
    if (messagePart && msg.find(messagePart) == std::string::npos) {
        std::fprintf(stderr, "FAIL %s: message lacks '%s': %s\n", kernel, messagePart, msg.c_str());
        failures++;
    }
    fresh_context();
}

static void test_misuse(const std::string& sample) {
    CUdeviceptr out;
    OK(cuMemAlloc_v2(&out, 4096));
    misuse(sample, "divergent_shuffle", 64, {&out}, CUDA_ERROR_LAUNCH_FAILED, "have returned");
    OK(cuMemAlloc_v2(&out, 4096));
    int n = 8;
    misuse(sample, "shuffle_after_return", 32, {&out, &n}, CUDA_ERROR_LAUNCH_FAILED, "lanes 8-31 have returned");
    OK(cuMemAlloc_v2(&out, 4096));
    misuse(sample, "shuffle_vs_sync", 64, {&out}, CUDA_ERROR_LAUNCH_FAILED,
           "deadlock: warp 0 lanes 0-15 wait in __shfl_down_sync while lanes 16-31 wait in __syncthreads");
    std::vector<int> neg(64, 1);
    neg[40] = -1;
    CUdeviceptr in = upload(neg);
    misuse(sample, "failing_assert", 64, {&in}, CUDA_ERROR_ASSERT, "thread (40,0,0)");

    // Threads that returned count as arrived at __syncthreads.
    int rc;
    std::string log;
    std::string src = read_file(sample.substr(0, sample.rfind('/')) + "/misuse.cu");
    std::string cubin = compile(src, {"-arch=sm_90"}, &rc, &log);
    CUmodule m;
    OK(cuModuleLoadData(&m, cubin.c_str()));
    OK(cuMemAlloc_v2(&out, 64 * 4));
    OK(launch(fn(m, "sync_after_return"), 1, 1, 1, 64, 1, 1, {&out}));
    OK(cuCtxSynchronize());
    std::vector<int> o = download<int>(out, 32);
    bool all = true;
    for (int i = 0; i < 32; i++) all &= o[i] == 31 - i;
    CHECK(all);
    // A missing barrier: reverse order shows it (run first: __shared__ still zero), forward order hides it.
    setenv("SEAL_CUDA_EMU_ORDER", "reverse", 1);
    OK(launch(fn(m, "missing_barrier"), 1, 1, 1, 64, 1, 1, {&out}));
    unsetenv("SEAL_CUDA_EMU_ORDER");
    o = download<int>(out, 64);
    bool reverseOk = true;
    for (int i = 1; i < 64; i++) reverseOk &= o[i] == i;
    OK(launch(fn(m, "missing_barrier"), 1, 1, 1, 64, 1, 1, {&out}));
    o = download<int>(out, 64);
    bool forwardOk = true;
    for (int i = 1; i < 64; i++) forwardOk &= o[i] == i;
    CHECK(forwardOk);
    CHECK(!reverseOk);
    fresh_context();
}

// Reference column-major GEMM in double.
static void ref_gemm(bool ta, bool tb, int m, int n, int k, float alpha, const std::vector<float>& A, int lda,
                     const std::vector<float>& B, int ldb, float beta, std::vector<float>& C, int ldc) {
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int p = 0; p < k; p++)
                s += (double)(ta ? A[p + i * lda] : A[i + p * lda]) * (tb ? B[j + p * ldb] : B[p + j * ldb]);
            C[i + j * ldc] = (float)(alpha * s + (beta == 0 ? 0.0 : beta * (double)C[i + j * ldc]));
        }
}

static void test_cublas() {
    cublasHandle_t h;
    OK(cublasCreate_v2(&h));
    CHECK(std::string(cublasGetStatusName(7)) == "CUBLAS_STATUS_INVALID_VALUE");
    CHECK(std::string(cublasGetStatusString(15)) == "the functionality requested is not supported");
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    bool all = true;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            int m = 13, n = 9, k = 21;
            int lda = (ta ? k : m) + 3, ldb = (tb ? n : k) + 1, ldc = m + 2;
            std::vector<float> A((size_t)lda * (ta ? m : k)), B((size_t)ldb * (tb ? k : n)), C((size_t)ldc * n);
            for (auto& v : A) v = u(rng);
            for (auto& v : B) v = u(rng);
            for (auto& v : C) v = u(rng);
            std::vector<float> R = C;
            float alpha = 1.5f, beta = -0.5f;
            ref_gemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, R, ldc);
            CUdeviceptr dA = upload(A), dB = upload(B), dC = upload(C);
            OK(cublasGemmEx(h, ta, tb, m, n, k, &alpha, (void*)dA, 0, lda, (void*)dB, 0, ldb, &beta, (void*)dC, 0, ldc, 68, -1));
            std::vector<float> got = download<float>(dC, C.size());
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++) all &= close(got[i + j * ldc], R[i + j * ldc], 1e-5f);
            for (int j = 0; j < n; j++)  // padding rows untouched
                for (int i = m; i < ldc; i++) all &= got[i + j * ldc] == C[i + j * ldc];
            OK(cuMemFree_v2(dA));
            OK(cuMemFree_v2(dB));
            OK(cuMemFree_v2(dC));
        }
    CHECK(all);
    {  // beta = 0 ignores NaN in C; strided batched; TF32 rounding; errors
        int m = 4, n = 3, k = 5, batch = 3;
        std::vector<float> A(m * k * batch), B(k * n * batch);
        for (auto& v : A) v = u(rng);
        for (auto& v : B) v = u(rng);
        CUdeviceptr dA = upload(A), dB = upload(B), dC;
        OK(cuMemAlloc_v2(&dC, m * n * batch * 4));  // poisoned: NaN
        float alpha = 1, beta = 0;
        OK(cublasGemmStridedBatchedEx(h, 0, 0, m, n, k, &alpha, (void*)dA, 0, m, m * k, (void*)dB, 0, k, k * n, &beta,
                                      (void*)dC, 0, m, m * n, batch, 68, -1));
        std::vector<float> got = download<float>(dC, m * n * batch);
        bool ok = true;
        for (int b = 0; b < batch; b++) {
            std::vector<float> a(A.begin() + b * m * k, A.begin() + (b + 1) * m * k), bb(B.begin() + b * k * n, B.begin() + (b + 1) * k * n),
                r(m * n, 0.0f);
            ref_gemm(false, false, m, n, k, 1, a, m, bb, k, 0, r, m);
            for (int i = 0; i < m * n; i++) ok &= close(got[b * m * n + i], r[i], 1e-5f);
        }
        CHECK(ok);
        // TF32: 1 + 2^-12 rounds to 1 (10 mantissa bits), so (1+2^-12)*(1+2^-12) -> 1 exactly.
        float x = 1.0f + std::ldexp(1.0f, -12);
        CUdeviceptr d1 = upload(std::vector<float>{x}), d2;
        OK(cuMemAlloc_v2(&d2, 4));
        OK(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 77, -1));
        CHECK(download<float>(d2, 1)[0] == 1.0f);
        OK(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 69, -1));
        CHECK(download<float>(d2, 1)[0] == x * x);
        OK(cublasSetMathMode(h, 3));  // TF32 tensor op math applies to COMPUTE_32F
        OK(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 68, -1));
        CHECK(download<float>(d2, 1)[0] == 1.0f);
        OK(cublasSetMathMode(h, 0));
        CHECK_EQ(cublasSetMathMode(h, 9), 7);
        // bf16 inputs, f32 output
        std::vector<unsigned short> bf = {0x3fc0 /*1.5*/, 0x4000 /*2*/};
        CUdeviceptr db = upload(bf);
        OK(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)db, 14, 1, (void*)(db + 2), 14, 1, &beta, (void*)d2, 0, 1, 68, -1));
        CHECK(download<float>(d2, 1)[0] == 3.0f);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)db, 14, 1, (void*)db, 14, 1, &beta, (void*)d2, 0, 1, 77, -1), 15);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 0, -1), 7);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 1, 1, (void*)d1, 1, 1, &beta, (void*)d2, 1, 1, 70, -1), 15);
        CHECK_EQ(cublasGemmEx(h, 0, 0, -1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 68, -1), 7);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 4, 1, 1, &alpha, (void*)d1, 0, 3, (void*)d1, 0, 1, &beta, (void*)d2, 0, 4, 68, -1), 7);
        CHECK_EQ(cublasGemmEx(h, 1, 0, 4, 1, 5, &alpha, (void*)d1, 0, 4, (void*)d1, 0, 5, &beta, (void*)d2, 0, 4, 68, -1), 7);
        CHECK_EQ(cublasGemmEx(h, 0, 1, 1, 3, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 2, &beta, (void*)d2, 0, 1, 68, -1), 7);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 68, 1234), 7);
        CHECK_EQ(cublasGemmEx(h, 0, 0, 1, 1, 1, nullptr, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 68, -1), 7);
        CHECK_EQ(cublasGemmEx(nullptr, 0, 0, 1, 1, 1, &alpha, (void*)d1, 0, 1, (void*)d1, 0, 1, &beta, (void*)d2, 0, 1, 68, -1), 1);
        OK(cublasGemmEx(h, 0, 0, 0, 1, 1, &alpha, nullptr, 0, 1, nullptr, 0, 1, &beta, nullptr, 0, 1, 68, -1));  // m == 0
        // Operands out of their allocations: execution failure + sticky illegal address.
        CHECK_EQ(cublasGemmEx(h, 0, 0, 2, 1, 1, &alpha, (void*)d1, 0, 2, (void*)d1, 0, 1, &beta, (void*)d2, 0, 2, 68, -1), 13);
        CHECK_EQ(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
        fresh_context();
    }
    CUstream st;
    OK(cuStreamCreate(&st, 0));
    OK(cublasSetStream_v2(h, st));
    CHECK_EQ(cublasSetStream_v2(h, (CUstream)0x77), 7);
    OK(cublasDestroy_v2(h));
    CHECK_EQ(cublasDestroy_v2(h), 1);
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: emu_test SAMPLE.cu\n");
        return 2;
    }
    std::string samplePath = argv[1];
    std::string sample = read_file(samplePath);
    setenv("SEAL_CUDA_EMU_QUIET", "1", 1);
    test_device_and_memory();
    test_streams_events();
    test_nvrtc(sample);
    test_kernels(sample);
    test_misuse(samplePath);
    test_cublas();
    // Release leaves no context.
    cuCtxSetCurrent(nullptr);
    while (cuDevicePrimaryCtxRelease_v2(0) == CUDA_SUCCESS) {
    }
    CHECK_EQ(cuCtxSetCurrent(ctx), CUDA_ERROR_INVALID_CONTEXT);
    std::printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
