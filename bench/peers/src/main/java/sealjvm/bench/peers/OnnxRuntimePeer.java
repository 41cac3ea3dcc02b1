package sealjvm.bench.peers;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import sealjvm.gpt2.Gpt2Config;

/**
 * ONNX Runtime (CPU execution provider) on {@code gpt2.onnx}: (input_ids (T,), past (L, 2, H, P, D)) -> (logits (T, V),
 * present (L, 2, H, P+T, D)). A step with context runs the context once with an empty past and feeds its present back
 * as past; both outputs are fetched on every run, as a decode loop needs them.
 */
final class OnnxRuntimePeer implements Peer {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final Gpt2Config config;
    private final int threads;
    private OnnxTensor ids, past;
    private OrtSession.Result context, last;

    OnnxRuntimePeer(Path dir, int threads) throws Exception {
        this.threads = threads;
        config = Gpt2Config.read(dir.resolve("config.json"));
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(dir.resolve("gpt2.onnx").toString(), o);
        }
    }

    @Override
    public String describe() { return "ONNX Runtime " + env.getVersion() + " (CPU), " + threads + " intra-op threads"; }

    private OnnxTensor idsTensor(int[] t) throws Exception {
        long[] l = new long[t.length];
        for (int i = 0; i < t.length; i++) l[i] = t[i];
        return OnnxTensor.createTensor(env, LongBuffer.wrap(l), new long[] {t.length});
    }

    private OnnxTensor emptyPast() throws Exception {
        return OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {config.nLayer(), 2, config.nHead(), 0, config.headSize()});
    }

    @Override
    public void prepare(int[] contextIds, int[] tokens) throws Exception {
        closeStep();
        past = emptyPast();
        if (contextIds.length > 0) {
            try (OnnxTensor c = idsTensor(contextIds)) {
                context = session.run(Map.of("input_ids", c, "past", past));
            }
            past.close();
            past = (OnnxTensor) context.get("present").orElseThrow();
        }
        ids = idsTensor(tokens);
    }

    @Override
    public void run() throws Exception {
        if (last != null) last.close();
        last = session.run(Map.of("input_ids", ids, "past", past));
    }

    @Override
    public float[] logits() {
        FloatBuffer b = ((OnnxTensor) last.get("logits").orElseThrow()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    private void closeStep() {
        if (last != null) last.close();
        if (context != null) context.close();   // owns past when the step had a context
        else if (past != null) past.close();
        if (ids != null) ids.close();
        last = context = null;
        past = ids = null;
    }

    @Override
    public void close() throws Exception {
        closeStep();
        session.close();
    }
}
