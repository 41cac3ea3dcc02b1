package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import sealjvm.testsupport.Repo;

/**
 * {@code seal gpu-check} runs and reports every check separately and exits non-zero when any fails: a failing check
 * (missing fixtures), a stub driver library, an NVRTC newer than the driver. Tagged gpu; {@link EmulatedGpuCheckCommandTest}
 * runs it on the CPU emulator of the driver in three child JVMs (plain; acting as the toolkit's stub; reporting driver 12.4),
 * each method assuming its own setting.
 */
@Tag("gpu")
public class GpuCheckCommandTest {
    static final List<String> CHECKS = List.of("environment", "open_device", "fixture_logits", "merged_apply_revert",
            "batched_adapters_equal_merged", "allocator_no_leak", "adamw_kernel");
    static final ObjectMapper JSON = new ObjectMapper();

    static boolean noFailureSetting() {
        return System.getenv("SEAL_CUDA_EMU_STUB") == null && System.getenv("SEAL_CUDA_EMU_DRIVER_VERSION") == null
                && sealjvm.tensor.cuda.CudaDevice.available();
    }

    /** The JSON lines of one gpu-check run, after checking that there is one per check, in order, then the summary. */
    static List<JsonNode> lines(SealCliTest.Result r) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : r.out().strip().split("\n")) out.add(JSON.readTree(l));
        List<String> names = new ArrayList<>();
        for (JsonNode n : out.subList(0, out.size() - 1)) {
            names.add(n.get("check").asText());
            for (String k : new String[] {"ok", "message", "figure"}) assertTrue(n.has(k), k + " missing in " + n);
        }
        assertEquals(CHECKS, names, r.out());
        return out;
    }

    static JsonNode line(List<JsonNode> lines, String check) {
        return lines.stream().filter(n -> check.equals(n.path("check").asText())).findFirst().orElseThrow();
    }

    static String fixtures() { return Repo.root().resolve("weights/fixtures/models").toString(); }

    @Test
    void everyCheckPassesAndTheExitCodeIsZero() throws Exception {
        Assumptions.assumeTrue(noFailureSetting(), "needs a CUDA device (the emulator) without a failure setting");
        SealCliTest.Result r = SealCliTest.run("", "gpu-check", "--fixtures", fixtures(), "--cycles", "3");
        List<JsonNode> lines = lines(r);
        for (JsonNode n : lines.subList(0, lines.size() - 1)) assertTrue(n.get("ok").booleanValue(), n.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode sum = lines.get(lines.size() - 1);
        assertEquals("passed", sum.get("gpu_check").asText());
        assertEquals(7, sum.get("checks").intValue());
        JsonNode alloc = line(lines, "allocator_no_leak");
        assertEquals(alloc.get("live_bytes_before").longValue(), alloc.get("live_bytes_after").longValue());
        assertTrue(alloc.has("device_free_bytes_delta"), alloc.toString());
    }

    @Test
    void aFailingCheckDoesNotStopTheOthersAndTheExitCodeIsOne() throws Exception {
        Assumptions.assumeTrue(noFailureSetting(), "needs a CUDA device (the emulator) without a failure setting");
        SealCliTest.Result r = SealCliTest.run("", "gpu-check", "--fixtures", "/nonexistent/fixtures", "--cycles", "3");
        assertEquals(1, r.code(), r.out() + r.err());
        List<JsonNode> lines = lines(r);
        JsonNode fx = line(lines, "fixture_logits");
        assertFalse(fx.get("ok").booleanValue());
        assertTrue(fx.get("message").asText().contains("no fixture models"), fx.toString());
        for (String c : CHECKS) {
            if (!c.equals("fixture_logits")) assertTrue(line(lines, c).get("ok").booleanValue(), line(lines, c).toString());
        }
        JsonNode sum = lines.get(lines.size() - 1);
        assertEquals("FAILED", sum.get("gpu_check").asText());
        assertEquals(1, sum.get("failed").intValue());
        assertEquals("fixture_logits", sum.get("failed_checks").get(0).asText());
    }

    @Test
    void aStubDriverLibraryIsALoudFailureNotASkip() throws Exception {
        Assumptions.assumeTrue("1".equals(System.getenv("SEAL_CUDA_EMU_STUB")), "not the emulator acting as the toolkit's stub");
        SealCliTest.Result r = SealCliTest.run("", "gpu-check", "--fixtures", fixtures(), "--cycles", "3");
        assertEquals(1, r.code(), r.out() + r.err());
        List<JsonNode> lines = lines(r);
        JsonNode env = line(lines, "environment");
        assertFalse(env.get("ok").booleanValue());
        assertTrue(env.get("driver_is_stub").booleanValue(), env.toString());
        assertTrue(env.get("message").asText().contains("stub"), env.toString());
        assertFalse(line(lines, "open_device").get("ok").booleanValue());
        for (String c : CHECKS.subList(2, CHECKS.size())) {
            assertTrue(line(lines, c).get("message").asText().startsWith("not run"), line(lines, c).toString());
        }
        assertEquals(7, lines.get(lines.size() - 1).get("failed").intValue());
    }

    @Test
    void cudaLibrariesNewerThanTheDriverAreRefused() throws Exception {
        Assumptions.assumeTrue("12040".equals(System.getenv("SEAL_CUDA_EMU_DRIVER_VERSION")), "not the emulator acting as a 12.4 driver");
        SealCliTest.Result r = SealCliTest.run("", "gpu-check", "--fixtures", fixtures(), "--cycles", "3");
        assertEquals(1, r.code(), r.out() + r.err());
        List<JsonNode> lines = lines(r);
        JsonNode env = line(lines, "environment");
        assertFalse(env.get("ok").booleanValue());
        assertEquals(12040, env.get("figure").intValue());
        // the emulator's libnvrtc.so.13 and libcublas.so.13 are skipped for a 12.4 driver, and there is no CUDA 12 one here
        String msg = env.get("message").asText();
        assertTrue(msg.contains("libnvrtc.so.13: a CUDA 13 library, newer than the driver (CUDA 12.4): skipped"), msg);
        assertTrue(msg.contains("libcublas.so.13: a CUDA 13 library, newer than the driver (CUDA 12.4): skipped"), msg);
        JsonNode open = line(lines, "open_device");
        assertFalse(open.get("ok").booleanValue());
        assertTrue(open.get("message").asText().contains("newer than the driver (CUDA 12.4)"), open.toString());
    }
}
