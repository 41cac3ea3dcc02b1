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

    private static Path elf(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        return file;
    }

    @Test
    void cublasLtOfTheSameMajorIsPreloadedFromCublassFolder(@TempDir Path dir) throws Exception {
        Path lt12 = elf(dir.resolve("libcublasLt.so.12"));
        elf(dir.resolve("libcublasLt.so.13"));
        Files.writeString(dir.resolve("libcublasLt.so.11"), "not an ELF file");
        assertEquals(List.of(lt12), NativeLibraries.companions("cublas", dir, "libcublas.so.12"));
        assertEquals(List.of(dir.resolve("libcublasLt.so.13")), NativeLibraries.companions("cublas", dir, "libcublas.so"));
        assertEquals(List.of(), NativeLibraries.companions("cuda", dir, "libcuda.so.1"));
    }

    @Test
    void nvrtcBuiltinsArePreloadedButNotTheAltVariant(@TempDir Path dir) throws Exception {
        Path builtins = elf(dir.resolve("libnvrtc-builtins.so.12.8"));
        elf(dir.resolve("libnvrtc-builtins.alt.so.12.8"));
        assertEquals(List.of(builtins), NativeLibraries.companions("nvrtc", dir, "libnvrtc.so.12"));
    }

    @Test
    void theSonamesOfCuda11To13AreAccepted() {
        List<String> nvrtc = NativeLibraries.FILE_NAMES.get("nvrtc"), cublas = NativeLibraries.FILE_NAMES.get("cublas");
        assertTrue(nvrtc.containsAll(List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2")), nvrtc.toString());
        assertTrue(cublas.containsAll(List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so.11")), cublas.toString());
        assertEquals("libcuda.so.1", NativeLibraries.FILE_NAMES.get("cuda").get(0));
        assertTrue(nvrtc.indexOf("libnvrtc.so.13") < nvrtc.indexOf("libnvrtc.so.11.2"), "newest first");
    }

    @Test
    void pipWheelFoldersOfTheGivenPythonSitesComeBeforeTheGuessedOnes(@TempDir Path home) throws Exception {
        Path site = Files.createDirectories(home.resolve("venv/lib/python3.11/site-packages"));
        Path cublas = Files.createDirectories(site.resolve("nvidia/cublas/lib"));
        Path nvrtc = Files.createDirectories(site.resolve("nvidia/cuda_nvrtc/lib"));
        Path cu13 = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
        Path pyenv = Files.createDirectories(home.resolve(".pyenv/versions/3.12.1/lib/python3.12/site-packages/nvidia/cublas/lib"));
        List<Path> dirs = NativeLibraries.searchDirectories(Map.of(NativeLibraries.PYTHON_SITE_ENV, site.toString()), home);
        assertTrue(dirs.containsAll(List.of(cublas, nvrtc, cu13, pyenv)), dirs.toString());
        assertTrue(dirs.indexOf(cublas) < dirs.indexOf(pyenv), dirs.toString());
        assertTrue(dirs.indexOf(Path.of("/usr/lib/x86_64-linux-gnu")) < dirs.indexOf(cublas), "system folders before wheels");
        Path conda = Files.createDirectories(home.resolve("conda/lib/python3.10/site-packages/nvidia/cuda_nvrtc/lib"));
        assertTrue(NativeLibraries.searchDirectories(Map.of("CONDA_PREFIX", home.resolve("conda").toString()), home).contains(conda));
    }

    @Test
    void overrideFoldersAreTheOnlyOnesBeforeTheDriversSystemLoaderLookup(@TempDir Path home) {
        Map<String, String> env = Map.of(NativeLibraries.OVERRIDE_ENV, "/emu:/emu2", "LD_LIBRARY_PATH", "/usr/local/cuda/lib64/stubs");
        assertEquals(List.of(Path.of("/emu"), Path.of("/emu2")), NativeLibraries.overrideDirectories(env));
        List<Path> dirs = NativeLibraries.searchDirectories(env, home);
        assertEquals(Path.of("/usr/local/cuda/lib64/stubs"), dirs.get(2), "a stubs folder on LD_LIBRARY_PATH comes after the"
                + " override folders, i.e. after the system loader's libcuda.so.1");
        assertEquals(List.of(), NativeLibraries.overrideDirectories(Map.of()));
    }

    @Test
    void aDriverInAnOverrideFolderIsTriedBeforeTheSystemLoaderAndOtherFolders(@TempDir Path dir) throws Exception {
        Path emu = Files.createDirectories(dir.resolve("emu"));
        Path stubs = Files.createDirectories(dir.resolve("stubs"));
        Files.writeString(emu.resolve("libcuda.so.1"), "not an ELF file");
        Files.writeString(stubs.resolve("libcuda.so"), "not an ELF file either");
        NativeLibraries.Search s = NativeLibraries.search("cuda", List.of(emu, stubs), 1, NativeLibraries.find("cuda").isEmpty());
        if (s.lookup().isEmpty()) {
            // no driver on this machine: both folders were tried, the override one first
            assertEquals(2, s.failures().size(), s.failures().toString());
            assertTrue(s.failures().get(0).startsWith(emu.toString()), s.failures().toString());
        } else {
            // a real driver: the system loader's libcuda.so.1 was taken before the stubs folder
            assertEquals(1, s.failures().size(), s.failures().toString());
            assertTrue(s.location().orElseThrow().contains("system loader"), s.location().toString());
        }
    }

    @Test
    void theStubDiagnosisIsOneLineWithTheFix() {
        String m = NativeLibraries.stubMessage("/usr/local/cuda/lib64/stubs/libcuda.so");
        assertTrue(m.contains("stub") && m.contains("CUDA_ERROR_STUB_LIBRARY") && m.contains("/usr/local/cuda/lib64/stubs/libcuda.so"), m);
        assertEquals(1, m.lines().count());
    }

    @Test
    void withoutDriverCudaProblemSaysWhy() {
        Assumptions.assumeTrue(NativeLibraries.find("cuda").isEmpty(), "a CUDA driver library is installed here");
        assertTrue(NativeLibraries.cudaProblem().orElseThrow().contains("libcuda.so.1"));
        assertFalse(NativeLibraries.cudaIsStub());
    }

    @Test
    void anNvrtcOfANewerMajorThanTheDriverIsRefusedInOneMessage() {
        String why = Nvrtc.incompatibility(12040, 13, 0, "/x/libnvrtc.so.13");
        assertTrue(why.contains("NVRTC 13.0") && why.contains("newer than the CUDA driver (12.4)") && why.contains("/x/libnvrtc.so.13")
                && why.contains("nvidia-cuda-nvrtc-cu12") && why.contains(NativeLibraries.OVERRIDE_ENV), why);
        assertEquals(1, why.lines().count());
        assertEquals(null, Nvrtc.incompatibility(13000, 13, 0, "x"));
        assertEquals(null, Nvrtc.incompatibility(13010, 12, 8, "x"), "an older NVRTC is fine");
        assertEquals(null, Nvrtc.incompatibility(12040, 11, 8, "x"));
        // same major, newer minor: cubins load under minor-version compatibility; accepted, with a note
        assertEquals(null, Nvrtc.incompatibility(12040, 12, 8, "x"));
        assertTrue(Nvrtc.minorVersionNote(12040, 12, 8).contains("minor-version compatibility"));
        assertEquals(null, Nvrtc.minorVersionNote(12080, 12, 8));
        assertEquals("12.4", Nvrtc.driverVersionString(12040));
        assertEquals("13.0", Nvrtc.driverVersionString(13000));
    }

    @Test
    void librariesOfANewerCudaMajorThanTheDriverAreSkippedForAnOlderOneLaterOnThePath(@TempDir Path dir) throws Exception {
        assertEquals(13, NativeLibraries.sonameMajor("libnvrtc.so.13"));
        assertEquals(11, NativeLibraries.sonameMajor("libnvrtc.so.11.2"));
        assertEquals(0, NativeLibraries.sonameMajor("libnvrtc.so"));
        Path toolkit = Files.createDirectories(dir.resolve("cuda-13.0/lib64"));
        Path wheel = Files.createDirectories(dir.resolve("site-packages/nvidia/cuda_nvrtc/lib"));
        elf(toolkit.resolve("libnvrtc.so.13"));
        Files.writeString(wheel.resolve("libnvrtc.so.12"), "not an ELF file"); // reached: reported as not a library
        NativeLibraries.Search s = NativeLibraries.search("nvrtc", List.of(toolkit, wheel), 0, false, 12040);
        assertEquals(2, s.failures().size(), s.failures().toString());
        assertTrue(s.failures().get(0).contains("libnvrtc.so.13: a CUDA 13 library, newer than the driver (CUDA 12.4): skipped"),
                s.failures().toString());
        assertTrue(s.failures().get(1).contains("libnvrtc.so.12"), s.failures().toString());
        // the driver's version unknown (0) or new enough: nothing is skipped for being new
        assertEquals(null, NativeLibraries.tooNew("libcublas.so.13", 0));
        assertEquals(null, NativeLibraries.tooNew("libcublas.so.13", 13000));
        assertEquals(null, NativeLibraries.tooNew("libcublas.so", 12040));
    }
}
