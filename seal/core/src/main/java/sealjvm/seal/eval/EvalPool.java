package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import sealjvm.seal.RunDir;

/**
 * An eval's result kept with the run ({@value #EVAL_FILE}: the printed summary, the run's config and every episode's
 * values), and the pooling of several runs' results — the same training recipe under different seeds, each judged on
 * its own eval episodes — into one set of arm means with intervals from a bootstrap clustered by episode and
 * stratified by run, so that every episode is used once and each run keeps its share of them.
 */
public final class EvalPool {
    /** The last eval of a run (or of its adapter cache folder), with every episode's values. */
    public static final String EVAL_FILE = "eval.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private EvalPool() {}

    /**
     * Writes {@code dir}/{@value #EVAL_FILE} atomically: {@code summary}, the run's config ({@code runDir}/config.json)
     * and seed, the episodes of {@code results} and, where there are any, of {@code diagnostics}.
     */
    public static void write(Path dir, ObjectNode summary, Path runDir, long runSeed, ArmResults results, ArmResults diagnostics) throws IOException {
        ObjectNode out = summary.deepCopy();
        out.put("run", runDir.toAbsolutePath().normalize().toString());
        out.put("run_seed", runSeed);
        out.set("run_config", JSON.readTree(runDir.resolve("config.json").toFile()));
        out.set("per_episode", results.episodesJson());
        if (diagnostics != null) out.set("per_episode_diagnostics", diagnostics.episodesJson());
        RunDir.writeAtomically(dir.resolve(EVAL_FILE), JSON.writeValueAsString(out).getBytes(StandardCharsets.UTF_8));
    }

    /** A run folder's last eval ({@value #EVAL_FILE} inside it), or an eval file named directly. */
    static Path evalFile(Path runOrFile) {
        return Files.isDirectory(runOrFile) ? runOrFile.resolve(EVAL_FILE) : runOrFile;
    }

    /**
     * Pools the evals of {@code runs} (run folders or eval files). They must share method, task, merged adapters and the
     * training config except its seed; their seeds must differ and no eval episode may occur in two of them. The
     * result has the shape of one eval's summary ("arms", "ci95", "by_group", diagnostics' arms) plus "runs".
     */
    public static ObjectNode pool(List<Path> runs, long bootstrapSeed) throws IOException {
        if (runs.size() < 2) throw new IllegalArgumentException("pool: give at least two runs, got " + runs.size());
        List<JsonNode> evals = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Path r : runs) {
            Path f = evalFile(r);
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException(f + ": no eval result; run bin/seal eval --run " + r + " first (builds before this one printed it only)");
            }
            JsonNode e;
            try {
                e = JSON.readTree(f.toFile());
            } catch (IOException ex) {
                throw new IllegalArgumentException(f + ": not a readable eval result: " + ex.getMessage(), ex);
            }
            for (String k : List.of("method", "task", "seed", "run_seed", "run_config", "per_episode", "arms", "primary")) {
                if (e == null || !e.has(k)) throw new IllegalArgumentException(f + ": not an eval result of this build (no \"" + k + "\")");
            }
            evals.add(e);
            files.add(f);
        }
        JsonNode first = evals.getFirst();
        ObjectNode recipe = withoutSeed(first.get("run_config"), files.getFirst());
        for (int r = 0; r < files.size(); r++) {
            for (int q = 0; q < r; q++) {
                if (Files.isSameFile(files.get(r), files.get(q))) throw new IllegalArgumentException(files.get(r) + ": given twice");
            }
        }
        Map<Long, Path> seeds = new HashMap<>();
        Map<Integer, Path> seen = new HashMap<>();
        for (int r = 0; r < evals.size(); r++) {
            JsonNode e = evals.get(r);
            Path f = files.get(r);
            for (String k : List.of("method", "task", "primary")) {
                if (!e.get(k).equals(first.get(k))) {
                    throw new IllegalArgumentException(f + ": \"" + k + "\" is " + e.get(k) + ", " + files.getFirst() + " has " + first.get(k) + "; pool evals of one kind only");
                }
            }
            if (e.has("adapters") != first.has("adapters") || (e.has("adapters") && !e.get("adapters").equals(first.get("adapters")))) {
                throw new IllegalArgumentException(f + ": merged adapters differ from " + files.getFirst() + "'s");
            }
            ObjectNode cfg = withoutSeed(e.get("run_config"), f);
            if (!cfg.equals(recipe)) {
                throw new IllegalArgumentException(f + ": the run's config differs from " + files.getFirst() + "'s in " + firstDifference(recipe, cfg)
                        + "; pool runs of one recipe under different seeds");
            }
            for (String k : List.of("rounds_trained", "episodes_trained")) {   // text runs count rounds, generator runs episodes
                if (!e.path(k).equals(first.path(k))) {
                    throw new IllegalArgumentException(f + ": \"" + k + "\" is " + e.path(k) + ", " + files.getFirst() + " has " + first.path(k)
                            + "; pool runs trained as far as each other");
                }
            }
            if (e.path("draws").asInt(1) != first.path("draws").asInt(1)) {   // absent: one draw (a generator eval, an earlier text eval)
                throw new IllegalArgumentException(f + ": \"draws\" is " + e.path("draws").asInt(1) + ", " + files.getFirst() + " has "
                        + first.path("draws").asInt(1) + "; pool evals that judged each passage as many times");
            }
            if (!e.get("run_seed").canConvertToLong()) throw new IllegalArgumentException(f + ": \"run_seed\" is not a seed: " + e.get("run_seed"));
            long s = e.get("run_seed").longValue();
            Path other = seeds.putIfAbsent(s, f);
            if (other != null) throw new IllegalArgumentException(f + " and " + other + ": both runs were trained with seed " + s);
            if (!e.get("per_episode").isArray() || e.get("per_episode").isEmpty()) throw new IllegalArgumentException(f + ": \"per_episode\" holds no episodes");
            for (JsonNode ep : e.get("per_episode")) {
                if (!ep.path("index").isInt()) throw new IllegalArgumentException(f + ": an episode without an index: " + ep.path("index"));
                int i = ep.path("index").intValue();
                Path o = seen.putIfAbsent(i, f);
                if (o != null) {
                    throw new IllegalArgumentException(f + " and " + o + ": both evaluated eval episode " + i
                            + "; each episode is used once in a pool (bin/seal eval picks a slice by the run's seed; --first-episode to choose)");
                }
            }
        }

        ObjectNode out = JSON.createObjectNode();
        out.put("method", first.get("method").asText()).put("task", first.get("task").asText()).put("seed", bootstrapSeed);
        out.put("primary", first.get("primary").asText());
        ArrayNode runsNode = out.putArray("runs");
        int total = 0;
        for (int r = 0; r < evals.size(); r++) {
            JsonNode e = evals.get(r);
            ObjectNode n = runsNode.addObject();
            n.put("eval", files.get(r).toString()).put("run_seed", e.get("run_seed").longValue())
                    .put("first_episode", e.path("first_episode").asInt()).put("episodes", e.get("per_episode").size());
            total += e.get("per_episode").size();
        }
        out.put("episodes", total);
        List<String> arms = new ArrayList<>();
        if (!first.get("arms").isObject()) throw new IllegalArgumentException(files.getFirst() + ": \"arms\" is not an object");
        first.get("arms").fieldNames().forEachRemaining(arms::add);
        out.setAll(pooled(evals, files, "per_episode", arms, "trained").toJson(bootstrapSeed));
        if (first.has("per_episode_diagnostics") && first.has("diagnostics")) {
            ObjectNode diag = out.putObject("diagnostics");
            Iterator<String> names = first.get("diagnostics").fieldNames();
            while (names.hasNext()) {
                String d = names.next();
                diag.set(d, pooled(evals, files, "per_episode_diagnostics", List.of("no_edit", d), d).toJson(bootstrapSeed).get("arms").get(d));
            }
        }
        return out;
    }

    /**
     * The runs' episodes under {@code key} as one result, each run its own stratum; the arms are the first run's
     * summary's ({@code armsOf}: its "arms", or for diagnostics "no_edit" and the diagnostic).
     */
    private static ArmResults pooled(List<JsonNode> evals, List<Path> files, String key, List<String> arms, String reference) {
        if (!arms.contains(reference)) throw new IllegalArgumentException(files.getFirst() + ": no arm " + reference + " among " + arms);
        ArmResults all = new ArmResults(arms, reference);
        for (int r = 0; r < evals.size(); r++) all.addEpisodes(evals.get(r).get(key), r, files.get(r).toString());
        return all;
    }

    private static ObjectNode withoutSeed(JsonNode config, Path file) {
        if (config == null || !config.isObject()) throw new IllegalArgumentException(file + ": \"run_config\" is not the run's config: " + config);
        ObjectNode c = ((ObjectNode) config).deepCopy();
        c.remove("seed");
        return c;
    }

    private static String firstDifference(ObjectNode a, ObjectNode b) {
        Iterator<String> names = a.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!a.get(k).equals(b.get(k))) return "\"" + k + "\" (" + a.get(k) + " against " + b.get(k) + ")";
        }
        names = b.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (!a.has(k)) return "\"" + k + "\" (absent against " + b.get(k) + ")";
        }
        return "nothing";
    }
}
