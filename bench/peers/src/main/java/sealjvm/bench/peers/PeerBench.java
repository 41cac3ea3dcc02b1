package sealjvm.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sealjvm.tensor.WeightFormat;

/**
 * One engine, one JVM: loads the model of a {@code bench/peers/export.py} directory into the named peer, checks its
 * logits against PyTorch's for every step, and times the steps whose logits agree. Prints one JSON object per line
 * (bench/compare.py reads them): {@code describe}, one {@code check} per step, then one {@code time} per step whose
 * check passed; or one {@code error} (the peer could not run) and nothing after it.
 *
 * <pre>PeerBench --peer ours|ours-f32|onnxruntime|jlama-native|jlama-vector --model DIR [--threads 2] [--iters 10] [--warmup-ms 2000] [--max-ms 30000] [--tolerance 1e-3]</pre>
 *
 * <p>{@code --max-ms} bounds the warm-up and the timed runs of one step each (see {@link Timing}); {@code iters}
 * then says how many timed runs there were.
 */
public final class PeerBench {
    /** A timed step: {@code tokens} new tokens after {@code past} cached ones, all taken from the exported ids. */
    record Step(String label, int past, int tokens) {}

    static final List<Step> STEPS = List.of(new Step("forward T=128", 0, 128), new Step("forward T=1", 0, 1), new Step("decode after 127", 127, 1));
    static final List<String> PEERS = List.of("ours", "ours-f32", "onnxruntime", "jlama-native", "jlama-vector");
    private static final ObjectMapper JSON = new ObjectMapper();

    private PeerBench() {}

    public static void main(String[] args) throws Exception {
        String peer = null;
        Path dir = null;
        int threads = 2, iters = 10;
        long warmupMs = 2000, maxMs = 30_000;
        double tolerance = LogitsCheck.DEFAULT_TOLERANCE;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--peer" -> { peer = v; i++; }
                case "--model" -> { dir = Path.of(v); i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--iters" -> { iters = Integer.parseInt(v); i++; }
                case "--warmup-ms" -> { warmupMs = Long.parseLong(v); i++; }
                case "--max-ms" -> { maxMs = Long.parseLong(v); i++; }
                case "--tolerance" -> { tolerance = Double.parseDouble(v); i++; }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (peer == null || !PEERS.contains(peer) || dir == null) {
            System.err.println("usage: PeerBench --peer " + String.join("|", PEERS) + " --model DIR [--threads N] [--iters N] [--warmup-ms MS] [--max-ms MS] [--tolerance T]");
            System.exit(2);
        }
        int[] ids = JSON.readValue(dir.resolve("ids.json").toFile(), int[].class);
        float[] reference = readF32(dir.resolve("reference.f32"));
        int vocab = reference.length / ids.length;
        System.exit(run(peer, dir, threads, iters, warmupMs, maxMs, tolerance, ids, reference, vocab));
    }

    /** Opens the named peer, or prints why it cannot run here. */
    static int run(String name, Path dir, int threads, int iters, long warmupMs, long maxMs, double tolerance, int[] ids, float[] reference, int vocab)
            throws Exception {
        Peer peer;
        try {
            peer = open(name, dir, threads);
        } catch (CannotRun | LinkageError | UnsupportedOperationException e) {
            // A library built for another JDK fails when its classes link (UnsupportedClassVersionError,
            // NoSuchMethodError on a changed FFM API): the row reports exactly that.
            emit(System.out, line(name, "error").put("error", "cannot run: " + (e instanceof CannotRun ? e.getMessage() : e.toString())));
            return 0;
        }
        try (peer) {
            run(peer, name, iters, warmupMs, maxMs, tolerance, ids, reference, vocab, System.out);
        }
        return 0;
    }

    /**
     * Checks every step first, then times the steps whose logits agreed with the reference: a step that is wrong
     * prints its check (with the error) and no time, so it can never be counted as the fastest.
     */
    static void run(Peer peer, String name, int iters, long warmupMs, long maxMs, double tolerance, int[] ids, float[] reference, int vocab,
                    PrintStream out) throws Exception {
        emit(out, line(name, "describe").put("describe", peer.describe()));
        List<Step> correct = new ArrayList<>();
        for (Step s : STEPS) {
            peer.prepare(Arrays.copyOfRange(ids, 0, s.past), Arrays.copyOfRange(ids, s.past, s.past + s.tokens));
            peer.run();
            LogitsCheck c = LogitsCheck.compare(reference, s.past * vocab, s.tokens * vocab, peer.logits(), tolerance);
            if (c.ok()) correct.add(s);
            emit(out, line(name, "check").put("step", s.label).put("max_abs_err", c.maxAbsErr()).put("tolerance", tolerance).put("ok", c.ok()));
        }
        for (Step s : correct) {
            peer.prepare(Arrays.copyOfRange(ids, 0, s.past), Arrays.copyOfRange(ids, s.past, s.past + s.tokens));
            int n = s.tokens > 1 ? iters : 3 * iters;   // one-token steps are short and noisy: more of them
            double[] ms = Timing.time(peer::run, s.tokens > 1 ? 3 : 10, warmupMs, n, maxMs);
            emit(out, line(name, "time").put("step", s.label).put("iters", ms.length).put("median_ms", Timing.median(ms)).put("min_ms", ms[0]));
        }
    }

    static Peer open(String name, Path dir, int threads) throws Exception {
        return switch (name) {
            case "ours" -> new OursPeer(dir, threads, 128, WeightFormat.F32_PACKED);
            case "ours-f32" -> new OursPeer(dir, threads, 128, WeightFormat.F32);
            case "onnxruntime" -> new OnnxRuntimePeer(dir, threads);
            case "jlama-native" -> new JlamaPeer(dir, threads, true, Boolean.getBoolean("peers.jlama.plainHead"));
            case "jlama-vector" -> new JlamaPeer(dir, threads, false, Boolean.getBoolean("peers.jlama.plainHead"));
            default -> throw new IllegalArgumentException(name);
        };
    }

    static float[] readF32(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    private static ObjectNode line(String peer, String kind) {
        return JSON.createObjectNode().put("peer", peer).put("kind", kind);
    }

    private static void emit(PrintStream out, ObjectNode o) throws IOException {
        out.println(JSON.writeValueAsString(o));
        out.flush();
    }
}
