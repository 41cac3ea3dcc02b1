// SEAL CUDA emulator — the CUDA driver API subset SEAL binds (libcuda.so.1). TEST DOUBLE.
//
// One device, "SEAL CUDA emulator (CPU)", compute capability 9.0. Device memory is host memory:
// a CUdeviceptr is the address. Every allocation is its own mapping, 256-byte aligned, ending right
// before a PROT_NONE guard page (a kernel running off the end faults instead of corrupting), and
// filled with 0xFF bytes (NaN floats, -1 ints) unless SEAL_CUDA_EMU_POISON=0, so reads of memory
// nobody wrote stand out. Copies and memsets check the device range against the allocation table.
// Everything runs synchronously on the calling thread (kernels on the emulator's worker threads);
// *Async calls and streams are accepted and validated but order nothing.
//
// Faults inside a launch (misuse found by the fiber scheduler, a failed assert, a kernel pointer
// argument outside every allocation) behave like asynchronous GPU faults: cuLaunchKernel returns
// CUDA_SUCCESS, the error is printed on stderr and becomes sticky in the context, so it is
// returned by every later call that uses the context (cuCtxSynchronize, copies, ...) until the
// primary context is released to zero and retained again.
#ifdef CUEMU_HAVE_CUDA_H
#define __CUDA_API_VERSION_INTERNAL 1  // declares the _v2 names and the old ones, as when NVIDIA builds the driver
#include <cuda.h>
#else
#include "cuda_min.h"  // no CUDA headers installed: the same values (checked by check_min.cpp where cuda.h exists)
#endif
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "emu_internal.h"

using cuemu::note;

static constexpr unsigned long long TOTAL_MEMORY = 8ULL << 30;
static const char* const DEVICE_NAME = "SEAL CUDA emulator (CPU)";

struct CUctx_st {
    bool alive = true;
    CUresult sticky = CUDA_SUCCESS;
};
struct CUstream_st {
    unsigned flags;
};
struct CUevent_st {
    unsigned flags;
    bool recorded = false;
    std::chrono::steady_clock::time_point when;
};
struct CUfunc_st;
struct CUmod_st {
    std::vector<std::string> kernels;
    std::map<std::string, CUfunc_st*> functions;
};
struct CUfunc_st {
    CUmod_st* module;
    const cuemu::KernelDesc* desc;
};

namespace {

struct Allocation {
    unsigned long long size;  // as requested
    void* map;
    size_t mapBytes;
};

std::recursive_mutex mu;
bool initialized = false;
CUctx_st* primary = nullptr;  // the live primary context, if retained
int primaryRefs = 0;
std::set<CUctx_st*> contexts;  // every context ever made (dead ones are kept, so stale handles are detectable)
thread_local CUctx_st* current = nullptr;
std::map<unsigned long long, Allocation> allocations;
unsigned long long liveBytes = 0;
std::set<CUstream_st*> streams;
std::set<CUevent_st*> events;
std::set<CUmod_st*> modules;
std::set<CUfunc_st*> functions;
std::string lastMessage;

bool env_flag(const char* name, bool fallback) {
    const char* v = getenv(name);
    if (!v || !*v) return fallback;
    return *v != '0';
}

int device_count() {
    const char* v = getenv("SEAL_CUDA_EMU_DEVICES");
    return v && *v == '0' ? 0 : 1;
}

std::string hex(unsigned long long v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", v);
    return buf;
}

CUresult complain(CUresult code, const std::string& text) {
    lastMessage = text;
    note(text);
    return code;
}

// The calling thread's usable context, or why there is none.
CUresult need_ctx() {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (current == nullptr || !current->alive) return CUDA_ERROR_INVALID_CONTEXT;
    return current->sticky;
}

void fault(CUresult code, const std::string& text) {
    if (current && current->alive && current->sticky == CUDA_SUCCESS) current->sticky = code;
    complain(code, text + " (sticky: every later call on this context fails until the primary context is released)");
}

// The allocation holding [p, p+bytes), or nullptr. bytes == 0 accepts one-past-the-end.
const Allocation* find_range(unsigned long long p, unsigned long long bytes, unsigned long long* base) {
    auto it = allocations.upper_bound(p);
    if (it == allocations.begin()) return nullptr;
    --it;
    unsigned long long b = it->first, size = it->second.size;
    if (p < b || p - b > size || bytes > size - (p - b)) return nullptr;
    *base = b;
    return &it->second;
}

std::string describe_range(unsigned long long p, unsigned long long bytes) {
    auto it = allocations.upper_bound(p);
    std::string near;
    if (it != allocations.begin()) {
        --it;
        if (p >= it->first && p - it->first <= it->second.size + 4096)
            near = "; nearest allocation [" + hex(it->first) + ", +" + std::to_string(it->second.size) + ")";
    }
    return "[" + hex(p) + ", +" + std::to_string(bytes) + ") is not inside one live cuMemAlloc allocation" +
           (near.empty() ? " (unknown or freed device pointer)" : near);
}

CUresult check_range(const char* call, unsigned long long p, unsigned long long bytes) {
    unsigned long long base;
    if (find_range(p, bytes, &base)) return CUDA_SUCCESS;
    return complain(CUDA_ERROR_INVALID_VALUE, std::string(call) + ": device range " + describe_range(p, bytes));
}

// A host argument that is a device address is a bug here (the emulator shares one address space;
// code that relies on that would not work the same way on a GPU): use the DtoD copy.
CUresult check_host(const char* call, const void* host) {
    unsigned long long base;
    if (!find_range(reinterpret_cast<uintptr_t>(host), 0, &base)) return CUDA_SUCCESS;
    return complain(CUDA_ERROR_INVALID_VALUE, std::string(call) + ": host pointer " + hex(reinterpret_cast<uintptr_t>(host)) +
                                                  " points into device memory (allocation " + hex(base) + ")");
}

bool valid_stream(CUstream s) {
    return s == nullptr || s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD || streams.count(s) > 0;
}

void destroy_context_state() {
    for (auto& [base, a] : allocations) munmap(a.map, a.mapBytes);
    allocations.clear();
    liveBytes = 0;
    for (CUstream_st* s : streams) delete s;
    streams.clear();
    for (CUevent_st* e : events) delete e;
    events.clear();
    for (CUfunc_st* f : functions) delete f;
    functions.clear();
    for (CUmod_st* m : modules) delete m;
    modules.clear();
}

struct ErrorInfo {
    CUresult code;
    const char* name;
    const char* text;
};
const ErrorInfo ERRORS[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_DEINITIALIZED, "CUDA_ERROR_DEINITIALIZED", "driver shutting down"},
    {CUDA_ERROR_STUB_LIBRARY, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_NO_BINARY_FOR_GPU, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_LAUNCH_TIMEOUT, "CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"},
    {CUDA_ERROR_CONTEXT_IS_DESTROYED, "CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"},
    {CUDA_ERROR_ASSERT, "CUDA_ERROR_ASSERT", "device-side assert triggered"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {CUDA_ERROR_NOT_PERMITTED, "CUDA_ERROR_NOT_PERMITTED", "operation not permitted"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

bool attribute_value(int attrib, int* out) {
    switch (attrib) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *out = 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: *out = 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: *out = 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: *out = 64; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: *out = 2147483647; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: *out = 65535; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: *out = 65535; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: *out = 48 * 1024; return true;
        case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: *out = 64 * 1024; return true;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: *out = 32; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_PITCH: *out = 2147483647; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: *out = 65536; return true;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: *out = 1755000; return true;  // kHz
        case CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT: *out = 512; return true;
        case CU_DEVICE_ATTRIBUTE_GPU_OVERLAP: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *out = 132; return true;
        case CU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_INTEGRATED: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE: *out = CU_COMPUTEMODE_DEFAULT; return true;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_ECC_ENABLED: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_PCI_BUS_ID: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_TCC_DRIVER: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: *out = 1593000; return true;  // kHz
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: *out = 5120; return true;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: *out = 50 * 1024 * 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: *out = 2048; return true;
        case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: *out = 2; return true;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *out = 9; return true;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED: *out = 1; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: *out = 228 * 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: *out = 65536; return true;
        case CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH: *out = 0; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *out = 227 * 1024; return true;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: *out = 32; return true;
        case CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK: *out = 1024; return true;
        default: return false;
    }
}

CUresult copy(void* dst, const void* src, size_t bytes) {
    std::memmove(dst, src, bytes);
    return CUDA_SUCCESS;
}

}  // namespace

// ---- initialisation, device ------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuInit(unsigned int Flags) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (Flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (env_flag("SEAL_CUDA_EMU_STUB", false)) return CUDA_ERROR_STUB_LIBRARY;  // act as the toolkit's stubs/libcuda.so
    if (device_count() == 0) return CUDA_ERROR_NO_DEVICE;
    initialized = true;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDriverGetVersion(int* driverVersion) {
    if (!driverVersion) return CUDA_ERROR_INVALID_VALUE;
    const char* v = getenv("SEAL_CUDA_EMU_DRIVER_VERSION");  // pretend to be an older/newer driver (e.g. 12040)
    *driverVersion = v && *v ? std::atoi(v) : 13000;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDeviceGetCount(int* count) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = device_count();
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!device) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    std::snprintf(name, static_cast<size_t>(len), "%s", DEVICE_NAME);
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDeviceGetAttribute(int* pi, CUdevice_attribute attrib, CUdevice dev) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!pi) return CUDA_ERROR_INVALID_VALUE;
    return attribute_value(attrib, pi) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUEMU_EXPORT CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = TOTAL_MEMORY;
    return CUDA_SUCCESS;
}

// ---- contexts --------------------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    if (!primary) {
        primary = new CUctx_st();
        contexts.insert(primary);
    }
    primaryRefs++;
    *pctx = primary;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dev != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (primaryRefs == 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (--primaryRefs == 0) {
        primary->alive = false;  // kept (never freed) so a stale handle reads as invalid
        primary = nullptr;
        destroy_context_state();
    }
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuCtxSetCurrent(CUcontext ctx) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx != nullptr && (!contexts.count(ctx) || !ctx->alive)) return CUDA_ERROR_INVALID_CONTEXT;
    current = ctx;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuCtxSynchronize(void) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    return need_ctx();
}

// ---- memory ----------------------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytesize) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!dptr || bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
    if (bytesize > TOTAL_MEMORY) return CUDA_ERROR_OUT_OF_MEMORY;
    size_t rounded = (bytesize + 255) & ~static_cast<size_t>(255);
    if (liveBytes + rounded > TOTAL_MEMORY) return CUDA_ERROR_OUT_OF_MEMORY;
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t dataPages = (rounded + page - 1) & ~(page - 1);
    size_t mapBytes = dataPages + page;
    void* m = mmap(nullptr, mapBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
    char* guard = static_cast<char*>(m) + dataPages;
    mprotect(guard, page, PROT_NONE);
    char* user = guard - rounded;  // 256-byte aligned; the rounded end touches the guard page
    if (env_flag("SEAL_CUDA_EMU_POISON", true)) std::memset(user, 0xFF, rounded);
    unsigned long long p = reinterpret_cast<uintptr_t>(user);
    allocations[p] = Allocation{bytesize, m, mapBytes};
    liveBytes += rounded;
    *dptr = p;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuMemFree_v2(CUdeviceptr dptr) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    auto it = allocations.find(dptr);
    if (it == allocations.end()) {
        unsigned long long base;
        bool interior = find_range(dptr, 0, &base) != nullptr;
        return complain(CUDA_ERROR_INVALID_VALUE,
                        "cuMemFree_v2(" + hex(dptr) + "): " +
                            (interior ? "not the start of an allocation (it points into [" + hex(base) + ", ...))"
                                      : std::string("not a live cuMemAlloc allocation (never allocated, or freed already)")));
    }
    liveBytes -= (it->second.size + 255) & ~255ULL;
    munmap(it->second.map, it->second.mapBytes);
    allocations.erase(it);
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
    *free = TOTAL_MEMORY - liveBytes;
    *total = TOTAL_MEMORY;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuMemsetD8_v2(CUdeviceptr dstDevice, unsigned char uc, size_t N) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (N == 0) return CUDA_SUCCESS;
    if (CUresult rc = check_range("cuMemsetD8_v2", dstDevice, N)) return rc;
    std::memset(reinterpret_cast<void*>(dstDevice), uc, N);
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuMemsetD32_v2(CUdeviceptr dstDevice, unsigned int ui, size_t N) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (dstDevice % 4 != 0) return complain(CUDA_ERROR_INVALID_VALUE, "cuMemsetD32_v2: " + hex(dstDevice) + " is not 4-byte aligned");
    if (N == 0) return CUDA_SUCCESS;
    if (N > TOTAL_MEMORY / 4) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult rc = check_range("cuMemsetD32_v2", dstDevice, N * 4)) return rc;
    unsigned int* d = reinterpret_cast<unsigned int*>(dstDevice);
    for (size_t i = 0; i < N; i++) d[i] = ui;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!srcHost) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult rc = check_host("cuMemcpyHtoD_v2 (source)", srcHost)) return rc;
    if (CUresult rc = check_range("cuMemcpyHtoD_v2 (destination)", dstDevice, ByteCount)) return rc;
    return copy(reinterpret_cast<void*>(dstDevice), srcHost, ByteCount);
}

CUEMU_EXPORT CUresult cuMemcpyDtoH_v2(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (!dstHost) return CUDA_ERROR_INVALID_VALUE;
    if (CUresult rc = check_host("cuMemcpyDtoH_v2 (destination)", dstHost)) return rc;
    if (CUresult rc = check_range("cuMemcpyDtoH_v2 (source)", srcDevice, ByteCount)) return rc;
    return copy(dstHost, reinterpret_cast<const void*>(srcDevice), ByteCount);
}

CUEMU_EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (ByteCount == 0) return CUDA_SUCCESS;
    if (CUresult rc = check_range("cuMemcpyDtoD_v2 (source)", srcDevice, ByteCount)) return rc;
    if (CUresult rc = check_range("cuMemcpyDtoD_v2 (destination)", dstDevice, ByteCount)) return rc;
    return copy(reinterpret_cast<void*>(dstDevice), reinterpret_cast<const void*>(srcDevice),
                        ByteCount);
}

CUEMU_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount, CUstream hStream) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!valid_stream(hStream)) return CUDA_ERROR_INVALID_HANDLE;
    return cuMemcpyHtoD_v2(dstDevice, srcHost, ByteCount);
}

CUEMU_EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!valid_stream(hStream)) return CUDA_ERROR_INVALID_HANDLE;
    return cuMemcpyDtoH_v2(dstHost, srcDevice, ByteCount);
}

// ---- streams and events ----------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuStreamCreate(CUstream* phStream, unsigned int Flags) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!phStream || (Flags & ~static_cast<unsigned>(CU_STREAM_NON_BLOCKING)) != 0) return CUDA_ERROR_INVALID_VALUE;
    CUstream_st* s = new CUstream_st{Flags};
    streams.insert(s);
    *phStream = s;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuStreamDestroy_v2(CUstream hStream) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!streams.erase(hStream)) return CUDA_ERROR_INVALID_HANDLE;
    delete hStream;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuStreamSynchronize(CUstream hStream) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    return valid_stream(hStream) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUEMU_EXPORT CUresult cuEventCreate(CUevent* phEvent, unsigned int Flags) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    unsigned known = CU_EVENT_BLOCKING_SYNC | CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS;
    if (!phEvent || (Flags & ~known) != 0) return CUDA_ERROR_INVALID_VALUE;
    if ((Flags & CU_EVENT_INTERPROCESS) && !(Flags & CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_VALUE;
    CUevent_st* e = new CUevent_st{Flags};
    events.insert(e);
    *phEvent = e;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuEventRecord(CUevent hEvent, CUstream hStream) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!events.count(hEvent) || !valid_stream(hStream)) return CUDA_ERROR_INVALID_HANDLE;
    hEvent->recorded = true;
    hEvent->when = std::chrono::steady_clock::now();  // all earlier work is done: it ran synchronously
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuEventSynchronize(CUevent hEvent) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    return events.count(hEvent) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUEMU_EXPORT CUresult cuEventElapsedTime_v2(float* pMilliseconds, CUevent hStart, CUevent hEnd) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!pMilliseconds) return CUDA_ERROR_INVALID_VALUE;
    if (!events.count(hStart) || !events.count(hEnd)) return CUDA_ERROR_INVALID_HANDLE;
    if (!hStart->recorded || !hEnd->recorded) return CUDA_ERROR_INVALID_HANDLE;
    if ((hStart->flags | hEnd->flags) & CU_EVENT_DISABLE_TIMING) return CUDA_ERROR_INVALID_HANDLE;
    *pMilliseconds = std::chrono::duration<float, std::milli>(hEnd->when - hStart->when).count();
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuEventElapsedTime(float* pMilliseconds, CUevent hStart, CUevent hEnd) {
    return cuEventElapsedTime_v2(pMilliseconds, hStart, hEnd);
}

CUEMU_EXPORT CUresult cuEventDestroy_v2(CUevent hEvent) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!events.erase(hEvent)) return CUDA_ERROR_INVALID_HANDLE;
    delete hEvent;
    return CUDA_SUCCESS;
}

// ---- modules ---------------------------------------------------------------------------------------
// Image format (what the emulated NVRTC hands out): NUL-terminated text
//   "SEALEMU1 cubin sm_90\n" or "SEALEMU1 ptx compute_90\n", then one "kernel NAME\n" per kernel.
CUEMU_EXPORT CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!module || !image) return CUDA_ERROR_INVALID_VALUE;
    const char* text = static_cast<const char*>(image);
    if (std::strncmp(text, "SEALEMU1 ", 9) != 0) {
        return complain(CUDA_ERROR_INVALID_IMAGE,
                        "cuModuleLoadData: not an emulator image (expected the SEALEMU1 blob from the emulated "
                        "nvrtcGetCUBIN/nvrtcGetPTX; real CUBIN/PTX cannot run here)");
    }
    size_t len = strnlen(text, 1 << 20);
    std::string s(text, len);
    size_t eol = s.find('\n');
    std::string header = s.substr(0, eol);
    char kind[16] = {0}, arch[32] = {0};
    if (std::sscanf(header.c_str(), "SEALEMU1 %15s %31s", kind, arch) != 2) return CUDA_ERROR_INVALID_IMAGE;
    int major = 0, minor = 0;
    std::string k = kind, a = arch;
    bool cubin = k == "cubin";
    std::string prefix = cubin ? "sm_" : "compute_";
    if ((!cubin && k != "ptx") || a.compare(0, prefix.size(), prefix) != 0) return CUDA_ERROR_INVALID_IMAGE;
    int number = std::atoi(a.c_str() + prefix.size());
    major = number / 10;
    minor = number % 10;
    if (cubin && !(major == 9 && minor == 0)) {
        return complain(CUDA_ERROR_NO_BINARY_FOR_GPU,
                        "cuModuleLoadData: CUBIN for " + a + " cannot run on this compute capability 9.0 device");
    }
    if (!cubin && number > 90) {
        return complain(CUDA_ERROR_INVALID_PTX, "cuModuleLoadData: PTX for " + a + " is newer than this compute capability 9.0 device");
    }
    CUmod_st* m = new CUmod_st();
    size_t pos = eol == std::string::npos ? s.size() : eol + 1;
    while (pos < s.size()) {
        size_t end = s.find('\n', pos);
        std::string line = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? s.size() : end + 1;
        if (line.empty()) continue;
        if (line.compare(0, 7, "kernel ") != 0 || !cuemu::find_kernel(line.substr(7))) {
            delete m;
            return complain(CUDA_ERROR_INVALID_IMAGE, "cuModuleLoadData: image names a kernel this emulator build lacks: " + line);
        }
        m->kernels.push_back(line.substr(7));
    }
    modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuModuleUnload(CUmodule hmod) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!modules.erase(hmod)) return CUDA_ERROR_INVALID_HANDLE;
    for (auto& [name, f] : hmod->functions) {
        functions.erase(f);
        delete f;
    }
    delete hmod;
    return CUDA_SUCCESS;
}

CUEMU_EXPORT CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!hfunc || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!modules.count(hmod)) return CUDA_ERROR_INVALID_HANDLE;
    auto known = hmod->functions.find(name);
    if (known != hmod->functions.end()) {
        *hfunc = known->second;
        return CUDA_SUCCESS;
    }
    bool present = false;
    for (const std::string& k : hmod->kernels) present |= k == name;
    if (!present) return CUDA_ERROR_NOT_FOUND;
    CUfunc_st* f = new CUfunc_st{hmod, cuemu::find_kernel(name)};
    hmod->functions[name] = f;
    functions.insert(f);
    *hfunc = f;
    return CUDA_SUCCESS;
}

// ---- launch ----------------------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
                                     unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
                                     unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    if (CUresult rc = need_ctx()) return rc;
    if (!functions.count(f)) return CUDA_ERROR_INVALID_HANDLE;
    const cuemu::KernelDesc* k = f->desc;
    std::string call = std::string("cuLaunchKernel(") + k->name + ")";
    if (!valid_stream(hStream)) return CUDA_ERROR_INVALID_HANDLE;
    if (gridDimX == 0 || gridDimY == 0 || gridDimZ == 0 || gridDimX > 2147483647u || gridDimY > 65535 || gridDimZ > 65535) {
        return complain(CUDA_ERROR_INVALID_VALUE, call + ": grid (" + std::to_string(gridDimX) + "," + std::to_string(gridDimY) +
                                                      "," + std::to_string(gridDimZ) +
                                                      ") outside [1, 2^31-1] x [1, 65535] x [1, 65535]");
    }
    unsigned long long threads = static_cast<unsigned long long>(blockDimX) * blockDimY * blockDimZ;
    if (blockDimX == 0 || blockDimY == 0 || blockDimZ == 0 || blockDimX > 1024 || blockDimY > 1024 || blockDimZ > 64 ||
        threads > 1024) {
        return complain(CUDA_ERROR_INVALID_VALUE, call + ": block (" + std::to_string(blockDimX) + "," +
                                                      std::to_string(blockDimY) + "," + std::to_string(blockDimZ) +
                                                      ") needs 1..1024 threads with x,y <= 1024 and z <= 64");
    }
    if (sharedMemBytes != 0) {
        return complain(CUDA_ERROR_INVALID_VALUE,
                        call + ": sharedMemBytes = " + std::to_string(sharedMemBytes) +
                            "; the emulator supports static __shared__ only (pass 0)");
    }
    if (extra != nullptr) return complain(CUDA_ERROR_INVALID_VALUE, call + ": `extra` is not supported by the emulator (pass NULL)");
    if (k->nparams > 0 && kernelParams == nullptr) {
        return complain(CUDA_ERROR_INVALID_VALUE, call + ": the kernel takes " + std::to_string(k->nparams) +
                                                      " parameters but kernelParams is NULL");
    }
    for (int i = 0; i < k->nparams; i++) {
        if (kernelParams[i] == nullptr) {
            return complain(CUDA_ERROR_INVALID_VALUE, call + ": kernelParams[" + std::to_string(i) + "] is NULL");
        }
    }
    if (env_flag("SEAL_CUDA_EMU_CHECK_POINTERS", true)) {
        for (int i = 0; i < k->nparams; i++) {
            if (!k->params[i].isPointer) continue;
            unsigned long long p;
            std::memcpy(&p, kernelParams[i], sizeof p);
            unsigned long long base;
            if (p != 0 && !find_range(p, 0, &base)) {
                fault(CUDA_ERROR_ILLEGAL_ADDRESS, call + ": pointer parameter " + std::to_string(i) + " = " + hex(p) +
                                                      " does not point into a live cuMemAlloc allocation (unknown or freed"
                                                      " device pointer, or a host address); the kernel was not run");
                return CUDA_SUCCESS;  // like a GPU fault: reported by later calls
            }
        }
    }
    void* bound = k->bind(k->fn, kernelParams);
    std::string message;
    int rc = cuemu::execute(k, bound, dim3(gridDimX, gridDimY, gridDimZ), dim3(blockDimX, blockDimY, blockDimZ), &message);
    k->release(bound);
    if (rc != 0) fault(static_cast<CUresult>(rc), message);
    return CUDA_SUCCESS;
}

// ---- errors ----------------------------------------------------------------------------------------
CUEMU_EXPORT CUresult cuGetErrorName(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorInfo& e : ERRORS) {
        if (e.code == error) {
            *pStr = e.name;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

CUEMU_EXPORT CUresult cuGetErrorString(CUresult error, const char** pStr) {
    if (!pStr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorInfo& e : ERRORS) {
        if (e.code == error) {
            *pStr = e.text;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

// ---- hooks for the emulated cuBLAS and for tests (not part of the CUDA API) -------------------------
CUEMU_EXPORT int seal_cuemu_check_range(const char* call, unsigned long long p, unsigned long long bytes) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    unsigned long long base;
    if (find_range(p, bytes, &base)) return 0;
    fault(CUDA_ERROR_ILLEGAL_ADDRESS, std::string(call) + ": device range " + describe_range(p, bytes));
    return CUDA_ERROR_ILLEGAL_ADDRESS;
}

CUEMU_EXPORT int seal_cuemu_is_device_pointer(unsigned long long p) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    unsigned long long base;
    return find_range(p, 0, &base) != nullptr;
}

CUEMU_EXPORT int seal_cuemu_valid_stream(void* s) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    return valid_stream(static_cast<CUstream>(s));
}

CUEMU_EXPORT int seal_cuemu_has_context(void) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    return initialized && current != nullptr && current->alive;
}

CUEMU_EXPORT const char* seal_cuemu_last_message(void) {
    std::lock_guard<std::recursive_mutex> lock(mu);
    return lastMessage.c_str();
}
