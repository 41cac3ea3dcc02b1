package sealjvm.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cubin cache key tells apart everything that decides the binary or whether the driver can load it. */
class KernelModuleCacheKeyTest {
    static final String SRC = "extern \"C\" __global__ void k(float* x) { x[0] = 1.0f; }";
    static final String[] OPTS = {"--gpu-architecture=sm_90"};
    static final String REAL = "/usr/local/cuda-13.0/lib64/libnvrtc.so.13.0.88 71234567";
    static final String EMULATOR = "/tmp/seal-cuda-emu/libnvrtc.so.13 912345";

    static String key(String src, int ccMajor, int ccMinor, int driver, String lib) {
        return KernelModule.cacheKey(src, OPTS, 13, 0, ccMajor, ccMinor, driver, lib);
    }

    @Test
    void sameInputsSameKey() {
        assertEquals(key(SRC, 9, 0, 13000, REAL), key(SRC, 9, 0, 13000, REAL));
        assertEquals(64, key(SRC, 9, 0, 13000, REAL).length());
    }

    @Test
    void theEmulatorAndARealNvrtcOfTheSameVersionDoNotShareCubins() {
        // both answer nvrtcVersion 13.0 and the emulated device is sm_90 with driver 13000, like an H100 on CUDA 13.0
        assertNotEquals(key(SRC, 9, 0, 13000, REAL), key(SRC, 9, 0, 13000, EMULATOR));
    }

    @Test
    void computeCapabilityDriverVersionSourceAndNvrtcVersionAllCount() {
        Set<String> keys = new HashSet<>(List.of(
                key(SRC, 9, 0, 13000, REAL),
                key(SRC, 8, 0, 13000, REAL),
                key(SRC, 8, 9, 13000, REAL),
                key(SRC, 9, 0, 12080, REAL),
                key(SRC, 9, 0, 12040, REAL),
                key(SRC + " ", 9, 0, 13000, REAL),
                KernelModule.cacheKey(SRC, OPTS, 12, 8, 9, 0, 13000, REAL),
                KernelModule.cacheKey(SRC, new String[] {"--gpu-architecture=sm_90", "-lineinfo"}, 13, 0, 9, 0, 13000, REAL)));
        assertEquals(8, keys.size(), "every change of input gives another key");
    }
}
