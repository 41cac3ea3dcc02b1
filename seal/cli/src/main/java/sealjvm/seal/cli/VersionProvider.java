package sealjvm.seal.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** {@code --version}: the project version from the pom, written into version.properties when Maven copies the resources. */
final class VersionProvider implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    /** The project version, e.g. 0.1.0-SNAPSHOT. */
    static String version() {
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path (build with ./mvnw)");
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.startsWith("${")) throw new IllegalStateException(RESOURCE + " has no filtered version (build with ./mvnw)");
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String[] getVersion() { return new String[] {"seal " + version()}; }
}
