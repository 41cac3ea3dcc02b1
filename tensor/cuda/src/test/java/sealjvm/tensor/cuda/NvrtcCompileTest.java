package sealjvm.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import sealjvm.bindings.NativeLibraries;
import sealjvm.bindings.Nvrtc;

/**
 * kernels.cu through a real NVRTC (no GPU needed: compiling is host work): every kernel compiles to an ELF cubin
 * for the architectures SEAL targets, with the exact options {@link KernelModule} uses. Skips where no NVRTC is
 * installed (e.g. CI) or where the one found is the emulator's. To run it on a machine without the toolkit:
 * {@code pip download nvidia-cuda-nvrtc}, unzip, and point {@code SEAL_CUDA_LIBRARY_PATH} at its {@code nvidia/cu13/lib}.
 */
class NvrtcCompileTest {
    @Test
    void kernelsCompileForAmpereHopperAndBlackwell() {
        Assumptions.assumeTrue(NativeLibraries.find("nvrtc").isPresent(), "no NVRTC library");
        String src = KernelModule.readSource();
        byte[] probe = Nvrtc.compile("extern \"C\" __global__ void probe(float* x) { x[0] = 1.0f; }", "probe.cu", true,
                "--gpu-architecture=sm_90");
        Assumptions.assumeTrue(isElf(probe), "the NVRTC found is not a real one (the CUDA emulator's?)");
        int[] v = Nvrtc.version();
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(src);
        java.util.List<String> kernels = new java.util.ArrayList<>();
        while (m.find()) kernels.add(m.group(1));
        assertTrue(kernels.size() >= 10, "kernels found in kernels.cu: " + kernels);
        for (String arch : new String[] {"sm_80", "sm_90", "sm_100"}) {
            byte[] cubin = Nvrtc.compile(src, KernelModule.SOURCE, true, "--gpu-architecture=" + arch);
            assertTrue(isElf(cubin), arch + ": NVRTC " + v[0] + "." + v[1] + " did not return an ELF cubin");
            String text = new String(cubin, StandardCharsets.ISO_8859_1);
            for (String k : kernels) assertTrue(text.contains(k), arch + ": kernel " + k + " missing from the cubin");
        }
    }

    static boolean isElf(byte[] b) {
        return b.length > 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
    }
}
