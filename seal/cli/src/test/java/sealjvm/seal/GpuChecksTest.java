package sealjvm.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.seal.diagnostics.GpuChecks;
import sealjvm.tensor.Device;
import sealjvm.tensor.Placement;
import sealjvm.tensor.Precision;
import sealjvm.tensor.cuda.CudaDevice;
import sealjvm.testsupport.Repo;

/**
 * The GPU acceptance checks ({@link GpuChecks}, also {@code bin/seal gpu-check}) and a SEAL run with the model on
 * the device. Tagged gpu: skipped without a CUDA driver; CI runs them on the CPU emulator of the driver.
 */
@Tag("gpu")
class GpuChecksTest {
    static CudaDevice dev;
    static Path home;

    @BeforeAll
    static void open() {
        Assumptions.assumeTrue(CudaDevice.available(), sealjvm.bindings.NativeLibraries.cudaProblem().orElse("no CUDA driver"));
        dev = CudaDevice.open();
        home = Repo.root();
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
    }

    static boolean emulated() { return dev.name.contains("emulator"); }

    static void assertOk(ObjectNode r) { assertTrue(r.get("ok").booleanValue(), r.toString()); }

    @Test
    void logitsMatchPyTorchOnEveryFixture() throws Exception {
        assertOk(GpuChecks.fixtureLogits(dev, home.resolve("weights/fixtures/models"), 1e-4));
    }

    @Test
    void mergedApplyIsTheCpusBitsAndRevertIsExact() { assertOk(GpuChecks.mergedExact(dev)); }

    @Test
    void batchedAdaptersEqualMerged() { assertOk(GpuChecks.adaptersEqualMerged(dev, 1e-4)); }

    @Test
    void allocatorDoesNotLeak() {
        ObjectNode r = GpuChecks.allocatorNoLeak(dev, emulated() ? 200 : 10_000); // the emulator runs kernels on one CPU core
        assertOk(r);
        // the allocator's own counters, exactly; the driver's free memory is a figure only (a shared GPU moves it)
        assertEquals(r.get("live_bytes_before").longValue(), r.get("live_bytes_after").longValue(), r.toString());
        assertEquals(r.get("live_blocks_before").longValue(), r.get("live_blocks_after").longValue(), r.toString());
        assertEquals(0, r.get("driver_allocs_during_cycles").longValue(), r.toString());
        assertTrue(r.has("device_free_bytes_delta"), r.toString());
    }

    @Test
    void adamKernelMatchesTheCpu() { assertOk(GpuChecks.adamMatchesCpu(dev)); }

    /** Greedy decoding through the device KV cache picks the CPU's tokens. */
    @Test
    void greedyGenerationMatchesTheCpu() {
        try (var m = sealjvm.gpt2.Gpt2Model.load(home.resolve("weights/models/gpt2-tiny-random"))) {
            int[] prompt = {464, 318, 257, 1332};
            var greedy = new sealjvm.gpt2.Sampler.Options(0f, 0, 1f, 1);
            int[] cpu = sealjvm.gpt2.Generator.generate(m, prompt, 12, new sealjvm.gpt2.Sampler(greedy), -1, id -> { });
            int[] cuda;
            try (var gpu = new sealjvm.gpt2.cuda.CudaGpt2(m, dev)) {
                cuda = sealjvm.gpt2.Generator.generate(gpu, prompt, 12, new sealjvm.gpt2.Sampler(greedy), -1, id -> { });
            }
            assertEquals(java.util.Arrays.toString(cpu), java.util.Arrays.toString(cuda));
        }
    }

    /** Perplexity with the forward, LM head and log-softmax on the device = the CPU's. */
    @Test
    void perplexityMatchesTheCpu() {
        try (var m = sealjvm.gpt2.Gpt2Model.load(home.resolve("weights/models/gpt2-tiny-random"))) {
            int[] ids = new java.util.SplittableRandom(3).ints(150, 0, m.config.vocabSize()).toArray();   // 2 windows of 64 + a short one
            var cpu = sealjvm.seal.eval.Perplexity.evaluate(m, ids, 64, 2);
            sealjvm.seal.eval.Perplexity.Result cuda;
            try (var gpu = new sealjvm.gpt2.cuda.CudaGpt2(m, dev)) {
                cuda = sealjvm.seal.eval.Perplexity.evaluate(gpu, ids, 64, 2);
            }
            assertEquals(cpu.predicted(), cuda.predicted());
            assertEquals(cpu.nll(), cuda.nll(), 1e-5 * cpu.nll());
        }
    }

    /** The REINFORCE loop with the frozen model on the device follows the CPU run's rewards. */
    @Test
    void sealRunOnTheDeviceTracksTheCpuRun(@TempDir Path tmp) throws Exception {
        TrainConfig c = TrainConfig.builder(TrainConfig.TaskName.FACTS, home.resolve("weights/models/gpt2-tiny-random").toString()).targets("h.1.mlp.c_proj")
                .rank(2).alpha(2f).samples(3).episodes(2).seed(9).hidden(16).initStd(0.02).entropyBonus(0.01).lambdaNorm(0.001).data(TrainConfig.DataSource.SAMPLE)
                .build();
        List<JsonNode> cpu = Trainer.train(c, home, tmp.resolve("cpu"), Progress.NONE, Placement.CPU);
        List<JsonNode> cuda = Trainer.train(c, home, tmp.resolve("cuda"), Progress.NONE, new Placement(Device.CUDA, Precision.FP32));
        assertEquals(cpu.size(), cuda.size());
        for (int i = 0; i < cpu.size(); i++) {
            for (String k : new String[] {"reward_mean", "base_score", "gain_mean"}) {
                double a = cpu.get(i).get(k).doubleValue(), b = cuda.get(i).get(k).doubleValue();
                assertEquals(a, b, 1e-3 * Math.max(1, Math.abs(a)), "episode " + i + " " + k + ": cpu " + a + " cuda " + b);
            }
        }
    }
}
