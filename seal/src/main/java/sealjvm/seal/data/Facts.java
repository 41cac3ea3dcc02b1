package sealjvm.seal.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
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
                    String sentence = r.sentence().replace("{E}", entity).replace("{V}", v);
                    facts.add(new Fact(entity, r.name(), v, sentence, r.question().replace("{E}", entity), " " + v));
                    if (!text.isEmpty()) text.append(' ');
                    text.append(k > 0 && rng.nextInt(3) == 0 ? connect(sentence) : sentence);
                }
            }
            return new Passage(text.toString(), facts);
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
