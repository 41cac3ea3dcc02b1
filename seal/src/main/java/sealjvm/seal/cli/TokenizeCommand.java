package sealjvm.seal.cli;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seal tokenize --model DIR < text}: the GPT-2 ids of stdin (UTF-8), comma-separated on one line. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Read UTF-8 text from stdin and print its GPT-2 token ids, comma-separated, on one line.")
final class TokenizeCommand implements Callable<Integer> {
    @Mixin ModelOption model;

    @Option(names = "--allow-special", description = "Map the literal text <|endoftext|> to its id (default: encode it as plain text, as gpt-3-encoder does).")
    boolean allowSpecial;

    @Override
    public Integer call() throws Exception {
        String text = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        int[] ids = model.tokenizer().encode(text, allowSpecial);
        System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        return 0;
    }
}
