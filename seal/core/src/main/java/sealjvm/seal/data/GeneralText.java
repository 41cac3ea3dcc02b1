package sealjvm.seal.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * General English prose for measuring forgetting (LM loss on text unrelated to the task). The
 * committed file {@code weights/fixtures/general/general.txt} is original text written for this
 * project; paragraphs are separated by blank lines.
 */
public final class GeneralText {
    private GeneralText() {}

    /** {@code <sealHome>/weights/fixtures/general/general.txt}. */
    public static Path defaultFile(Path sealHome) {
        return sealHome.resolve("weights").resolve("fixtures").resolve("general").resolve("general.txt");
    }

    /**
     * The file's paragraphs (whitespace runs collapsed) packed greedily, in order, into chunks of at
     * most {@code maxChars} characters, joined by {@code "\n\n"}; a paragraph longer than
     * {@code maxChars} is split at sentence ends, then at spaces, then hard.
     */
    public static List<String> chunks(Path file, int maxChars) {
        if (maxChars < 1) throw new IllegalArgumentException("maxChars must be positive: " + maxChars);
        String all;
        try {
            all = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<String> pieces = new ArrayList<>();
        for (String para : all.replace("\r\n", "\n").split("\n\\s*\n")) {
            String p = para.replaceAll("\\s+", " ").strip();
            if (!p.isEmpty()) pieces.addAll(splitLong(p, maxChars));
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String p : pieces) {
            if (!cur.isEmpty() && cur.length() + 2 + p.length() > maxChars) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            if (!cur.isEmpty()) cur.append("\n\n");
            cur.append(p);
        }
        if (!cur.isEmpty()) out.add(cur.toString());
        return List.copyOf(out);
    }

    private static List<String> splitLong(String p, int maxChars) {
        List<String> out = new ArrayList<>();
        String rest = p;
        while (rest.length() > maxChars) {
            int cut = -1;
            for (int i = maxChars - 1; i > 0; i--) { // last sentence end that fits
                char c = rest.charAt(i - 1);
                if (rest.charAt(i) == ' ' && (c == '.' || c == '?' || c == '!')) {
                    cut = i;
                    break;
                }
            }
            if (cut < 0) cut = rest.lastIndexOf(' ', maxChars);
            if (cut <= 0) cut = maxChars;
            out.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut).strip();
        }
        if (!rest.isEmpty()) out.add(rest);
        return out;
    }
}
