package sealjvm.gpt2;

import java.lang.foreign.Arena;
import java.util.Arrays;
import sealjvm.tensor.Matmul;
import sealjvm.tensor.Tensor;

/**
 * The head's columns (token ids) that were lately the largest logit of a scored row, least recently useful dropped
 * first: a row's largest logit among them is its guess of the row's max for {@link Matmul#rowLogSumExp}. A pinned head
 * keeps one, so a SEAL run, which scores the same general text under every edit, guesses right nearly always. Only
 * speed depends on it: a wrong guess costs its row a second pass, never other bits.
 */
final class MaxColumns {
    /** Columns kept: two 64-column strips of candidate logits, 0.25 % of the head's work at GPT-2's vocabulary. */
    static final int CAPACITY = 128;

    /** Per row: the guess (−∞ while nothing is kept) and the slot it came from (−1 then); guessed: columns were kept. */
    record Guess(float[] values, int[] slots, boolean guessed) {}

    private final Tensor head;                        // (V, C), the weights the guesses' logits are made from
    private final int[] ids = new int[CAPACITY];
    private final long[] lastUsed = new long[CAPACITY];
    private int size;
    private long calls;
    private int lastWrong;                            // rows the last call guessed wrong
    private double wrongRows, guessedRows;            // rows guessed wrong, and guessed, each weighted by its age
    private int callsToSkip;                          // calls left on the logits path (see MAX_WRONG)
    private Matmul.Packed packed;                     // ids' rows of head (empty slots repeat slot 0), packed; null when stale

    MaxColumns(Tensor head) { this.head = head; }

    /**
     * Each row's largest logit over the kept columns, by the products {@link Matmul#matmulTransposed(Tensor, Tensor,
     * Matmul.Packed)} runs on the whole head (the candidates fill whole strips, at least 4 rows), so a guess is the
     * bits the row's logit has there.
     */
    synchronized Guess guess(Tensor rows) {
        int n = rows.dim(0), C = head.dim(1);
        float[] values = new float[n];
        int[] slots = new int[n];
        Arrays.fill(values, Float.NEGATIVE_INFINITY);
        Arrays.fill(slots, -1);
        if (size == 0 || n < Matmul.GEMM_MIN_ROWS) return new Guess(values, slots, false);
        if (packed == null) {
            Tensor w = Tensor.allocate(Arena.ofAuto(), CAPACITY, C);   // freed with the panels that refer to it
            for (int s = 0; s < CAPACITY; s++) w.row(s).copyFrom(head.row(ids[s < size ? s : 0]));
            packed = Matmul.packTransposed(w);
        }
        try (Arena tmp = Arena.ofShared()) {
            Tensor logits = Tensor.allocate(tmp, n, CAPACITY);
            Matmul.matmulTransposed(logits, rows, packed);
            float[] l = logits.toArray();
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < size; s++) {
                    if (l[i * CAPACITY + s] > values[i]) { values[i] = l[i * CAPACITY + s]; slots[i] = s; }
                }
            }
        }
        return new Guess(values, slots, true);
    }

    /**
     * Once more than this share of the rows lately guessed were wrong, calls go the logits path for a while: each wrong
     * row costs a second pass through the head, and past about 0.38 (53 against 70 ms for 744 rows all right, a Zen 4)
     * the logits path is cheaper. Rows with no repeat in them (random rows: the JMH benchmark's) guess badly every
     * time. The share counts rows, not calls: a SEAL episode's small calls (its questions' answers, new each episode,
     * a fifth of them wrong) must not turn off its forgetting term's 744 rows, nearly all right.
     */
    static final double MAX_WRONG = 0.25;
    /** Rows after which a row's weight in that share halves. */
    static final double HALF_LIFE_ROWS = 1024;
    /** Calls on the logits path after the share passed MAX_WRONG, before guessing again (learning from the wrong rows). */
    static final int SKIP = 8;

    /** Whether this call should guess (false for {@link #SKIP} calls after one that guessed badly). */
    synchronized boolean worthGuessing() {
        if (callsToSkip == 0) return true;
        callsToSkip--;
        return false;
    }

    /** After a call: the slots whose guesses were right are used now; the max columns of the rows guessed wrong are kept. */
    synchronized void update(Guess guess, boolean[] right, int[] argmax) {
        calls++;
        int wrong = 0;
        for (boolean r : right) if (!r) wrong++;
        lastWrong = wrong;
        if (guess.guessed()) {   // a call with nothing kept yet guesses nothing: it only teaches
            double decay = Math.pow(0.5, right.length / HALF_LIFE_ROWS);
            wrongRows = wrongRows * decay + wrong;
            guessedRows = guessedRows * decay + right.length;
            if (wrongRows > MAX_WRONG * guessedRows) callsToSkip = SKIP;
        }
        for (int i = 0; i < right.length; i++) if (right[i] && guess.slots()[i] >= 0) lastUsed[guess.slots()[i]] = calls;
        for (int i = 0; i < right.length; i++) {
            int id = argmax[i];
            if (right[i] || id < 0 || contains(id)) continue;
            int s = size < CAPACITY ? size++ : leastRecentlyUsed();
            ids[s] = id;
            lastUsed[s] = calls;
            packed = null;
        }
    }

    /** Columns kept now. */
    synchronized int size() { return size; }

    /** Rows the last call guessed wrong. */
    synchronized int lastWrong() { return lastWrong; }

    private boolean contains(int id) {
        for (int s = 0; s < size; s++) if (ids[s] == id) return true;
        return false;
    }

    private int leastRecentlyUsed() {
        int lru = 0;
        for (int s = 1; s < size; s++) if (lastUsed[s] < lastUsed[lru]) lru = s;
        return lru;
    }
}
