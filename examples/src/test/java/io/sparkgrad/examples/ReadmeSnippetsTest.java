package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every Java snippet in README.md, as printed: each is compiled against the project's classpath
 * (a snippet that is not a whole compilation unit fails here), then run in its own JVM from the
 * repository root, with the {@code --add-opens} flags the README tells users to set; every
 * {@code // prints: <line>} comment must match a line of its output, in order. The XML snippet
 * must parse and name this project's artifacts and Spark version.
 */
class ReadmeSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```(java|xml)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("^public class (\\w+)", Pattern.MULTILINE);
    private static final Pattern PRINTS = Pattern.compile("// prints: (.*)$", Pattern.MULTILINE);

    @TempDir
    static Path work;
    static Path repo;
    static List<String> javaSnippets = new ArrayList<>();
    static List<String> xmlSnippets = new ArrayList<>();

    @BeforeAll
    static void readAndCompile() throws IOException {
        repo = Path.of(System.getProperty("sparkgrad.repo", "..")).toAbsolutePath().normalize();
        Matcher m = BLOCK.matcher(Files.readString(repo.resolve("README.md")));
        while (m.find()) {
            (m.group(1).equals("java") ? javaSnippets : xmlSnippets).add(m.group(2));
        }
        Path src = Files.createDirectories(work.resolve("src"));
        List<String> files = new ArrayList<>();
        for (String code : javaSnippets) {
            Path f = src.resolve(className(code) + ".java");
            Files.writeString(f, code);
            files.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        java.io.ByteArrayOutputStream diagnostics = new java.io.ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-classpath", System.getProperty("java.class.path"),
                "-d", work.resolve("classes").toString(), "-Xlint:none"));
        args.addAll(files);
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(new String[0]));
        assertEquals(0, rc, "a README snippet does not compile as printed:\n" + diagnostics.toString(StandardCharsets.UTF_8));
    }

    private static String className(String code) {
        Matcher c = CLASS.matcher(code);
        if (!c.find()) {
            fail("a README Java snippet is not a whole file with a public class:\n" + code);
        }
        return c.group(1);
    }

    @Test
    void theReadmeHasTheSnippetsThisTestRuns() {
        List<String> names = javaSnippets.stream().map(ReadmeSnippetsTest::className).toList();
        assertEquals(List.of("QuickStart", "DigitsPipeline", "DigitsTrainer", "OwnCellLbfgs"), names);
        assertEquals(1, xmlSnippets.size());
    }

    @TestFactory
    Stream<DynamicTest> eachJavaSnippetRunsAndPrintsWhatItSays() {
        return javaSnippets.stream().map(code -> DynamicTest.dynamicTest(className(code), () -> runAndCheck(code)));
    }

    private static void runAndCheck(String code) throws Exception {
        String name = className(code);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(addOpens());
        cmd.addAll(List.of("-Xmx1g", "-Dlog4j2.configurationFile=" + repo.resolve("conf/log4j2.properties").toUri(),
                "-cp", work.resolve("classes") + java.io.File.pathSeparator + System.getProperty("java.class.path"), name));
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).directory(repo.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(name + " did not finish in 5 minutes");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), name + " failed:\n" + printed + "\n" + tail(Files.readString(err)));
        List<String> lines = Arrays.asList(printed.split("\\R"));
        Matcher claim = PRINTS.matcher(code);
        int from = 0;
        int claims = 0;
        while (claim.find()) {
            String expected = claim.group(1).strip();
            int at = lines.subList(from, lines.size()).indexOf(expected);
            assertTrue(at >= 0, name + ": the README says it prints '" + expected + "'; it printed:\n" + printed);
            from += at + 1;
            claims++;
        }
        assertTrue(claims > 0, name + " has no // prints: line to check");
    }

    private static String tail(String s) {
        String[] l = s.split("\\R");
        return String.join("\n", Arrays.copyOfRange(l, Math.max(0, l.length - 40), l.length));
    }

    /** The one list of JVM flags, as conf/java17-add-opens.properties gives it. */
    private static List<String> addOpens() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(repo.resolve("conf/java17-add-opens.properties"))) {
            p.load(r);
        }
        return List.of(p.getProperty("sparkgrad.addOpens").trim().split("\\s+"));
    }

    @Test
    void theMavenSnippetNamesThisProjectAndItsSparkVersion() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        Document readme = f.newDocumentBuilder().parse(new org.xml.sax.InputSource(new java.io.StringReader(xmlSnippets.get(0))));
        Document pom = f.newDocumentBuilder().parse(repo.resolve("pom.xml").toFile());
        String version = text(pom.getDocumentElement(), "version");
        String spark = text((Element) pom.getElementsByTagName("properties").item(0), "spark.version");
        String scala = text((Element) pom.getElementsByTagName("properties").item(0), "scala.binary.version");
        NodeList deps = readme.getElementsByTagName("dependency");
        assertEquals(2, deps.getLength());
        Element driver = (Element) deps.item(0);
        assertEquals("io.sparkgrad", text(driver, "groupId"));
        assertEquals("sparkgrad-driver", text(driver, "artifactId"));
        assertTrue(Files.exists(repo.resolve("driver/pom.xml")));
        assertEquals(version, text(driver, "version"));
        Element sparkDep = (Element) deps.item(1);
        assertEquals("spark-mllib_" + scala, text(sparkDep, "artifactId"));
        assertEquals(spark, text(sparkDep, "version"));
        assertEquals("provided", text(sparkDep, "scope"));
    }

    private static String text(Element parent, String tag) {
        NodeList l = parent.getElementsByTagName(tag);
        for (int i = 0; i < l.getLength(); i++) {
            if (l.item(i).getParentNode() == parent) {
                return l.item(i).getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + tag + "> directly in <" + parent.getTagName() + ">");
    }
}
