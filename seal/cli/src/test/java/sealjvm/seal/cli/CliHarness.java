package sealjvm.seal.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import sealjvm.testsupport.Repo;

/** Runs the CLI in-process with captured stdin/stdout/stderr (as SealCliTest does), for the reliability tests. */
final class CliHarness {
    private CliHarness() {}

    record Result(int code, String out, String err) {}

    private static Path home;

    static synchronized Path home() {
        if (home == null) {
            home = Repo.root();
            System.setProperty("seal.home", home.toString());
        }
        return home;
    }

    static Path tiny() { return home().resolve("weights/models/gpt2-tiny-random"); }

    static Result cli(String... args) { return cli(new byte[0], args); }

    static Result cli(byte[] stdin, String... args) {
        home();
        PrintStream oldOut = System.out, oldErr = System.err;
        InputStream oldIn = System.in;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin));
            int code = SealCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }
}
