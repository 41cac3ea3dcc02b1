package sealjvm.seal.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import sealjvm.gpt2.Gpt2Tokenizer;
import sealjvm.seal.data.Facts;

/**
 * The {@code brown+rc} training stream: the Brown training documents interleaved with synthetic
 * reading-comprehension documents ({@link Facts#rcPassages}, {@link Facts#rcDocument}), each document followed by
 * {@code <|endoftext|>}. The interleaving is proportional — the next document comes from the source whose share of
 * its own tokens used so far is smaller — so the RC documents are spread evenly through Brown whatever the ratio.
 * A pure function of its inputs: a resumed run rebuilds the same stream.
 */
public final class CorpusMix {
    private CorpusMix() {}

    /** The documents of a token stream whose documents each end in {@code eot} (a trailing part without one is kept). */
    public static List<int[]> documents(int[] stream, int eot) {
        List<int[]> docs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < stream.length; i++) {
            if (stream[i] == eot) {
                docs.add(java.util.Arrays.copyOfRange(stream, start, i + 1));
                start = i + 1;
            }
        }
        if (start < stream.length) docs.add(java.util.Arrays.copyOfRange(stream, start, stream.length));
        return docs;
    }

    /** The first {@code count} RC documents, tokenized, each followed by {@code <|endoftext|>}. */
    public static List<int[]> rcDocuments(int count, Gpt2Tokenizer tok) {
        List<Facts.Passage> ps = Facts.rcPassages(count);
        return IntStream.range(0, count).parallel().mapToObj(i -> {
            int[] t = tok.encode(Facts.rcDocument(ps.get(i)));
            int[] d = java.util.Arrays.copyOf(t, t.length + 1);
            d[t.length] = tok.eotId();
            return d;
        }).toList();
    }

    /** Proportional interleaving of two document lists (see the class comment); documents are never cut. */
    public static int[] interleave(List<int[]> a, List<int[]> b) {
        long totalA = a.stream().mapToLong(d -> d.length).sum(), totalB = b.stream().mapToLong(d -> d.length).sum();
        int[] out = new int[Math.toIntExact(totalA + totalB)];
        int ia = 0, ib = 0, at = 0;
        long usedA = 0, usedB = 0;
        while (ia < a.size() || ib < b.size()) {
            boolean takeA = ib == b.size() || (ia < a.size() && usedA * Math.max(1, totalB) <= usedB * Math.max(1, totalA));
            int[] d = takeA ? a.get(ia++) : b.get(ib++);
            System.arraycopy(d, 0, out, at, d.length);
            at += d.length;
            if (takeA) usedA += d.length; else usedB += d.length;
        }
        return out;
    }

    /** The Brown training stream with {@code rcDocs} RC documents interleaved. */
    public static int[] brownPlusRc(int[] brownTrain, int rcDocs, Gpt2Tokenizer tok) {
        return interleave(documents(brownTrain, tok.eotId()), rcDocuments(rcDocs, tok));
    }
}
