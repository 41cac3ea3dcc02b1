package sealjvm.bindings;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Main class of the child JVM that {@link CudaEmulator#runInChildJvm} starts: runs the JUnit classes
 * named on the command line and prints one line per test (and per failed container):
 * {@code PREFIX STATUS \t Class.method \t base64(message)}.
 */
public final class EmulatorChildMain {
    static final String PREFIX = "@@seal-cuda-emulator-result ";

    private EmulatorChildMain() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(args).map(DiscoverySelectors::selectClass).toList())
                .filters(EngineFilter.includeEngines("junit-jupiter"))
                .build();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    String message = result.getThrowable().map(EmulatorChildMain::describe).orElse("");
                    report(result.getStatus().name(), id, message);
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                report("SKIPPED", id, reason);
            }
        });
        System.out.flush();
    }

    private static String describe(Throwable t) {
        var out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private static void report(String status, TestIdentifier id, String message) {
        String name = id.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> (MethodSource) s)
                .map(m -> m.getJavaClass().getSimpleName() + "." + m.getMethodName())
                .orElse(id.getDisplayName());
        System.out.println(PREFIX + status + "\t" + name + "\t"
                + Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8)));
    }
}
