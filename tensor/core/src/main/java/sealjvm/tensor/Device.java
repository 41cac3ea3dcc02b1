package sealjvm.tensor;

import java.util.Locale;

/** Where a model computes: the CPU (Vector API kernels) or a CUDA GPU. Spelled in lower case on the command line. */
public enum Device {
    CPU, CUDA;

    /** Parses {@code cpu|cuda}, naming the bad value otherwise. */
    public static Device parse(String s) {
        for (Device d : values()) if (d.toString().equals(s)) return d;
        throw new IllegalArgumentException("--device must be cpu or cuda, got '" + s + "'");
    }

    @Override
    public String toString() { return name().toLowerCase(Locale.ROOT); }
}
