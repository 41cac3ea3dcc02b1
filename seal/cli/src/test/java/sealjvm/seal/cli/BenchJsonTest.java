package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The last line of a bench subcommand: one JSON object, fields in a fixed order, measured values with four decimals. */
class BenchJsonTest {
    private static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void matmulPrintsItsShapeAndTimesInOrder() {
        CliHarness.Result r = CliHarness.cli("bench", "matmul", "--m", "4", "--k", "3", "--n", "2", "--warmup-ms", "0", "--iters", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String json = lastLine(r.out());
        assertTrue(json.matches("\\{\"bench\":\"matmul\",\"m\":4,\"k\":3,\"n\":2,\"transposed\":false,\"weights\":\"f32\",\"threads\":1,\"iters\":2,"
                + "\"median_ms\":\\d+\\.\\d{4},\"min_ms\":\\d+\\.\\d{4},\"gflops\":\\d+\\.\\d{4},\"gbps\":\\d+\\.\\d{4}}"), json);
        // W packed once before the timing, the transposed (head) form
        r = CliHarness.cli("bench", "matmul", "--m", "5", "--k", "3", "--n", "70", "--transposed", "--weights", "f32_packed", "--warmup-ms", "0", "--iters", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(lastLine(r.out()).startsWith("{\"bench\":\"matmul\",\"m\":5,\"k\":3,\"n\":70,\"transposed\":true,\"weights\":\"f32_packed\","), lastLine(r.out()));
    }

    @Test
    void forwardNamesTheDevice() {
        CliHarness.Result r = CliHarness.cli("bench", "forward", "--layers", "1", "--embd", "8", "--heads", "2", "--vocab", "50", "--positions", "16",
                "--tokens", "4", "--warmup-ms", "0", "--iters", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String json = lastLine(r.out());
        assertTrue(json.matches("\\{\"bench\":\"forward\",\"layers\":1,\"embd\":8,\"heads\":2,\"vocab\":50,\"batch\":1,\"tokens\":4,\"past\":0,"
                + "\"weights\":\"f32\",\"threads\":1,\"device\":\"cpu\",\"iters\":1,\"median_ms\":\\d+\\.\\d{4},\"min_ms\":\\d+\\.\\d{4},\"gflops\":\\d+\\.\\d{4},\"gbps\":\\d+\\.\\d{4}}"), json);
    }

    /** Batched generation, Q8_0 weights: B·new tokens per run as tokens/s beside the times. */
    @Test
    void generateGivesTokensPerSecond() {
        CliHarness.Result r = CliHarness.cli("bench", "generate", "--layers", "1", "--embd", "32", "--heads", "2", "--vocab", "50", "--positions", "16",
                "--batch", "3", "--prompt-tokens", "2", "--new-tokens", "3", "--weights", "q8_0", "--warmup-ms", "0", "--iters", "1", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        String json = lastLine(r.out());
        assertTrue(json.matches("\\{\"bench\":\"generate\",\"layers\":1,\"embd\":32,\"heads\":2,\"vocab\":50,\"batch\":3,\"prompt_tokens\":2,"
                + "\"new_tokens\":3,\"weights\":\"q8_0\",\"threads\":1,\"device\":\"cpu\",\"iters\":1,\"median_ms\":\\d+\\.\\d{4},"
                + "\"min_ms\":\\d+\\.\\d{4},\"tokens_per_s\":\\d+\\.\\d{4},\"gflops\":\\d+\\.\\d{4}}"), json);
    }

    @Test
    void aMeasuredValueKeepsFourDecimals() {
        assertEquals("{\"bench\":\"x\",\"v\":0.0000,\"w\":12.5000}",
                BenchJson.write(BenchJson.result("x").put("v", BenchJson.num(0)).put("w", BenchJson.num(12.5))));
    }
}
