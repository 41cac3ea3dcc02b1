package sealjvm.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import sealjvm.gpt2.safetensors.SafeTensors;
import sealjvm.gpt2.safetensors.SafeTensorsWriter;
import sealjvm.tensor.AtomicFiles;

/**
 * A training run's folder: config.json, metrics.jsonl (one line per episode), checkpoint.safetensors
 * (generator + Adam state + counters, F64, written atomically) and reward_curve.png (drawn from the metrics by the
 * command line; the trainers draw nothing).
 */
public final class RunDir {
    private static final ObjectMapper JSON = new ObjectMapper();
    public final Path dir;

    public RunDir(Path dir) { this.dir = dir; }

    public Path config() { return dir.resolve("config.json"); }
    public Path metrics() { return dir.resolve("metrics.jsonl"); }
    public Path checkpoint() { return dir.resolve("checkpoint.safetensors"); }
    public Path plot() { return dir.resolve("reward_curve.png"); }

    public void writeConfig(TrainConfig c) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(config(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
    }

    public TrainConfig readConfig() throws IOException {
        if (!Files.exists(config())) throw new IllegalArgumentException(dir + ": not a run directory (no config.json)");
        try {
            return JSON.readValue(config().toFile(), TrainConfig.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(config() + ": invalid run config: " + e.getOriginalMessage(), e);
        }
    }

    /** Appends one metrics line and forces it to disk. */
    public void appendMetrics(ObjectNode line) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(metrics(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(false);
        } catch (IOException e) {
            throw named(metrics(), e);
        }
    }

    /** The metrics of the first {@code episodes} episodes; later or torn lines (from a kill) are dropped from the file. */
    public List<JsonNode> truncateMetrics(int episodes) throws IOException {
        List<JsonNode> kept = new ArrayList<>();
        if (Files.exists(metrics())) {
            for (String line : Files.readAllLines(metrics(), StandardCharsets.UTF_8)) {
                if (kept.size() == episodes) break;
                try {
                    JsonNode n = JSON.readTree(line);
                    if (n != null && n.path("episode").asInt(-1) == kept.size()) kept.add(n);
                    else break;
                } catch (com.fasterxml.jackson.core.JacksonException torn) {
                    break;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : kept) sb.append(JSON.writeValueAsString(n)).append('\n');
        writeAtomically(metrics(), sb.toString().getBytes(StandardCharsets.UTF_8));
        return kept;
    }

    public List<JsonNode> readMetrics() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(metrics())) return out;
        for (String line : Files.readAllLines(metrics(), StandardCharsets.UTF_8)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    public void saveCheckpoint(SealLoop.State s) {
        Map<String, String> meta = new HashMap<>();
        meta.put("format", "seal-jvm-generator-1");
        meta.put("episodes_done", Integer.toString(s.episodesDone));
        meta.put("adam_step", Long.toString(s.adam.step));
        meta.put("ema_baseline", Double.toHexString(s.emaBaseline)); // hex: exact
        meta.put("skipped", Integer.toString(s.skipped));
        SafeTensorsWriter.writeF64(checkpoint(), Map.of("generator.theta", s.generator.theta, "adam.m", s.adam.m, "adam.v", s.adam.v), meta);
    }

    /** Restores {@code s} (shaped by the run's config) from the checkpoint. */
    public void loadCheckpoint(SealLoop.State s) {
        try (SafeTensors st = SafeTensors.open(checkpoint())) {
            double[] theta = st.readF64("generator.theta"), m = st.readF64("adam.m"), v = st.readF64("adam.v");
            if (theta.length != s.generator.theta.length || m.length != theta.length || v.length != theta.length) {
                throw new IllegalArgumentException(checkpoint() + ": generator of " + theta.length + " parameters, config expects " + s.generator.theta.length);
            }
            System.arraycopy(theta, 0, s.generator.theta, 0, theta.length);
            System.arraycopy(m, 0, s.adam.m, 0, m.length);
            System.arraycopy(v, 0, s.adam.v, 0, v.length);
            Map<String, String> meta = st.metadata();
            s.episodesDone = Integer.parseInt(meta.get("episodes_done"));
            s.adam.step = Long.parseLong(meta.get("adam_step"));
            s.emaBaseline = Double.parseDouble(meta.get("ema_baseline"));
            s.skipped = Integer.parseInt(meta.get("skipped"));
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException(checkpoint() + ": missing or invalid metadata (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Deletes the temp files of atomic writes that a killed process left behind ({@code .NAME*.tmp}, only ours:
     * hidden and ending in .tmp); the files they were to replace are intact. Returns how many were removed.
     */
    public int removeStaleTemps() throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(f) && Files.deleteIfExists(f)) n++;
            }
        }
        return n;
    }

    /** {@link AtomicFiles#write}: a reader sees the old file or the new one; the error names {@code file}. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        try {
            AtomicFiles.write(file, bytes);
        } catch (IOException e) {
            throw named(file, e);
        }
    }

    /** {@code e} as is when it names a file (java.nio's), else with {@code file} in front ("No space left on device" says none). */
    public static IOException named(Path file, IOException e) { return AtomicFiles.named(file, e); }
}
