package sealjvm.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The logits check passes PyTorch's own numbers up to rounding and rejects anything else, and a rejected step is never timed. */
class LogitsCheckTest {
    static final int V = 50, TOKENS = 128;

    static float[] reference() {
        SplittableRandom r = new SplittableRandom(7);
        float[] ref = new float[TOKENS * V];
        for (int i = 0; i < ref.length; i++) ref[i] = (float) r.nextGaussian();
        return ref;
    }

    @Test
    void roundingPassesAndAWrongElementFails() {
        float[] ref = reference();
        float[] got = java.util.Arrays.copyOfRange(ref, V, 3 * V);
        for (int i = 0; i < got.length; i++) got[i] += (i % 2 == 0 ? 1 : -1) * 2e-6f;
        LogitsCheck ok = LogitsCheck.compare(ref, V, 2 * V, got, LogitsCheck.DEFAULT_TOLERANCE);
        assertTrue(ok.ok(), "rounding-sized differences pass: " + ok);

        got[37] += 0.01f;
        LogitsCheck bad = LogitsCheck.compare(ref, V, 2 * V, got, LogitsCheck.DEFAULT_TOLERANCE);
        assertFalse(bad.ok());
        assertEquals(37, bad.worstIndex());
        assertEquals(0.01, bad.maxAbsErr(), 1e-4);
    }

    @Test
    void nanInfinityAndWrongLengthFail() {
        float[] ref = reference();
        float[] nan = java.util.Arrays.copyOf(ref, V);
        nan[3] = Float.NaN;
        assertFalse(LogitsCheck.compare(ref, 0, V, nan, 1e-3).ok());
        assertEquals(Double.POSITIVE_INFINITY, LogitsCheck.compare(ref, 0, V, nan, 1e-3).maxAbsErr());
        float[] inf = java.util.Arrays.copyOf(ref, V);
        inf[V - 1] = Float.POSITIVE_INFINITY;
        assertFalse(LogitsCheck.compare(ref, 0, V, inf, 1e-3).ok());
        assertFalse(LogitsCheck.compare(ref, 0, V, java.util.Arrays.copyOf(ref, V - 1), 1e-3).ok(), "one logit short");
        assertFalse(LogitsCheck.compare(ref, TOKENS * V - 1, V, java.util.Arrays.copyOf(ref, V), 1e-3).ok(), "rows past the reference");
    }

    /** Answers with the reference rows of the prepared step, off by {@code offset} in every element for the step with {@code wrongPast}. */
    static final class FakePeer implements Peer {
        final float[] ref;
        final int wrongPast;
        final float offset;
        int past, tokens, runs;

        FakePeer(float[] ref, int wrongPast, float offset) { this.ref = ref; this.wrongPast = wrongPast; this.offset = offset; }

        @Override public String describe() { return "fake"; }
        @Override public void prepare(int[] context, int[] tokens) { past = context.length; this.tokens = tokens.length; }
        @Override public void run() { runs++; }
        @Override public float[] logits() {
            float[] out = java.util.Arrays.copyOfRange(ref, past * V, (past + tokens) * V);
            if (past == wrongPast) for (int i = 0; i < out.length; i++) out[i] += offset;
            return out;
        }
        @Override public void close() {}
    }

    static List<JsonNode> run(Peer peer, float[] ref) throws Exception {
        int[] ids = new int[TOKENS];
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PeerBench.run(peer, "fake", 2, 0, 1000, LogitsCheck.DEFAULT_TOLERANCE, ids, ref, V, new PrintStream(buf, true, StandardCharsets.UTF_8));
        List<JsonNode> lines = new ArrayList<>();
        for (String l : buf.toString(StandardCharsets.UTF_8).split("\n")) lines.add(new ObjectMapper().readTree(l));
        return lines;
    }

    static long count(List<JsonNode> lines, String kind) {
        return lines.stream().filter(l -> l.get("kind").asText().equals(kind)).count();
    }

    @Test
    void aCorrectPeerIsTimedOnEveryStep() throws Exception {
        List<JsonNode> lines = run(new FakePeer(reference(), -1, 0), reference());
        assertEquals(3, lines.stream().filter(l -> l.get("kind").asText().equals("check") && l.get("ok").asBoolean()).count());
        assertEquals(3, count(lines, "time"));
    }

    @Test
    void aWrongStepIsReportedWithItsErrorAndNotTimed() throws Exception {
        List<JsonNode> lines = run(new FakePeer(reference(), 127, 0.05f), reference());
        JsonNode decode = lines.stream().filter(l -> l.get("kind").asText().equals("check") && l.get("step").asText().equals("decode after 127"))
                .findFirst().orElseThrow();
        assertFalse(decode.get("ok").asBoolean());
        assertEquals(0.05, decode.get("max_abs_err").asDouble(), 1e-6);
        assertEquals(2, count(lines, "time"));
        assertTrue(lines.stream().noneMatch(l -> l.get("kind").asText().equals("time") && l.get("step").asText().equals("decode after 127")));
    }
}
