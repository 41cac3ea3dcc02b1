// SEAL CUDA emulator — kernel execution: blocks on worker threads, threads of a block as fibers.
//
// A launch is split into blocks; a pool of OS worker threads (SEAL_CUDA_EMU_THREADS, default
// min(cores, 8)) takes block indices from a shared counter, so blocks run concurrently and each
// worker runs its blocks one after another. __shared__ is `static __thread` (cuda_emu.h), i.e. one
// copy per worker = per block in flight.
//
// Within a block every CUDA thread is a fiber with a stack of its own on the worker's OS thread.
// The scheduler runs each ready fiber, in thread-index order (or reverse order with
// SEAL_CUDA_EMU_ORDER=reverse, to expose missing barriers), until it returns or reaches a barrier:
//  * __syncthreads(): released when every thread that has not returned waits there (a returned
//    thread counts as arrived);
//  * warp intrinsics (shuffles, votes, __syncwarp): released per warp when all existing lanes of
//    the warp wait in one; the values are exchanged at that moment, so results are exact.
// Misuse is reported, not hung: lanes of a warp in different intrinsics, a lane that returned while
// its warp shuffles, a partial mask, or a block where nothing can proceed (e.g. one warp shuffling
// while the others wait at __syncthreads) fail the launch with CUDA_ERROR_LAUNCH_FAILED and a
// message naming kernel, block, warp and lanes.
//
// Context switching: a few lines of x86-64 assembly (callee-saved registers + stack pointer, no
// signal-mask system call); other architectures, or -DCUEMU_USE_UCONTEXT, use ucontext.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "emu_internal.h"

#if !defined(__x86_64__) && !defined(CUEMU_USE_UCONTEXT)
#define CUEMU_USE_UCONTEXT 1
#endif
#ifdef CUEMU_USE_UCONTEXT
#include <ucontext.h>
#endif

namespace cuemu {

__thread const ThreadCtx* tls_thread;
__thread const BlockCtx* tls_block;

// ---- registry ------------------------------------------------------------------------------------
static std::map<std::string, const KernelDesc*>& registry() {
    static auto* r = new std::map<std::string, const KernelDesc*>();  // never destroyed
    return *r;
}

void register_kernel(const KernelDesc* desc) { registry()[desc->name] = desc; }

const KernelDesc* find_kernel(const std::string& name) {
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second;
}

void note(const std::string& text) {
    const char* quiet = getenv("SEAL_CUDA_EMU_QUIET");
    if (quiet && *quiet && *quiet != '0') return;
    std::fprintf(stderr, "SEAL CUDA emulator: %s\n", text.c_str());
    std::fflush(stderr);
}

// ---- fibers --------------------------------------------------------------------------------------
constexpr int MAX_THREADS = 1024;
constexpr size_t STACK_BYTES = 128 * 1024;

enum State { READY, WAIT_SYNC, WAIT_WARP, DONE, STUCK };

struct Fiber {
    ThreadCtx ctx;
    int state;
    unsigned index;
    // the warp intrinsic this fiber waits in
    int op, bytes, arg, width;
    unsigned mask;
    uint64_t value, result;
#ifdef CUEMU_USE_UCONTEXT
    ucontext_t uc;
#else
    void* sp;
#endif
};

struct Worker {
    Fiber fibers[MAX_THREADS];
    char* stacks = nullptr;  // MAX_THREADS x (guard page + STACK_BYTES)
    int guarded = 0;         // fibers whose guard page is already protected
    size_t page = 4096;
#ifdef CUEMU_USE_UCONTEXT
    ucontext_t sched;
#else
    void* schedSp = nullptr;
#endif
    Fiber* current = nullptr;
    BlockCtx block{};
    const KernelDesc* kernel = nullptr;
    void* bound = nullptr;
    bool failed = false;
    int code = 0;
    std::string message;
};

static __thread Worker* tls_worker;

#ifndef CUEMU_USE_UCONTEXT
extern "C" void cuemu_switch(void** save_sp, void* new_sp);
extern "C" void cuemu_fiber_start();
asm(R"(
    .text
    .p2align 4
    .globl cuemu_switch
    .hidden cuemu_switch
    .type cuemu_switch, @function
cuemu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cuemu_switch, .-cuemu_switch

    .p2align 4
    .globl cuemu_fiber_start
    .hidden cuemu_fiber_start
    .type cuemu_fiber_start, @function
cuemu_fiber_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size cuemu_fiber_start, .-cuemu_fiber_start
)");
#endif

static std::string dim_str(unsigned x, unsigned y, unsigned z) {
    return "(" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z) + ")";
}

static void fail(Worker* w, int code, const std::string& what) {
    if (w->failed) return;
    w->failed = true;
    w->code = code;
    const BlockCtx& b = w->block;
    w->message = "kernel " + std::string(w->kernel->name) + ", block " + dim_str(b.bid.x, b.bid.y, b.bid.z) +
                 " of grid " + dim_str(b.gdim.x, b.gdim.y, b.gdim.z) + ", blockDim " +
                 dim_str(b.bdim.x, b.bdim.y, b.bdim.z) + ": " + what;
}

static std::string thread_str(const Fiber* f) {
    const uint3& t = f->ctx.tid;
    return "thread " + dim_str(t.x, t.y, t.z) + " (warp " + std::to_string(f->index / 32) + ", lane " +
           std::to_string(f->index % 32) + ")";
}

// Back to the scheduler; returns when the scheduler resumes this fiber.
static void suspend(Worker* w, Fiber* f) {
#ifdef CUEMU_USE_UCONTEXT
    swapcontext(&f->uc, &w->sched);
#else
    cuemu_switch(&f->sp, w->schedSp);
#endif
}

static void resume(Worker* w, Fiber* f) {
    w->current = f;
    tls_thread = &f->ctx;
#ifdef CUEMU_USE_UCONTEXT
    swapcontext(&w->sched, &f->uc);
#else
    cuemu_switch(&w->schedSp, f->sp);
#endif
}

static void fiber_main(Fiber* f) {
    Worker* w = tls_worker;
    w->kernel->run(w->bound);
    f->state = DONE;
    suspend(w, f);
    std::abort();  // a finished fiber is never resumed
}

#ifdef CUEMU_USE_UCONTEXT
static void fiber_main_uc(unsigned hi, unsigned lo) {
    fiber_main(reinterpret_cast<Fiber*>((static_cast<uintptr_t>(hi) << 32) | lo));
}
#endif

static void init_fiber(Worker* w, Fiber* f, unsigned t) {
    char* base = w->stacks + static_cast<size_t>(t) * (STACK_BYTES + w->page);
    if (static_cast<int>(t) >= w->guarded) {
        mprotect(base, w->page, PROT_NONE);  // stack overflow -> SIGSEGV, not silent corruption
        w->guarded = t + 1;
    }
    char* low = base + w->page;
#ifdef CUEMU_USE_UCONTEXT
    getcontext(&f->uc);
    f->uc.uc_stack.ss_sp = low;
    f->uc.uc_stack.ss_size = STACK_BYTES;
    f->uc.uc_link = nullptr;
    uintptr_t p = reinterpret_cast<uintptr_t>(f);
    makecontext(&f->uc, reinterpret_cast<void (*)()>(fiber_main_uc), 2, static_cast<unsigned>(p >> 32),
                static_cast<unsigned>(p & 0xffffffffu));
#else
    uintptr_t top = reinterpret_cast<uintptr_t>(low + STACK_BYTES) & ~static_cast<uintptr_t>(15);
    void** sp = reinterpret_cast<void**>(top - 24 - 48);
    sp[0] = nullptr;                                           // r15
    sp[1] = nullptr;                                           // r14
    sp[2] = reinterpret_cast<void*>(&fiber_main);              // r13: called by cuemu_fiber_start
    sp[3] = f;                                                 // r12: its argument
    sp[4] = nullptr;                                           // rbx
    sp[5] = nullptr;                                           // rbp
    sp[6] = reinterpret_cast<void*>(&cuemu_fiber_start);       // return address
    f->sp = sp;
#endif
}

// ---- called from kernel code -----------------------------------------------------------------------
void syncthreads() {
    Worker* w = tls_worker;
    Fiber* f = w->current;
    f->state = WAIT_SYNC;
    suspend(w, f);
}

[[noreturn]] static void stuck(Worker* w, Fiber* f) {
    f->state = STUCK;
    suspend(w, f);
    std::abort();  // never resumed: the launch has failed
}

uint64_t warp_op(int op, unsigned mask, uint64_t value, int bytes, int arg, int width) {
    Worker* w = tls_worker;
    Fiber* f = w->current;
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) {
        fail(w, 719 /* CUDA_ERROR_LAUNCH_FAILED */,
             thread_str(f) + ": warp intrinsic width " + std::to_string(width) + " is not a power of two in [1, 32]");
        stuck(w, f);
    }
    f->op = op;
    f->mask = mask;
    f->value = value;
    f->bytes = bytes;
    f->arg = arg;
    f->width = width;
    f->state = WAIT_WARP;
    suspend(w, f);
    return f->result;
}

void device_assert(const char* expr, const char* file, int line) {
    Worker* w = tls_worker;
    Fiber* f = w->current;
    fail(w, 710 /* CUDA_ERROR_ASSERT */,
         thread_str(f) + ": assertion `" + expr + "` failed at " + file + ":" + std::to_string(line));
    stuck(w, f);
}

void trap() {
    Worker* w = tls_worker;
    Fiber* f = w->current;
    fail(w, 719 /* CUDA_ERROR_LAUNCH_FAILED */, thread_str(f) + ": __trap()");
    stuck(w, f);
}

// ---- the block scheduler -------------------------------------------------------------------------
static const char* op_name(int op) {
    switch (op) {
        case OP_SHFL_IDX: return "__shfl_sync";
        case OP_SHFL_UP: return "__shfl_up_sync";
        case OP_SHFL_DOWN: return "__shfl_down_sync";
        case OP_SHFL_XOR: return "__shfl_xor_sync";
        case OP_BALLOT: return "__ballot_sync";
        case OP_ANY: return "__any_sync";
        case OP_ALL: return "__all_sync";
        case OP_SYNCWARP: return "__syncwarp";
        default: return "?";
    }
}

static std::string lanes_str(const std::vector<unsigned>& lanes) {
    std::string s;
    for (size_t i = 0; i < lanes.size();) {
        size_t j = i;
        while (j + 1 < lanes.size() && lanes[j + 1] == lanes[j] + 1) j++;
        if (!s.empty()) s += ",";
        s += std::to_string(lanes[i]);
        if (j > i) s += "-" + std::to_string(lanes[j]);
        i = j + 1;
    }
    return s;
}

// Completes the warp intrinsic of warp `wi` if all its lanes wait in it. Returns 1 if released,
// 0 if the warp has to wait (some lanes are elsewhere), -1 on misuse (w->failed set).
static int resolve_warp(Worker* w, unsigned wi, unsigned nthreads) {
    Fiber* f = w->fibers;
    unsigned first = wi * 32, n = std::min(32u, nthreads - first);
    unsigned waiting = 0, done = 0;
    for (unsigned l = 0; l < n; l++) {
        waiting += f[first + l].state == WAIT_WARP;
        done += f[first + l].state == DONE;
    }
    if (waiting == 0) return 0;
    Fiber& lead = *std::find_if(f + first, f + first + n, [](const Fiber& x) { return x.state == WAIT_WARP; });
    if (done > 0) {
        std::vector<unsigned> gone, in;
        for (unsigned l = 0; l < n; l++) (f[first + l].state == DONE ? gone : in).push_back(l);
        fail(w, 719, "warp " + std::to_string(wi) + ": lanes " + lanes_str(in) + " wait in " + op_name(lead.op) +
                         " but lanes " + lanes_str(gone) +
                         " have returned (every lane named in the mask must call the intrinsic)");
        return -1;
    }
    if (waiting < n) return 0;
    unsigned existing = n == 32 ? 0xffffffffu : ((1u << n) - 1);
    for (unsigned l = 0; l < n; l++) {
        const Fiber& x = f[first + l];
        if (x.op != lead.op || x.bytes != lead.bytes || x.width != lead.width) {
            fail(w, 719, "warp " + std::to_string(wi) + ": lane " + std::to_string(l) + " is in " + op_name(x.op) + "(" +
                             std::to_string(x.bytes) + "-byte value, width " + std::to_string(x.width) + ") while lane " +
                             std::to_string(lead.index - first) + " is in " + op_name(lead.op) + "(" +
                             std::to_string(lead.bytes) + "-byte value, width " + std::to_string(lead.width) +
                             "): divergent warp intrinsics");
            return -1;
        }
        if (x.mask != existing) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "warp %u, lane %u: %s with mask 0x%08x; the emulator supports only the full mask of "
                          "the warp's existing lanes (0x%08x)",
                          wi, l, op_name(x.op), x.mask, existing);
            fail(w, 719, buf);
            return -1;
        }
    }
    unsigned ballot = 0;
    for (unsigned l = 0; l < n; l++) ballot |= (f[first + l].value != 0 ? 1u : 0u) << l;
    for (unsigned l = 0; l < n; l++) {
        Fiber& x = f[first + l];
        int width = x.width;
        int lane = static_cast<int>(l);
        int base = lane & ~(width - 1);
        int src = lane;
        switch (x.op) {
            case OP_SHFL_IDX: src = base + (x.arg & (width - 1)); break;
            case OP_SHFL_UP: src = (lane - base) >= x.arg ? lane - x.arg : lane; break;
            case OP_SHFL_DOWN: src = (lane - base) + x.arg < width ? lane + x.arg : lane; break;
            case OP_SHFL_XOR: {
                int s = lane ^ x.arg;
                src = (s & ~(width - 1)) == base ? s : lane;
                break;
            }
            default: break;
        }
        if (src < 0 || src >= static_cast<int>(n)) src = lane;  // lane absent from a partial warp
        switch (x.op) {
            case OP_BALLOT: x.result = ballot; break;
            case OP_ANY: x.result = ballot != 0; break;
            case OP_ALL: x.result = ballot == existing; break;
            case OP_SYNCWARP: x.result = 0; break;
            default: x.result = f[first + src].value; break;
        }
    }
    for (unsigned l = 0; l < n; l++) f[first + l].state = READY;
    return 1;
}

static bool reverse_order() {
    const char* o = getenv("SEAL_CUDA_EMU_ORDER");
    return o && std::string(o) == "reverse";
}

// Runs one block to completion. False on failure (w->failed, w->message set).
static bool run_block(Worker* w, uint64_t linear, dim3 grid, dim3 block, bool reverse) {
    BlockCtx& b = w->block;
    b.gdim = grid;
    b.bdim = block;
    b.bid = uint3{static_cast<unsigned>(linear % grid.x), static_cast<unsigned>((linear / grid.x) % grid.y),
                       static_cast<unsigned>(linear / (static_cast<uint64_t>(grid.x) * grid.y))};
    tls_block = &w->block;
    unsigned nthreads = block.x * block.y * block.z;
    for (unsigned t = 0; t < nthreads; t++) {
        Fiber* f = &w->fibers[t];
        f->ctx.tid = uint3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
        f->index = t;
        f->state = READY;
        init_fiber(w, f, t);
    }
    unsigned nwarps = (nthreads + 31) / 32;
    for (;;) {
        for (unsigned k = 0; k < nthreads; k++) {
            Fiber* f = &w->fibers[reverse ? nthreads - 1 - k : k];
            if (f->state != READY) continue;
            resume(w, f);
            if (w->failed) return false;
        }
        bool released = false;
        for (unsigned wi = 0; wi < nwarps; wi++) {
            int r = resolve_warp(w, wi, nthreads);
            if (r < 0) return false;
            released |= r > 0;
        }
        if (released) continue;
        unsigned live = 0, atSync = 0;
        for (unsigned t = 0; t < nthreads; t++) {
            live += w->fibers[t].state != DONE;
            atSync += w->fibers[t].state == WAIT_SYNC;
        }
        if (live == 0) return true;
        if (atSync == live) {
            for (unsigned t = 0; t < nthreads; t++)
                if (w->fibers[t].state == WAIT_SYNC) w->fibers[t].state = READY;
            continue;
        }
        // Nothing can proceed: some warp waits in an intrinsic that not all its lanes reach.
        std::string why = "deadlock:";
        for (unsigned wi = 0; wi < nwarps; wi++) {
            std::vector<unsigned> inWarp, inSync;
            int op = 0;
            for (unsigned l = 0; l < 32 && wi * 32 + l < nthreads; l++) {
                const Fiber& x = w->fibers[wi * 32 + l];
                if (x.state == WAIT_WARP) {
                    inWarp.push_back(l);
                    op = x.op;
                }
                if (x.state == WAIT_SYNC) inSync.push_back(l);
            }
            if (!inWarp.empty()) {
                why += " warp " + std::to_string(wi) + " lanes " + lanes_str(inWarp) + " wait in " + op_name(op);
                why += inSync.empty() ? ";" : " while lanes " + lanes_str(inSync) + " wait in __syncthreads;";
            }
        }
        why += " warp intrinsics need all lanes of the warp, __syncthreads all threads of the block";
        fail(w, 719, why);
        return false;
    }
}

// ---- the worker pool -----------------------------------------------------------------------------
struct Job {
    const KernelDesc* kernel;
    void* bound;
    dim3 grid, block;
    uint64_t nblocks;
    bool reverse;
    std::atomic<uint64_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex m;
    int code = 0;
    std::string message;
};

struct Pool {
    std::mutex m;
    std::condition_variable wake, idle;
    Job* job = nullptr;
    uint64_t generation = 0;
    int active = 0;
    int size = 0;
    std::mutex launch;  // one launch at a time
};

static Pool& pool() {
    static Pool* p = new Pool();  // never destroyed: workers may still wait on it at exit
    return *p;
}

static void work_on(Worker* w, Job* job) {
    w->kernel = job->kernel;
    w->bound = job->bound;
    w->failed = false;
    for (;;) {
        if (job->failed.load(std::memory_order_relaxed)) return;
        uint64_t b = job->next.fetch_add(1);
        if (b >= job->nblocks) return;
        if (!run_block(w, b, job->grid, job->block, job->reverse)) {
            std::lock_guard<std::mutex> lock(job->m);
            if (!job->failed.exchange(true)) {
                job->code = w->code;
                job->message = w->message;
            }
            return;
        }
    }
}

static void worker_loop(Worker* w) {
    tls_worker = w;
    Pool& p = pool();
    uint64_t seen = 0;
    for (;;) {
        Job* job;
        {
            std::unique_lock<std::mutex> lock(p.m);
            p.wake.wait(lock, [&] { return p.generation != seen; });
            seen = p.generation;
            job = p.job;
        }
        work_on(w, job);
        std::lock_guard<std::mutex> lock(p.m);
        if (--p.active == 0) p.idle.notify_all();
    }
}

static int worker_count() {
    const char* env = getenv("SEAL_CUDA_EMU_THREADS");
    int n = env ? atoi(env) : 0;
    if (n <= 0) n = static_cast<int>(std::min(8u, std::max(1u, std::thread::hardware_concurrency())));
    return std::min(n, 64);
}

static Worker* new_worker() {
    Worker* w = new Worker();  // never destroyed
    w->page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    size_t bytes = static_cast<size_t>(MAX_THREADS) * (STACK_BYTES + w->page);
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        note("cannot map fiber stacks");
        std::abort();
    }
    w->stacks = static_cast<char*>(m);
    return w;
}

int execute(const KernelDesc* k, void* bound, dim3 grid, dim3 block, std::string* message) {
    Pool& p = pool();
    std::lock_guard<std::mutex> serial(p.launch);
    Job job;
    job.kernel = k;
    job.bound = bound;
    job.grid = grid;
    job.block = block;
    job.nblocks = static_cast<uint64_t>(grid.x) * grid.y * grid.z;
    job.reverse = reverse_order();
    {
        std::unique_lock<std::mutex> lock(p.m);
        if (p.size == 0) {
            p.size = worker_count();
            for (int i = 0; i < p.size; i++) std::thread(worker_loop, new_worker()).detach();
        }
        p.job = &job;
        p.active = p.size;
        p.generation++;
        p.wake.notify_all();
        p.idle.wait(lock, [&] { return p.active == 0; });
        p.job = nullptr;
    }
    if (job.failed) {
        *message = job.message;
        return job.code;
    }
    return 0;
}

}  // namespace cuemu
