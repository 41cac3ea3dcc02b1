package sealjvm.testsupport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for a child JVM that runs this project's code: the test's own JDK and class path, and the flags every run needs. */
public final class ChildJvm {
    private ChildJvm() {}

    /** The flags every run needs: the Vector API (incubator), FFM native access, and the stack the kernels use. */
    public static final List<String> FLAGS = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m");

    /** The running JDK's {@code java}. */
    public static String java() { return Path.of(System.getProperty("java.home"), "bin", "java").toString(); }

    /** {@code java FLAGS [extraJvmArgs] -cp <this class path> mainClass args...}. */
    public static List<String> command(List<String> extraJvmArgs, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(FLAGS);
        cmd.addAll(extraJvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }
}
