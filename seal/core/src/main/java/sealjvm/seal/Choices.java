package sealjvm.seal;

import java.util.Arrays;
import java.util.List;

/** Options with a fixed set of values, spelled on the command line and in config.json as their {@code toString()}. */
public final class Choices {
    private Choices() {}

    /** The value spelled {@code s}, else one line naming the option, the allowed values and {@code s}. */
    public static <E extends Enum<E>> E parse(E[] values, String option, String s) {
        for (E e : values) if (e.toString().equals(s)) return e;
        throw new IllegalArgumentException(refusal(option, Arrays.stream(values).map(Object::toString).toList(), s));
    }

    /** The one line that refuses {@code s} for {@code option}: "OPTION must be A, B or C, got 'S'". */
    public static String refusal(String option, List<String> allowed, String s) {
        String choices = allowed.size() == 1 ? allowed.getFirst()
                : String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or " + allowed.getLast();
        return option + " must be " + choices + ", got '" + s + "'";
    }
}
