package sealjvm.seal.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Synthetic knowledge-incorporation data (the SEAL paper's first domain, made self-contained): short
 * passages stating facts about invented places, with a question and a short answer per fact.
 *
 * <p>Entities are pronounceable invented names built from syllables ("Veldra", "Ostrin"); every
 * invented word (entity, city, person, river, language, currency) is unique within one
 * {@link #generate} / {@link #splits} call, so each entity occurs in exactly one passage and the
 * splits share no entity. Questions end in {@code " A:"}; answers start with a space (GPT-2
 * tokenization) and are one short word or a year. Everything is a pure function of the seed.
 *
 * <p>{@link #rcPassages} / {@link #rcDocument} make reading-comprehension training documents (a passage, then
 * its questions answered, for continued pretraining): the same kind of passages with several wordings per
 * relation, from their own seed {@link #RC_SEED}, and with no entity or invented value of the default splits.
 */
public final class Facts {
    private Facts() {}

    /** One fact: {@code question + answer} is the text whose answer tokens are scored. */
    public record Fact(String entity, String relation, String value, String sentence, String question, String answer) {}

    /** 2–4 facts about one or two entities, as flowing text. */
    public record Passage(String text, List<Fact> facts) {
        public Passage {
            facts = List.copyOf(facts);
        }

        /** The entities the passage is about, in order of first mention. */
        public List<String> entities() {
            Set<String> s = new LinkedHashSet<>();
            for (Fact f : facts) s.add(f.entity());
            return List.copyOf(s);
        }
    }

    public record Splits(List<Passage> train, List<Passage> heldout, List<Passage> eval) {
        public Splits {
            train = List.copyOf(train);
            heldout = List.copyOf(heldout);
            eval = List.copyOf(eval);
        }
    }

    /** The relation names, in template order. */
    public static final List<String> RELATIONS = List.of(
            "capital", "founded-by", "year-founded", "river", "language", "currency", "national-animal", "main-export");

    private record Relation(String name, String sentence, String question, Function<Gen, String> value) {}

    private static final List<String> ANIMALS = List.of("heron", "lynx", "otter", "falcon", "stag", "wolf", "bear",
            "eagle", "fox", "owl", "horse", "swan", "crane", "hare", "boar", "raven", "seal", "goat", "lion", "tiger");
    private static final List<String> EXPORTS = List.of("copper", "wool", "salt", "tea", "timber", "amber", "silk",
            "cotton", "coffee", "iron", "glass", "rice", "honey", "marble", "tin", "cheese", "wine", "paper", "coal",
            "silver");

    /** Real words the syllable generators can produce; never handed out as invented names. */
    private static final List<String> REAL_WORDS = List.of("danish", "polish", "finish", "punish", "banish",
            "vanish", "lavish", "relish", "parish", "perish", "tonic", "sonic", "panic", "manic", "comic", "conic",
            "logic", "magic", "tunic", "runic", "civic", "mimic", "relic", "rustic", "public", "roman", "woman",
            "human", "german", "latin", "salad", "robin", "melon", "lemon", "demon", "salon", "baton", "talon",
            "felon", "canon", "bison", "basin", "cabin", "satin", "tulip", "solid", "rapid", "timid", "lurid",
            "vivid", "valid", "fatal", "metal", "petal", "total", "vital", "sofa", "pizza", "tuna", "soda", "data",
            "kilo", "radio", "piano", "lotus", "bonus", "virus", "focus", "lupus", "tetanus", "sinus", "fetus",
            "bogus", "venus", "nikon", "tokyo", "lima", "roma", "kenya", "cuba", "peru", "mali", "togo", "fiji");

    private static final List<Relation> TEMPLATES = List.of(
            new Relation("capital", "The capital of {E} is {V}.", "What is the capital of {E}? A:", g -> g.name()),
            new Relation("founded-by", "{E} was founded by {V}.", "Who founded {E}? A:", g -> g.name()),
            new Relation("year-founded", "{E} was founded in {V}.", "In what year was {E} founded? A:",
                    g -> Integer.toString(1100 + g.rng.nextInt(800))),
            new Relation("river", "The longest river in {E} is the {V}.", "What is the longest river in {E}? A:",
                    g -> g.name()),
            new Relation("language", "The people of {E} speak {V}.", "What language do the people of {E} speak? A:",
                    g -> g.language()),
            new Relation("currency", "The currency of {E} is the {V}.", "What is the currency of {E}? A:",
                    g -> g.currency()),
            new Relation("national-animal", "The national animal of {E} is the {V}.",
                    "What is the national animal of {E}? A:", g -> ANIMALS.get(g.rng.nextInt(ANIMALS.size()))),
            new Relation("main-export", "The main export of {E} is {V}.", "What is the main export of {E}? A:",
                    g -> EXPORTS.get(g.rng.nextInt(EXPORTS.size()))));

    /** The default {@code --data-seed} and split sizes of the facts task ({@code Setup}, {@code TextSeal}). */
    public static final long DEFAULT_DATA_SEED = 1234;
    public static final int DEFAULT_TRAIN = 2000, DEFAULT_HELDOUT = 200, DEFAULT_EVAL = 400;

    /** The seed of the reading-comprehension documents ({@link #rcPassages}); used for nothing else. */
    public static final long RC_SEED = 0x5EA1_0DC5_2026L;

    /** The seed of text-SEAL's restatement pairs (its warm start); used for nothing else. */
    public static final long RESTATE_SEED = 0x5EA1_4E57_2026L;

    /**
     * A restatement of a passage as a self-edit should be: each fact as its question answered, one per line
     * ({@code "Who founded X? A: Y\n"}), in the passage's wording of the questions.
     */
    public static String restatement(Passage p) {
        StringBuilder sb = new StringBuilder();
        for (Fact f : p.facts()) sb.append(restatement(f)).append('\n');
        return sb.toString();
    }

    /** One fact restated: its question answered ({@code "Who founded X? A: Y"}), a line of {@link #restatement(Passage)}. */
    public static String restatement(Fact f) { return f.question() + f.answer(); }

    /**
     * A fact's question in a wording the facts task never asks (the task asks in {@link #TEMPLATES}' wording, index 0
     * of the reading-comprehension wordings): the fact's own question when it is one of the other two, else the
     * ({@code k} mod 2)-th of them.
     */
    public static String questionNotAsked(Fact f, int k) {
        List<String> wordings = RC_QUESTIONS.get(f.relation());
        if (!f.question().equals(wordings.getFirst().replace("{E}", f.entity()))) return f.question();
        return wordings.get(1 + Math.floorMod(k, 2)).replace("{E}", f.entity());
    }

    /**
     * Wordings of each relation used only by the reading-comprehension generator: index 0 is the
     * {@link #TEMPLATES} wording, then paraphrases. {E} is the entity, {V} the value; a sentence that starts
     * with a lower-case value is capitalized.
     */
    private static final Map<String, List<String>> RC_SENTENCES = Map.of(
            "capital", List.of("The capital of {E} is {V}.", "{E}'s capital city is {V}.", "The city of {V} is the capital of {E}."),
            "founded-by", List.of("{E} was founded by {V}.", "{V} founded {E}.", "The founder of {E} was {V}."),
            "year-founded", List.of("{E} was founded in {V}.", "In {V}, {E} was founded.", "{E} dates its founding to {V}."),
            "river", List.of("The longest river in {E} is the {V}.", "The {V} is the longest river in {E}.", "{E}'s longest river is the {V}."),
            "language", List.of("The people of {E} speak {V}.", "{V} is the language spoken in {E}.", "In {E}, people speak {V}."),
            "currency", List.of("The currency of {E} is the {V}.", "{E} uses the {V} as its currency.", "People in {E} pay with the {V}."),
            "national-animal", List.of("The national animal of {E} is the {V}.", "The {V} is the national animal of {E}.",
                    "{E} has the {V} as its national animal."),
            "main-export", List.of("The main export of {E} is {V}.", "{E} mainly exports {V}.", "{V} is the chief export of {E}."));

    /** Question wordings for the reading-comprehension generator; index 0 is the {@link #TEMPLATES} question. */
    private static final Map<String, List<String>> RC_QUESTIONS = Map.of(
            "capital", List.of("What is the capital of {E}? A:", "Which city is the capital of {E}? A:", "What city is {E}'s capital? A:"),
            "founded-by", List.of("Who founded {E}? A:", "Who was the founder of {E}? A:", "By whom was {E} founded? A:"),
            "year-founded", List.of("In what year was {E} founded? A:", "When was {E} founded? A:", "What year was {E} founded in? A:"),
            "river", List.of("What is the longest river in {E}? A:", "Which river is the longest in {E}? A:", "What is {E}'s longest river? A:"),
            "language", List.of("What language do the people of {E} speak? A:", "Which language is spoken in {E}? A:",
                    "What is the language of {E}? A:"),
            "currency", List.of("What is the currency of {E}? A:", "Which currency is used in {E}? A:", "What money does {E} use? A:"),
            "national-animal", List.of("What is the national animal of {E}? A:", "Which animal is the national animal of {E}? A:",
                    "What is {E}'s national animal? A:"),
            "main-export", List.of("What is the main export of {E}? A:", "What does {E} mainly export? A:",
                    "Which product is {E}'s main export? A:"));

    /** {@code count} passages; the same seed gives the same passages. */
    public static List<Passage> generate(long seed, int count) {
        Gen g = new Gen(seed);
        return g.passages(count);
    }

    /** Three lists of passages drawn from one generator: no entity (or invented word) is shared. */
    public static Splits splits(long seed, int train, int heldout, int eval) {
        Gen g = new Gen(seed);
        return new Splits(g.passages(train), g.passages(heldout), g.passages(eval));
    }

    /**
     * {@code count} reading-comprehension passages from {@link #RC_SEED}: like {@link #generate}'s, but each
     * sentence and question in one of several wordings ({@code RC_SENTENCES}, {@code RC_QUESTIONS}) and the facts
     * (so the questions) in an order shuffled against the sentences. No entity or invented value (name, city,
     * founder, river, language, currency) of {@link #defaultSplits()} occurs. {@code rcPassages(n)} is a prefix of
     * {@code rcPassages(n + 1)}.
     */
    public static List<Passage> rcPassages(int count) { return rcPassages(RC_SEED, count); }

    /** As {@link #rcPassages(int)} from another seed (the restatement pairs of text-SEAL's warm start use {@link #RESTATE_SEED}). */
    public static List<Passage> rcPassages(long seed, int count) {
        Gen g = new Gen(seed);
        g.used.addAll(inventedWords(defaultSplits()));
        List<Passage> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(g.rcPassage());
        return out;
    }

    /** The splits of the facts task under the default data seed: {@code splits(1234, 2000, 200, 400)}. */
    public static Splits defaultSplits() {
        return splits(DEFAULT_DATA_SEED, DEFAULT_TRAIN, DEFAULT_HELDOUT, DEFAULT_EVAL);
    }

    /**
     * Every entity and value of the splits' facts, lower-case (the invented words; the closed lists of animals and
     * exports and the years come along too, harmlessly).
     */
    public static Set<String> inventedWords(Splits s) {
        Set<String> w = new HashSet<>();
        for (List<Passage> split : List.of(s.train(), s.heldout(), s.eval())) {
            for (Passage p : split) {
                for (Fact f : p.facts()) {
                    w.add(f.entity().toLowerCase(Locale.ROOT));
                    w.add(f.value().toLowerCase(Locale.ROOT));
                }
            }
        }
        return w;
    }

    /**
     * A reading-comprehension training document: the passage, a newline, then each question followed by its
     * answer and a newline ({@code "…\nWho founded X? A: Y\n"}), exactly the question + answer text the facts task
     * scores. The token stream puts {@code <|endoftext|>} after it.
     */
    public static String rcDocument(Passage p) {
        return p.text() + "\n" + restatement(p);
    }

    /** Generator state: the random stream and every invented word handed out so far. */
    private static final class Gen {
        private static final String[] ONSETS = {"b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n",
                "p", "r", "s", "st", "t", "tr", "v", "z", "th", "sh", "w"};
        private static final String[] VOWELS = {"a", "e", "i", "o", "u", "a", "e", "o", "ai", "ea", "y"};
        private static final String[] CODAS = {"", "", "", "n", "r", "l", "s", "m", "nd", "rn", "th", "x", "st"};
        private static final String[] SIMPLE_ONSETS = {"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t",
                "v", "z"};
        private static final String[] SIMPLE_VOWELS = {"a", "e", "i", "o", "u"};
        private static final String[] SIMPLE_CODAS = {"", "", "n", "r", "l", "s", "t"};

        final SplittableRandom rng;
        final Set<String> used = new HashSet<>();

        Gen(long seed) {
            rng = new SplittableRandom(seed);
            used.addAll(ANIMALS); // invented words never equal a real value word
            used.addAll(EXPORTS);
            used.addAll(REAL_WORDS);
        }

        private String pick(String[] a) {
            return a[rng.nextInt(a.length)];
        }

        /** Entity syllables: varied clusters, so place names look distinct. */
        private String syllable(boolean first) {
            String onset = first && rng.nextInt(5) == 0 ? "" : pick(ONSETS); // some names start with a vowel
            return onset + pick(VOWELS) + pick(CODAS);
        }

        /** Value syllables: plain consonant-vowel(-consonant), so answers stay 1-3 GPT-2 tokens. */
        private String simple() {
            return pick(SIMPLE_ONSETS) + pick(SIMPLE_VOWELS) + pick(SIMPLE_CODAS);
        }

        /**
         * A word from {@code make} (given how many extra syllables to add: 0, or more after many
         * collisions) that was never handed out before, case-insensitively.
         */
        private String fresh(java.util.function.IntFunction<String> make) {
            for (int attempt = 0; attempt < 20_000; attempt++) {
                String w = make.apply(attempt / 500);
                if (w.length() >= 3 && used.add(w.toLowerCase())) return w;
            }
            throw new IllegalStateException("ran out of invented names");
        }

        /** A two-syllable capitalized name (cities, rivers, founders). */
        String name() {
            return fresh(extra -> {
                StringBuilder sb = new StringBuilder(simple()).append(simple());
                for (int i = 0; i < extra; i++) sb.append(simple());
                return capitalize(sb.toString());
            });
        }

        String entity() {
            String[] endings = {"", "", "", "ia", "a", "or", "and", "ane", "esh"};
            return fresh(extra -> {
                int n = 2 + (rng.nextInt(3) == 0 ? 1 : 0) + extra;
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) sb.append(syllable(i == 0));
                String e = n == 2 ? pick(endings) : "";
                String base = sb.toString();
                if (!e.isEmpty() && "aeiouy".indexOf(base.charAt(base.length() - 1)) >= 0
                        && "aeiou".indexOf(e.charAt(0)) >= 0) {
                    base = base.substring(0, base.length() - 1);
                }
                return capitalize(base + e);
            });
        }

        String language() {
            String[] suffixes = {"ic", "ish", "ese", "an"};
            return fresh(extra -> {
                StringBuilder stem = new StringBuilder(simple());
                for (int i = 0; i < extra; i++) stem.append(simple());
                while ("aeiou".indexOf(stem.charAt(stem.length() - 1)) >= 0) stem.setLength(stem.length() - 1);
                return stem.length() < 2 ? "" : capitalize(stem + pick(suffixes)); // "" is rejected
            });
        }

        String currency() {
            String[] codas = {"n", "r", "l", "m", "x", "t", "k", "nd"};
            return fresh(extra -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < extra; i++) sb.append(simple());
                return sb + pick(SIMPLE_ONSETS) + pick(SIMPLE_VOWELS) + pick(codas);
            });
        }

        List<Passage> passages(int count) {
            List<Passage> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) out.add(passage());
            return out;
        }

        Passage passage() {
            return passage((r, entity, v) -> {
                String sentence = r.sentence().replace("{E}", entity).replace("{V}", v);
                return new Worded(sentence, r.question().replace("{E}", entity), sentence);
            }, false);
        }

        /** As {@link #passage()}, with a random wording per sentence and question, and the facts shuffled. */
        Passage rcPassage() {
            return passage((r, entity, v) -> {
                List<String> ss = RC_SENTENCES.get(r.name()), qs = RC_QUESTIONS.get(r.name());
                String raw = ss.get(rng.nextInt(ss.size())).replace("{E}", entity).replace("{V}", v);
                String question = qs.get(rng.nextInt(qs.size())).replace("{E}", entity);
                return new Worded(capitalize(raw), question, lowerLead(raw));
            }, true);
        }

        /** A fact's sentence, its question, and the sentence as it reads after a connective. */
        private record Worded(String sentence, String question, String afterConnective) {}

        private interface Wording { Worded of(Relation r, String entity, String value); }

        /** 2–4 facts about one or two entities, worded by {@code wording}; {@code shuffle}: the facts' order too. */
        private Passage passage(Wording wording, boolean shuffle) {
            int nEntities = rng.nextInt(5) < 3 ? 1 : 2;
            int nFacts = 2 + rng.nextInt(3); // 2..4
            List<Fact> facts = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int e = 0; e < nEntities; e++) {
                String entity = entity();
                int mine = nEntities == 1 ? nFacts : (e == 0 ? (nFacts + 1) / 2 : nFacts / 2);
                List<Relation> rels = new ArrayList<>(TEMPLATES);
                for (int k = 0; k < mine; k++) {
                    Relation r = rels.remove(rng.nextInt(rels.size()));
                    String v = r.value().apply(this);
                    Worded w = wording.of(r, entity, v);
                    facts.add(new Fact(entity, r.name(), v, w.sentence(), w.question(), " " + v));
                    if (!text.isEmpty()) text.append(' ');
                    text.append(k > 0 && rng.nextInt(3) == 0 ? connect(w.afterConnective()) : w.sentence());
                }
            }
            if (shuffle) for (int i = facts.size() - 1; i > 0; i--) Collections.swap(facts, i, rng.nextInt(i + 1));
            return new Passage(text.toString(), facts);
        }

        /** "In 1200, …" / "People in …" in lower case after a connective ({@link #connect} lowers "The "). */
        private static String lowerLead(String raw) {
            if (raw.startsWith("In ") || raw.startsWith("People ")) return Character.toLowerCase(raw.charAt(0)) + raw.substring(1);
            return raw;
        }

        /** Light connectives so a passage reads as prose; the fact's own sentence stays plain. */
        private String connect(String sentence) {
            String[] c = {"In addition, ", "Also, ", "Notably, "};
            String w = pick(c);
            if (sentence.startsWith("The ")) return w + "the " + sentence.substring(4);
            return w + sentence;
        }

        private static String capitalize(String s) {
            return Character.toUpperCase(s.charAt(0)) + s.substring(1);
        }
    }
}
