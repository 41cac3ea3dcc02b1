package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A driver library that is the toolkit's stub ({@code cuInit} → CUDA_ERROR_STUB_LIBRARY) is told apart from "no GPU":
 * {@link NativeLibraries#cudaIsStub()} and a {@link NativeLibraries#cudaProblem()} naming it. Runs in the child JVM
 * {@link CudaEmulatorTest} starts with the emulator acting as the stub ({@code SEAL_CUDA_EMU_STUB=1}); skips elsewhere.
 */
@Tag("gpu")
class StubDriverTest {
    @Test
    void aStubDriverIsDiagnosedNotJustUnavailable() {
        Assumptions.assumeTrue("1".equals(System.getenv("SEAL_CUDA_EMU_STUB")), "not the emulator acting as the stub");
        assertTrue(NativeLibraries.find("cuda").isPresent());
        assertFalse(NativeLibraries.cudaAvailable());
        assertTrue(NativeLibraries.cudaIsStub());
        String why = NativeLibraries.cudaProblem().orElseThrow();
        assertTrue(why.contains("stub") && why.contains(NativeLibraries.location("cuda").orElseThrow()), why);
        assertEquals(1, why.lines().count(), why);
        assertFalse(CudaEmulator.loaded());
    }
}
