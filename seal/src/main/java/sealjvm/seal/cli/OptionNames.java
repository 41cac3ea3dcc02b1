package sealjvm.seal.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The names of options as the user wrote them, so that an error names an option the way it was given. */
final class OptionNames {
    private OptionNames() {}

    /** The name (the canonical one or an alias) under which {@code canonical}'s option was given; the canonical name if it was not given. */
    static String asGiven(CommandSpec spec, String canonical) {
        OptionSpec o = spec.findOption(canonical);
        ParseResult parsed = spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        if (o == null || parsed == null) return canonical;
        for (String arg : parsed.originalArgs()) {
            for (String name : o.names()) {
                if (arg.equals(name) || arg.startsWith(name + "=")) return name;
            }
        }
        return canonical;
    }
}
