package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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

    /** Every command below {@code spec}, itself included. */
    private static List<CommandSpec> commands(CommandSpec spec) {
        List<CommandSpec> all = new ArrayList<>(List.of(spec));
        for (CommandLine sub : spec.subcommands().values()) {
            if (!all.contains(sub.getCommandSpec())) all.addAll(commands(sub.getCommandSpec()));
        }
        return all;
    }

    @Test
    void everyOptionHasADescriptionAndSaysItsDefault() {
        List<String> missing = new ArrayList<>();
        for (CommandSpec cmd : commands(new CommandLine(new SealCli()).getCommandSpec())) {
            for (OptionSpec o : cmd.options()) {
                String text = String.join(" ", o.description()).strip();
                if (text.isEmpty()) {
                    missing.add(cmd.qualifiedName() + " " + o.longestName() + ": no description");
                } else if (o.defaultValue() != null && !o.typeInfo().isBoolean() && !text.toLowerCase(java.util.Locale.ROOT).contains("default")) {
                    missing.add(cmd.qualifiedName() + " " + o.longestName() + ": default " + o.defaultValue() + " not shown");
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void completionCompletesTheCommandsAndTheirOptions() {
        CliHarness.Result r = CliHarness.cli("completion");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -F _complete_seal"), "no completion function registered");
        for (String word : List.of("generate", "train", "bench", "reinforce", "--max-new-tokens", "--adapter-mode", "--episodes")) {
            assertTrue(r.out().contains(word), "completion script lacks " + word);
        }
    }

    @Test
    void aSharedOptionReadsTheSameInEveryCommand() {
        for (String name : List.of("--device", "--precision", "--threads", "--model")) {
            List<String> seen = new ArrayList<>();
            for (CommandSpec cmd : commands(new CommandLine(new SealCli()).getCommandSpec())) {
                OptionSpec o = cmd.findOption(name);
                if (o == null || cmd.name().equals("train") && name.equals("--model")) continue;   // train's default model depends on the task
                String text = o.defaultValue() + " " + String.join(" ", o.description());
                if (!seen.contains(text)) seen.add(text);
            }
            assertEquals(1, seen.size(), name + " differs between commands: " + seen);
        }
    }

    @Test
    void anOptionWorksUnderItsNameAndItsOldOneAndAnErrorNamesItAsGiven(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        String[][] cases = {
                {"--embd 30", "pretrain", "--corpus", "brown-sample", "--out", "OUT", "--embd", "30", "--heads", "4"},
                {"--width 30", "pretrain", "--corpus", "brown-sample", "--out", "OUT", "--width", "30", "--heads", "4"},
                {"--grad-clip -1", "train", "--task", "facts", "--data", "sample", "--out", "OUT", "--grad-clip", "-1"},
                {"--clip -1", "train", "--task", "facts", "--data", "sample", "--out", "OUT", "--clip", "-1"},
                {"--texts ", "sft", "--texts", "MISSING", "--out", "OUT"},
                {"--data ", "sft", "--data", "MISSING", "--out", "OUT"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.stream(c, 1, c.length)
                    .map(a -> a.replace("OUT", tmp.resolve("out").toString()).replace("MISSING", tmp.resolve("none.txt").toString())).toArray(String[]::new);
            CliHarness.Result r = CliHarness.cli(args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("error: " + c[0]), String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void helpShowsTheNameAndNotTheFormerOne() {
        String[][] cases = {{"pretrain", "--embd", "--width"}, {"pretrain", "--positions", "--context"}, {"train", "--grad-clip", "--clip"}, {"sft", "--texts", "--data"}};
        for (String[] c : cases) {
            CliHarness.Result r = CliHarness.cli(c[0], "--help");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains(c[1]), c[0] + " --help lacks " + c[1]);
            assertFalse(r.out().matches("(?s).*" + c[2] + "[=\\s,].*"), c[0] + " --help shows the former name " + c[2]);
        }
    }

    @Test
    void sftWithoutTextsIsAUsageError() {
        CliHarness.Result r = CliHarness.cli("sft", "--out", "x");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("Missing required option: '--texts=FILE'"), r.err());
    }
}
