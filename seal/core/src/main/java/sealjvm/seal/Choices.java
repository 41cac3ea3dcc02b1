package sealjvm.seal;

import java.util.Arrays;

/** Options with a fixed set of values, spelled on the command line and in config.json as their {@code toString()}. */
public final class Choices {
    private Choices() {}

    /** The value spelled {@code s}, else one line naming the option, the allowed values and {@code s}. */
    public static <E extends Enum<E>> E parse(E[] values, String option, String s) {
        for (E e : values) if (e.toString().equals(s)) return e;
        String[] names = Arrays.stream(values).map(Object::toString).toArray(String[]::new);
        String allowed = names.length == 1 ? names[0]
                : String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
        throw new IllegalArgumentException(option + " must be " + allowed + ", got '" + s + "'");
    }
}
