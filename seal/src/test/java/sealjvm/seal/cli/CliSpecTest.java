package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CLI as a whole: its version and the help of every command. */
class CliSpecTest {
    /** The version the root pom.xml declares for the project. */
    private static String pomVersion() throws IOException {
        String pom = Files.readString(CliHarness.home().resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>seal-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no seal-parent version in pom.xml");
        return m.group(1);
    }

    @Test
    void versionIsThePomVersion() throws IOException {
        CliHarness.Result r = CliHarness.cli("--version");
        assertEquals(0, r.code(), r.err());
        assertEquals("seal " + pomVersion(), r.out().strip());
    }
}
