package sealjvm.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The committed reference fixtures under {@code weights/fixtures} (made by the scripts in {@code weights/scripts}). */
public final class Fixtures {
    private Fixtures() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code weights/fixtures/relative}. */
    public static Path path(String relative) { return Repo.weights().resolve("fixtures").resolve(relative); }

    /** The folder of fixture model {@code name} ({@code weights/fixtures/models/NAME}). */
    public static Path model(String name) { return path("models").resolve(name); }

    /** A JSON fixture file. */
    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code input_ids} (B,T) of a fixture model's {@code reference.json}. */
    public static int[][] inputIds(Path modelDir) {
        JsonNode ids = json(modelDir.resolve("reference.json")).get("input_ids");
        int[][] out = new int[ids.size()][];
        for (int b = 0; b < ids.size(); b++) {
            out[b] = new int[ids.get(b).size()];
            for (int t = 0; t < out[b].length; t++) out[b][t] = ids.get(b).get(t).intValue();
        }
        return out;
    }
}
