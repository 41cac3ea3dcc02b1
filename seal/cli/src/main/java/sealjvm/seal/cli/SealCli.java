package sealjvm.seal.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sealjvm.gpt2.ModelFormatException;
import sealjvm.gpt2.safetensors.SafeTensorsException;

/**
 * {@code bin/seal}: the command-line front of SEAL on the JVM.
 * User errors (bad flags, files, ids) print one line to stderr and exit 1; {@code --verbose} adds the stack trace.
 */
@Command(name = "seal", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "SEAL on the JVM: a GPT-2 that edits its own weights, in pure Java.",
        subcommands = {LogitsCommand.class, GpuCheckCommand.class, TokenizeCommand.class, GenerateCommand.class, TrainCommand.class, EvalCommand.class, PoolCommand.class,
                PerplexityCommand.class,
                BenchCommand.class, PretrainCommand.class, SftCommand.class, EditCommand.class, MergeCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class})
public final class SealCli {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces of errors.")
    boolean verbose;

    /** Where the project lives (set by bin/seal); the bundled weights are under it. */
    static Path home() {
        return Path.of(System.getProperty("seal.home", ".")).toAbsolutePath().normalize();
    }

    /** The bundled default model: a small model over GPT-2's real vocabulary. */
    static Path defaultModel() { return sealjvm.seal.BundledModel.dir(home()); }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new SealCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.IParameterExceptionHandler usageError = cli.getParameterExceptionHandler();
        cli.setParameterExceptionHandler((e, given) -> {
            String bad = badChoice(e);
            if (bad == null) return usageError.handleParseException(e, given);
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + bad);
            err.flush();
            return 1;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean verbose = parsed.matchedOption("--verbose") != null
                    || parsed.subcommands().stream().anyMatch(p -> p.matchedOption("--verbose") != null);
            PrintWriter err = cmd.getErr();
            Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
            if (isUserError(t)) {
                err.println("error: " + message(e));
            } else {
                err.println("internal error: " + t + (verbose ? "" : " (run with --verbose for the stack trace)"));
            }
            if (verbose) t.printStackTrace(err);
            err.flush();
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError oom) {
            // An allocation the checks did not foresee: one line with what was asked and what the heap has.
            PrintWriter err = cli.getErr();
            err.println(outOfMemory(oom));
            err.flush();
            return 1;
        }
    }

    /**
     * A value that is none of an enum option's choices is a bad value like any other (one line, exit 1), not a malformed
     * command line: the option, its choices as spelled on the command line, and the value. Null for any other error.
     */
    static String badChoice(CommandLine.ParameterException e) {
        if (!(e.getCause() instanceof CommandLine.TypeConversionException) || !(e.getArgSpec() instanceof OptionSpec o)
                || !o.type().isEnum() || o.converters().length > 0) {
            return null;
        }
        List<String> choices = new ArrayList<>();
        o.completionCandidates().forEach(choices::add);
        return sealjvm.seal.Choices.refusal(o.longestName(), choices, e.getValue());
    }

    static String outOfMemory(OutOfMemoryError oom) {
        Runtime rt = Runtime.getRuntime();
        return "error: out of memory (" + oom.getMessage() + "); heap maximum " + Checks.gb(rt.maxMemory())
                + ", in use " + Checks.gb(rt.totalMemory() - rt.freeMemory()) + " (raise it with SEAL_JAVA_OPTS=-Xmx...)";
    }

    /**
     * The one-line message of a user error, naming its file: a java.nio FileSystemException's message is often only
     * the path ("error: /x/config.json") or only the reason ("Is a directory"); both are said here.
     */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            String own = u.getMessage(), cause = message(u.getCause());
            return own == null || own.equals(u.getCause().toString()) ? cause : own + ": " + cause;
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            String reason = f instanceof java.nio.file.NoSuchFileException ? "not found"
                    : f instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : f instanceof java.nio.file.FileAlreadyExistsException ? "already exists"
                    : f instanceof java.nio.file.NotDirectoryException ? "not a directory"
                    : f instanceof java.nio.file.DirectoryNotEmptyException ? "directory not empty"
                    : f instanceof java.nio.file.FileSystemLoopException ? "a symbolic link loop"
                    : f.getReason() != null ? f.getReason() : "cannot be accessed";
            String file = f.getFile() != null ? f.getFile() : "";
            if (f instanceof java.nio.file.NoSuchFileException && !file.isEmpty() && Files.isSymbolicLink(Path.of(file))) {
                reason = "a symbolic link that does not resolve (dangling, or a loop)";
            }
            return (file.isEmpty() ? "" : file + ": ") + reason + (f.getOtherFile() != null ? " (" + f.getOtherFile() + ")" : "");
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    static boolean isUserError(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof ModelFormatException
                || t instanceof SafeTensorsException || t instanceof IOException || t instanceof IllegalStateException
                || t instanceof sealjvm.bindings.CudaUnavailableException || t instanceof sealjvm.bindings.CudaException;
    }
}
