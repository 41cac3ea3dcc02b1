package sealjvm.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {

    @Test
    void withoutDriverRequireExplainsWhereItLookedAndHowToFix() {
        Assumptions.assumeTrue(NativeLibraries.find("cuda").isEmpty(), "a CUDA driver library is installed here");
        assertFalse(NativeLibraries.cudaAvailable());
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> NativeLibraries.require("cuda"));
        String msg = e.getMessage();
        assertTrue(msg.contains("libcuda.so.1"), msg);
        assertTrue(msg.contains("/usr/lib/x86_64-linux-gnu"), msg);
        assertTrue(msg.contains("/usr/local/cuda/lib64"), msg);
        assertTrue(msg.contains("CUDA_HOME") && msg.contains("LD_LIBRARY_PATH"), msg);
        assertTrue(msg.contains(NativeLibraries.OVERRIDE_ENV), msg);
        assertEquals(1, msg.lines().count(), "one message, one line: " + msg);
    }

    @Test
    void bindingsWithoutLibraryThrowUnavailableNotLinkageErrors() {
        Assumptions.assumeTrue(NativeLibraries.find("cuda").isEmpty(), "a CUDA driver library is installed here");
        // The holder class initialises fine; only the call itself reports the missing library.
        assertTrue(cuda_h.cuInit$address().equals(java.lang.foreign.MemorySegment.NULL));
        assertThrows(CudaUnavailableException.class, () -> cuda_h.cuInit(0));
        assertThrows(CudaUnavailableException.class, () -> cuda_h.cuInit(0)); // and again, not NoClassDefFoundError
        assertThrows(CudaUnavailableException.class, Cuda::init);
    }

    @Test
    void cudaAvailableNeverThrows() {
        NativeLibraries.cudaAvailable();
        NativeLibraries.find("nvrtc");
        NativeLibraries.find("cublas");
    }

    @Test
    void unknownKeyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> NativeLibraries.find("cudnn"));
    }

    @Test
    void searchOrderStartsWithCudaHomeThenLdLibraryPath(@TempDir Path home) {
        List<Path> dirs = NativeLibraries.searchDirectories(
                Map.of("CUDA_HOME", "/opt/cuda-x", "LD_LIBRARY_PATH", "/a::/b"), home);
        assertEquals(Path.of("/opt/cuda-x/lib64"), dirs.get(0));
        assertEquals(Path.of("/a"), dirs.get(1));
        assertEquals(Path.of("/b"), dirs.get(2));
        assertTrue(dirs.indexOf(Path.of("/usr/local/cuda/lib64")) < dirs.indexOf(Path.of("/usr/lib/x86_64-linux-gnu")));
    }

    @Test
    void overrideFoldersComeBeforeEverythingElse(@TempDir Path home) {
        List<Path> dirs = NativeLibraries.searchDirectories(Map.of(NativeLibraries.OVERRIDE_ENV, "/emu/one::/emu/two:",
                "CUDA_HOME", "/opt/cuda-x", "LD_LIBRARY_PATH", "/a"), home);
        assertEquals(List.of(Path.of("/emu/one"), Path.of("/emu/two"), Path.of("/opt/cuda-x/lib64"), Path.of("/a")),
                dirs.subList(0, 4));
    }

    @Test
    void withoutOverrideTheSearchStartsAtCudaHome(@TempDir Path home) {
        assertEquals(Path.of("/opt/cuda-x/lib64"),
                NativeLibraries.searchDirectories(Map.of("CUDA_HOME", "/opt/cuda-x"), home).get(0));
        assertEquals(Path.of("/opt/cuda-x/lib64"), NativeLibraries.searchDirectories(
                Map.of(NativeLibraries.OVERRIDE_ENV, " ", "CUDA_HOME", "/opt/cuda-x"), home).get(0));
    }

    @Test
    void anOverrideFolderIsTriedBeforeALaterFolderWithTheSameLibrary(@TempDir Path dir) throws Exception {
        Path emulator = Files.createDirectories(dir.resolve("emulator"));
        Path toolkit = Files.createDirectories(dir.resolve("toolkit/lib64"));
        Files.writeString(emulator.resolve("libcublas.so.13"), "not an ELF file");
        Files.writeString(toolkit.resolve("libcublas.so.13"), "not an ELF file either");
        List<Path> dirs = NativeLibraries.searchDirectories(Map.of(NativeLibraries.OVERRIDE_ENV, emulator.toString(),
                "CUDA_HOME", dir.resolve("toolkit").toString()), dir);
        NativeLibraries.Search s = NativeLibraries.search("cublas", dirs, false);
        assertTrue(s.lookup().isEmpty());
        assertEquals(2, s.failures().size(), s.failures().toString());
        assertTrue(s.failures().get(0).startsWith(emulator.toString()), s.failures().toString());
        assertTrue(s.failures().get(1).startsWith(toolkit.toString()), s.failures().toString());
    }

    @Test
    void pipWheelFoldersUnderUserSiteAreSearched(@TempDir Path home) throws Exception {
        Path lib = Files.createDirectories(home.resolve(".local/lib/python3.12/site-packages/nvidia/cublas/lib"));
        assertTrue(NativeLibraries.searchDirectories(Map.of(), home).contains(lib));
    }

    @Test
    void aFileThatIsNotALibraryIsReportedAndSkipped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libnvrtc.so.12"), "not an ELF file");
        NativeLibraries.Search s = NativeLibraries.search("nvrtc", List.of(dir), false);
        assertTrue(s.lookup().isEmpty());
        assertEquals(1, s.failures().size(), s.failures().toString());
        assertTrue(s.failures().get(0).contains("libnvrtc.so.12"));
    }
}
