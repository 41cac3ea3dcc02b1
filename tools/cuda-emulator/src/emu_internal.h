// SEAL CUDA emulator — declarations shared by the parts of the emulated libcuda.so.1.
#pragma once

#include <cstdint>
#include <string>

#include "../include/cuda_emu.h"

#define CUEMU_EXPORT extern "C" __attribute__((visibility("default")))

namespace cuemu {

// The kernel registered under `name` by the generated wrapper files, or nullptr.
const KernelDesc* find_kernel(const std::string& name);

// Runs every block of a launch on the worker threads and returns 0 (CUDA_SUCCESS) or the CUresult
// of the first fault (CUDA_ERROR_LAUNCH_FAILED for misuse, CUDA_ERROR_ASSERT for a failed assert),
// with a description in *message.
int execute(const KernelDesc* k, void* bound, dim3 grid, dim3 block, std::string* message);

// Prints "SEAL CUDA emulator: <text>" on stderr unless SEAL_CUDA_EMU_QUIET=1.
void note(const std::string& text);

}  // namespace cuemu
