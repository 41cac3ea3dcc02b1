package sealjvm.seal.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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

    @Option(names = "--strict", description = "Refuse input that is not valid UTF-8 (default: replace each bad byte sequence by U+FFFD and say so on stderr).")
    boolean strict;

    @Override
    public Integer call() throws Exception {
        var tokenizer = model.tokenizer();
        byte[] bytes = System.in.readAllBytes();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            int at = firstBadByte(bytes);
            if (strict) throw new IllegalArgumentException("stdin: not valid UTF-8 (first bad byte at offset " + at + "); --strict refuses it");
            System.err.println("warning: stdin: not valid UTF-8 (first bad byte at offset " + at + "); invalid sequences are encoded as U+FFFD");
            text = new String(bytes, StandardCharsets.UTF_8);
        }
        int[] ids = tokenizer.encode(text, allowSpecial);
        System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        return 0;
    }

    /** The offset of the first byte a strict UTF-8 decoder rejects. */
    static int firstBadByte(byte[] bytes) {
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : bytes.length;
    }
}
