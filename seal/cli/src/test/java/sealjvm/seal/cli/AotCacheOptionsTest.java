package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.testsupport.ChildJvm;

/**
 * bin/seal starts the JVM with {@code -XX:AOTCache=seal/cli/target/seal.aot} and the options below once
 * {@code bin/seal --aot-cache} wrote one. A cache the JVM cannot map (damaged, another JDK's, another class path) must be
 * ignored without a word: by default the JVM prints its AOT warnings and errors to stdout, where they would corrupt
 * {@code --json} output.
 */
class AotCacheOptionsTest {
    /** The options bin/seal adds after {@code -XX:AOTCache=FILE}. */
    static final String QUIET = "-Xlog:aot*=off -Xlog:cds*=off";

    record Out(int code, String out, String err) {}

    static Out run(List<String> jvmArgs, Path dir) throws Exception {
        List<String> cmd = ChildJvm.command(jvmArgs, "sealjvm.seal.cli.SealCli", "--version");
        Path out = dir.resolve("out"), err = dir.resolve("err");
        int code = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start().waitFor();
        return new Out(code, Files.readString(out), Files.readString(err).replace("WARNING: Using incubator modules: jdk.incubator.vector\n", ""));
    }

    @Test
    void aDamagedCacheIsIgnoredSilently(@TempDir Path tmp) throws Exception {
        assertTrue(Files.readString(CliHarness.home().resolve("bin/seal")).contains("-XX:AOTCache=\"$AOT\" " + QUIET),
                "bin/seal passes other AOT options than this test checks");
        byte[] garbage = new byte[64 * 1024];
        new Random(1).nextBytes(garbage);
        Path cache = Files.write(tmp.resolve("seal.aot"), garbage);

        Out plain = run(List.of(), tmp);
        List<String> args = new ArrayList<>(List.of("-XX:AOTCache=" + cache));
        args.addAll(List.of(QUIET.split(" ")));
        Out withCache = run(args, tmp);
        assertEquals(0, plain.code(), plain.err());
        assertEquals(plain, withCache);
        assertFalse((withCache.out() + withCache.err()).toLowerCase().contains("aot"), withCache.toString());

        Out loud = run(List.of("-XX:AOTCache=" + cache), tmp);   // the check above can fail: without QUIET the JVM speaks
        assertTrue(loud.out().contains("[aot]"), "the JVM no longer reports a damaged cache on stdout: " + loud);
    }
}
