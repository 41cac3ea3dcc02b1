package sealjvm.seal.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Per-arm results over the same eval episodes, and their summary: for each arm the mean accuracy, gain and margin
 * over all units (questions, messages, documents) and the mean reward over episodes; intervals of
 * {@code trained − arm} for every metric by a bootstrap clustered by episode; a breakdown by unit group (relation).
 * A metric the task does not have is JSON null; so is every metric of an arm that does not apply. Each episode
 * keeps its index in the eval split and a stratum (the run it came from, when {@link EvalPool} pools runs): the
 * bootstrap resamples each stratum's episodes within it.
 */
public final class ArmResults {
    public static final List<String> METRICS = List.of("accuracy", "gain", "margin", "reward");

    /** A comparison between two arms other than the reference, reported as {@code arm_minus_against}. */
    public record Contrast(String arm, String against) {
        String key() { return arm + "_minus_" + against; }
    }

    /**
     * Contrasts reported beside {@code reference − arm} whenever both of their arms are evaluated. The untrained
     * model's self-edit against fine-tuning on the passage alone separates what sampling and splitting self-edits
     * give from what a trained policy adds to them.
     */
    public static final List<Contrast> SECONDARY = List.of(new Contrast("untrained_self_edit", "sft_passage"));

    private record Episode(double[] accuracy, double[] gain, double[] margin, double reward) {}

    private final List<String> arms;
    private final String reference;
    private final Map<String, List<Episode>> byArm = new LinkedHashMap<>();
    private final List<String[]> groups = new ArrayList<>();
    private final List<Integer> index = new ArrayList<>();
    private final List<Integer> stratum = new ArrayList<>();

    /** {@code arms} in output order; {@code reference} is the arm every other is compared with ("trained"). */
    public ArmResults(List<String> arms, String reference) {
        if (!arms.contains(reference)) throw new IllegalArgumentException("the reference arm " + reference + " is not among " + arms);
        this.arms = List.copyOf(arms);
        this.reference = reference;
        for (String a : arms) byArm.put(a, new ArrayList<>());
    }

    /** Starts episode {@code index} of the eval split, whose units have these groups; then {@link #add} each arm that applies once. */
    public void episode(int index, String[] unitGroups) { episode(index, 0, unitGroups); }

    /** As {@link #episode(int, String[])}, the episode from stratum {@code stratum} (a pooled run). */
    public void episode(int index, int stratum, String[] unitGroups) {
        groups.add(unitGroups.clone());
        this.index.add(index);
        this.stratum.add(stratum);
    }

    /** One arm's per-unit values for the current episode ({@code accuracy}/{@code margin} null where the task has none). */
    public void add(String arm, double[] accuracy, double[] gain, double[] margin, double reward) {
        List<Episode> l = byArm.get(arm);
        if (l == null) throw new IllegalArgumentException("unknown arm " + arm);
        if (l.size() != groups.size() - 1) throw new IllegalStateException("arm " + arm + " added twice or before episode()");
        l.add(new Episode(accuracy, gain, margin, reward));
    }

    public int episodes() { return groups.size(); }

    private boolean present(String arm) { return !byArm.get(arm).isEmpty(); }

    /** Per episode, the chosen metric's unit values of {@code arm} (reward: one value per episode), or null. */
    private double[][] clusters(String arm, String metric, String group) {
        List<Episode> l = byArm.get(arm);
        if (l.isEmpty()) return null;
        double[][] out = new double[l.size()][];
        for (int e = 0; e < l.size(); e++) {
            Episode ep = l.get(e);
            double[] v = switch (metric) {
                case "accuracy" -> ep.accuracy();
                case "gain" -> ep.gain();
                case "margin" -> ep.margin();
                case "reward" -> new double[] {ep.reward()};
                default -> throw new IllegalArgumentException(metric);
            };
            if (v == null) return null;
            if (group != null) {
                String[] g = groups.get(e);
                int k = 0;
                for (String s : g) if (s.equals(group)) k++;
                double[] w = new double[k];
                k = 0;
                for (int u = 0; u < g.length; u++) if (g[u].equals(group)) w[k++] = v[u];
                v = w;
            }
            out[e] = v;
        }
        return out;
    }

    private static double[][] minus(double[][] x, double[][] y) {
        double[][] d = new double[x.length][];
        for (int e = 0; e < x.length; e++) {
            d[e] = new double[x[e].length];
            for (int u = 0; u < x[e].length; u++) d[e][u] = x[e][u] - y[e][u];
        }
        return d;
    }

    private static void put(ObjectNode n, String key, double[][] clusters) {
        if (clusters == null) n.putNull(key);
        else n.put(key, ClusteredBootstrap.mean(clusters));
    }

    private int[] strata() {
        return stratum.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Every episode's values, for pooling: [{"index": i, "groups": [..], "arms": {ARM: {"accuracy": [..] or null,
     * "gain": [..], "margin": [..] or null, "reward": r}}}], arms that apply only.
     */
    public ArrayNode episodesJson() {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int e = 0; e < groups.size(); e++) {
            ObjectNode ep = out.addObject();
            ep.put("index", index.get(e));
            ArrayNode g = ep.putArray("groups");
            for (String s : groups.get(e)) g.add(s);
            ObjectNode a = ep.putObject("arms");
            for (String arm : arms) {
                if (!present(arm)) continue;
                Episode v = byArm.get(arm).get(e);
                ObjectNode n = a.putObject(arm);
                putArray(n, "accuracy", v.accuracy());
                putArray(n, "gain", v.gain());
                putArray(n, "margin", v.margin());
                n.put("reward", v.reward());
            }
        }
        return out;
    }

    private static void putArray(ObjectNode n, String key, double[] v) {
        if (v == null) {
            n.putNull(key);
        } else {
            ArrayNode a = n.putArray(key);
            for (double x : v) a.add(x);
        }
    }

    private static double[] doubles(JsonNode n, int units, String where) {
        if (n == null || n.isNull()) return null;
        if (!n.isArray() || n.size() != units) throw new IllegalArgumentException(where + ": expected " + units + " values, got " + n);
        double[] v = new double[units];
        for (int u = 0; u < units; u++) {
            if (!n.get(u).isNumber()) throw new IllegalArgumentException(where + ": not a number: " + n.get(u));
            v[u] = n.get(u).doubleValue();
        }
        return v;
    }

    /**
     * Adds the episodes of {@link #episodesJson()} as stratum {@code stratum}; {@code where} names their file in
     * errors. An arm of this result is in every episode or in none (it does not apply).
     */
    public void addEpisodes(JsonNode episodes, int stratum, String where) {
        if (episodes == null || !episodes.isArray()) throw new IllegalArgumentException(where + ": no per-episode results");
        for (JsonNode ep : episodes) {
            JsonNode g = ep.get("groups");
            if (g == null || !g.isArray() || !ep.path("index").isInt()) throw new IllegalArgumentException(where + ": an episode without index or groups: " + ep);
            String[] unitGroups = new String[g.size()];
            for (int u = 0; u < unitGroups.length; u++) unitGroups[u] = g.get(u).asText();
            int i = ep.get("index").intValue();
            episode(i, stratum, unitGroups);
            for (String arm : arms) {
                JsonNode a = ep.path("arms").get(arm);
                int before = byArm.get(arm).size();
                // An arm that does not apply is absent from every episode; one absent from some only is an error.
                if (a == null) {
                    if (before > 0) throw new IllegalArgumentException(where + ": episode " + i + " has no arm " + arm + ", earlier episodes have");
                    continue;
                }
                if (before != groups.size() - 1) throw new IllegalArgumentException(where + ": arm " + arm + " is missing from episodes before " + i);
                String at = where + ": episode " + i + ", " + arm;
                double[] gain = doubles(a.get("gain"), unitGroups.length, at + ".gain");
                if (gain == null) throw new IllegalArgumentException(at + ": no gain");
                if (!a.path("reward").isNumber()) throw new IllegalArgumentException(at + ".reward: not a number: " + a.get("reward"));
                add(arm, doubles(a.get("accuracy"), unitGroups.length, at + ".accuracy"), gain,
                        doubles(a.get("margin"), unitGroups.length, at + ".margin"), a.get("reward").doubleValue());
            }
        }
    }

    /**
     * {"arms": {ARM: {accuracy, gain, margin, reward}}, "ci95": {METRIC: {"trained_minus_ARM": [lo, hi], and each
     * {@link #SECONDARY} contrast's "ARM_minus_AGAINST"}}, "by_group": …}.
     */
    public ObjectNode toJson(long seed) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ObjectNode armsNode = out.putObject("arms");
        for (String a : arms) {
            ObjectNode n = armsNode.putObject(a);
            for (String m : METRICS) put(n, m, present(a) ? clusters(a, m, null) : null);
        }
        ObjectNode ci = out.putObject("ci95");
        for (String m : METRICS) {
            ObjectNode n = ci.putObject(m);
            double[][] ref = clusters(reference, m, null);
            for (String a : arms) {
                if (a.equals(reference)) continue;
                double[][] other = present(a) ? clusters(a, m, null) : null;
                String key = reference + "_minus_" + a;
                if (ref == null || other == null) {
                    n.putNull(key);
                } else {
                    double[] iv = ClusteredBootstrap.ci95(minus(ref, other), strata(), seed);
                    n.putArray(key).add(iv[0]).add(iv[1]);
                }
            }
            for (Contrast c : SECONDARY) {
                if (!arms.contains(c.arm()) || !arms.contains(c.against())) continue;
                double[][] x = present(c.arm()) ? clusters(c.arm(), m, null) : null, y = present(c.against()) ? clusters(c.against(), m, null) : null;
                if (x == null || y == null) {
                    n.putNull(c.key());
                } else {
                    double[] iv = ClusteredBootstrap.ci95(minus(x, y), strata(), seed);
                    n.putArray(c.key()).add(iv[0]).add(iv[1]);
                }
            }
        }
        TreeSet<String> all = new TreeSet<>();
        for (String[] g : groups) for (String s : g) all.add(s);
        if (all.size() > 1) {
            ObjectNode bg = out.putObject("by_group");
            for (String g : all) {
                ObjectNode gn = bg.putObject(g);
                for (String a : arms) {
                    if (!present(a)) continue;
                    ObjectNode n = gn.putObject(a);
                    for (String m : List.of("accuracy", "gain", "margin")) put(n, m, clusters(a, m, g));
                }
            }
        }
        return out;
    }
}
