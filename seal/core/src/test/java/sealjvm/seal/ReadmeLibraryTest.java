package sealjvm.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sealjvm.testsupport.Repo;

/** The README's library example, compiled and run as it stands. */
class ReadmeLibraryTest {
    @Test
    void readmeJavaExampleCompilesAndRuns(@TempDir Path tmp) throws Exception {
        String readme = Files.readString(Repo.root().resolve("README.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has a ```java block");
        String source = m.group(1);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the block declares a public class");
        Path src = tmp.resolve(cls.group(1) + ".java"), classes = Files.createDirectories(tmp.resolve("classes"));
        Files.writeString(src, source);
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics,
                "-cp", System.getProperty("java.class.path"), "-d", classes.toString(), src.toString());
        assertEquals(0, rc, "javac: " + diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(cls.group(1)).getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {Repo.root().toString(), tmp.resolve("run").toString()});
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        String before = line(lines, "before: "), after = line(lines, "after: ");
        line(lines, "edited: ");
        assertEquals(before, after, "reverting the edit gives the unedited model's answer again");
        assertTrue(line(lines, "last episode: ").contains("\"episode\":2"), "three training episodes");
        assertTrue(Files.exists(tmp.resolve("run/checkpoint.safetensors")));
    }

    private static String line(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in " + lines)).substring(prefix.length());
    }
}
