// SEAL CUDA emulator — compiled by build.sh only where the real cuda.h exists: every constant in
// cuda_min.h (the fallback used without the CUDA headers) must equal cuda.h's.
#include <cuda.h>

namespace cuemu_min {
#undef CU_STREAM_LEGACY
#undef CU_STREAM_PER_THREAD
#include "cuda_min.h"
}  // namespace cuemu_min

#define CUEMU_CHECK(name, value)                                                                  \
    static_assert(static_cast<long long>(::name) == static_cast<long long>(cuemu_min::name) &&   \
                      static_cast<long long>(::name) == (value),                                  \
                  #name " differs from cuda.h");
CUEMU_RESULTS(CUEMU_CHECK)
CUEMU_ATTRIBUTES(CUEMU_CHECK)
CUEMU_OTHER_CONSTANTS(CUEMU_CHECK)
