package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --engine/--master}: without the seal-spark module on the class path, one line saying how to build it. */
class EngineOptionTest {
    @BeforeAll
    static void home() { SealCliTest.findHome(); }

    static void refused(Path out, String expected, String... args) {
        SealCliTest.Result r = SealCliTest.run("", args);
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected), r.err());
        assertFalse(Files.exists(out), "nothing written before the refusal");
    }

    @Test
    void sparkWithoutItsModuleSaysHowToBuildIt(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        for (String method : new String[] {"generator", "text"}) {
            refused(out, "./mvnw -Pspark -pl seal/spark -am package -DskipTests",
                    "train", "--method", method, "--task", "facts", "--engine", "spark", "--master", "local[2]", "--episodes", "1", "--out", out.toString());
        }
    }

    @Test
    void badEngineOrMasterIsOneLine(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        refused(out, "--engine must be local or spark, got 'yarn'", "train", "--task", "facts", "--engine", "yarn", "--out", out.toString());
        refused(out, "--master", "train", "--task", "facts", "--master", "local[2]", "--out", out.toString());
    }
}
