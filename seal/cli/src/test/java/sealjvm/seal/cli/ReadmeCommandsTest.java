package sealjvm.seal.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every {@code bin/seal ...} command in README.md and docs/*.md (fenced code blocks and inline code) names a command
 * and options that exist, as picocli has them; and every command of the CLI is shown in README.md.
 */
class ReadmeCommandsTest {
    private static final Pattern INLINE = Pattern.compile("`([^`]*bin/seal [^`]*)`");
    private static final Pattern CALL = Pattern.compile("bin/seal((?: [^&|;<>#/`]*)?)");

    /** The {@code bin/seal} calls of a Markdown file: one string per call, continuation lines joined. */
    static List<String> calls(Path md) throws IOException {
        List<String> texts = new ArrayList<>();
        boolean fenced = false;
        StringBuilder line = new StringBuilder();
        for (String l : Files.readAllLines(md)) {
            if (l.strip().startsWith("```")) { fenced = !fenced; continue; }
            if (fenced) {
                if (l.endsWith("\\")) { line.append(l, 0, l.length() - 1).append(' '); continue; }
                texts.add(line.append(l).toString());
                line.setLength(0);
            } else {
                Matcher m = INLINE.matcher(l);
                while (m.find()) texts.add(m.group(1).replace("\\|", "|"));
            }
        }
        List<String> out = new ArrayList<>();
        for (String t : texts) {
            for (String part : t.split("(?=bin/seal )")) {   // a table cell may hold "bin/seal a ... / bin/seal b ..."
                Matcher m = CALL.matcher(part);
                if (m.find() && m.start() == part.indexOf("bin/seal")) out.add(m.group(1).strip());
            }
        }
        return out;
    }

    /** Null if the call is fine, else what is wrong with it. */
    static String check(CommandLine root, String call) {
        // bin/seal's own option, not picocli's: --aot-cache [COMMAND ...] trains the AOT cache on COMMAND
        call = call.replaceFirst("^--aot-cache(\\s+|$)", "");
        if (call.replaceAll("\\.\\.\\.|…", "").isBlank()) return null;   // "bin/seal ..." in prose names nothing
        CommandLine cmd = root;
        for (String raw : call.split("\\s+")) {
            String tok = raw.replaceAll("^[\\[(]+|[\\])]+$", "");
            if (tok.isEmpty() || tok.equals("...") || tok.equals("…")) continue;
            if (tok.startsWith("--")) {
                String name = tok.contains("=") ? tok.substring(0, tok.indexOf('=')) : tok;
                if (name.startsWith("--[no-]")) {   // a negatable option: picocli knows it by its positive name
                    var o = cmd.getCommandSpec().findOption("--" + name.substring(7));
                    if (o == null || !o.negatable()) return "`" + cmd.getCommandName() + "` has no negatable option --" + name.substring(7);
                } else if (cmd.getCommandSpec().findOption(name) == null) {
                    return "`" + cmd.getCommandName() + "` has no option " + name;
                }
            } else if (!cmd.getSubcommands().isEmpty() && !tok.startsWith("-")) {
                CommandLine sub = cmd.getSubcommands().get(tok);
                if (sub == null) return "`" + cmd.getCommandName() + "` has no command " + tok;
                cmd = sub;
            }
        }
        return cmd == root && !call.matches(".*--(help|version)\\b.*") ? "no command named" : null;
    }

    static List<Path> docs(Path home) throws IOException {
        List<Path> files = new ArrayList<>(List.of(home.resolve("README.md")));
        try (Stream<Path> s = Files.list(home.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @Test
    void everyCommandAndOptionTheDocsNameExists() throws IOException {
        Path home = CliHarness.home();
        CommandLine root = new CommandLine(new SealCli());
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (Path md : docs(home)) {
            for (String call : calls(md)) {
                n++;
                String bad = check(root, call);
                if (bad != null) problems.add(home.relativize(md) + ": bin/seal " + call + " -> " + bad);
            }
        }
        assertTrue(n >= 30, "found only " + n + " bin/seal calls: is the parser still reading the docs?");
        assertEquals(List.of(), problems);
    }

    @Test
    void theReadmeShowsEveryCommand() throws IOException {
        Path home = CliHarness.home();
        CommandLine root = new CommandLine(new SealCli());
        Set<String> shown = new LinkedHashSet<>();
        for (String call : calls(home.resolve("README.md"))) {
            CommandLine cmd = root;
            StringBuilder path = new StringBuilder();
            for (String tok : call.split("\\s+")) {
                CommandLine sub = cmd.getSubcommands().get(tok.replaceAll("^[\\[(]+|[\\])]+$", ""));
                if (sub == null) continue;
                cmd = sub;
                path.append(path.isEmpty() ? "" : " ").append(tok);
                shown.add(path.toString());
            }
        }
        List<String> missing = new ArrayList<>();
        walk(root.getCommandSpec(), "", missing, shown);
        assertEquals(List.of(), missing, "commands of bin/seal that README.md never shows");
    }

    private static void walk(CommandSpec spec, String prefix, List<String> missing, Set<String> shown) {
        for (var e : spec.subcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String name = prefix.isEmpty() ? e.getKey() : prefix + " " + e.getKey();
            if (!shown.contains(name)) missing.add(name);
            walk(e.getValue().getCommandSpec(), name, missing, shown);
        }
    }

    @Test
    void theCheckerCatchesAMadeUpOption() {
        CommandLine root = new CommandLine(new SealCli());
        assertNull(check(root, "train --task facts --out runs/f [--episodes 1500 --[no-]keep-vs-passage]"));
        assertNotNull(check(root, "train --task facts --episode 800"));
        assertNotNull(check(root, "bench reinforcement --samples 8"));
        assertNotNull(check(root, "--verbose"), "no command");
        assertNull(check(root, "--help"));
        assertNotNull(check(root, "--versio"));
        assertNull(check(root, "--aot-cache"), "bin/seal's own option");
        assertNull(check(root, "--aot-cache generate --max-new-tokens 1"));
        assertNotNull(check(root, "--aot-cache generate --max-tokens 1"), "the training command is checked");
        assertNotNull(check(root, "--aot-cachex"));
    }
}
