package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark-submit.sh} rebuilds when the jar is missing or older than a source (a file under a
 * module's {@code src/main}, or a {@code pom.xml}), and not otherwise. The real script runs in a
 * copy of the project's layout, with {@code mvn} and {@code java} replaced by stubs on the PATH that
 * record their calls.
 */
class SparkSubmitScriptTest {
    static final Path REPO = Path.of(System.getProperty("sparkgrad.repo", "..")).toAbsolutePath().normalize();
    static final FileTime OLD = FileTime.fromMillis(1_600_000_000_000L);
    static final FileTime JAR = FileTime.fromMillis(1_700_000_000_000L);
    static final FileTime NEW = FileTime.fromMillis(1_750_000_000_000L);

    @TempDir
    Path root;
    Path jar;
    Path log;

    private static void stub(Path bin, String name, String body) throws Exception {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path file(String rel, FileTime t) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "x");
        Files.setLastModifiedTime(p, t);
        return p;
    }

    @BeforeEach
    void layout() throws Exception {
        Files.copy(REPO.resolve("spark-submit.sh"), root.resolve("spark-submit.sh"));
        Files.createDirectories(root.resolve("conf"));
        try (var files = Files.list(REPO.resolve("conf"))) { // what the script sources and reads
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, root.resolve("conf").resolve(f.getFileName().toString()));
            }
        }
        for (String f : List.of("pom.xml", "driver/pom.xml", "examples/pom.xml", "driver/src/main/java/A.java",
                "worker-engine/src/main/resources/r.txt", "driver/src/test/java/ATest.java")) {
            file(f, OLD);
        }
        jar = file("examples/target/sparkgrad-examples-0.1.0-SNAPSHOT-app.jar", JAR);
        file("examples/target/spark-classpath.txt", JAR);
        log = root.resolve("calls.log");
        Path bin = Files.createDirectories(root.resolve("stub-bin"));
        stub(bin, "mvn", "echo \"mvn $*\" >> '" + log + "'; touch '" + jar + "'");
        stub(bin, "java", "echo java >> '" + log + "'");
    }

    /** Runs the script; returns its stderr. */
    private String submit() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("spark-submit.sh").toString(), "--epochs", "1");
        pb.environment().remove("SPARK_HOME");
        pb.environment().put("PATH", root.resolve("stub-bin") + ":" + System.getenv("PATH"));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return err;
    }

    private List<String> calls() throws Exception {
        List<String> c = Files.readAllLines(log);
        Files.delete(log);
        return c;
    }

    @Test
    void aFreshJarIsNotRebuilt() throws Exception {
        String err = submit();
        assertEquals(List.of("java"), calls(), err);
        file("driver/src/test/java/ATest.java", NEW); // tests and build output are not sources of the jar
        file("examples/target/classes/B.class", NEW);
        submit();
        assertEquals(List.of("java"), calls());
    }

    @Test
    void aSourceNewerThanTheJarRebuildsIt() throws Exception {
        file("driver/src/main/java/A.java", NEW);
        String err = submit();
        assertEquals(List.of("mvn -q -B -DskipTests package", "java"), calls(), err);
        assertTrue(err.contains("driver/src/main/java/A.java is newer than the application jar"), err);
        submit(); // the rebuilt jar is newer than the edit
        assertEquals(List.of("java"), calls());
    }

    @Test
    void aResourceOrAPomNewerThanTheJarRebuildsIt() throws Exception {
        for (String f : List.of("worker-engine/src/main/resources/r.txt", "examples/pom.xml", "pom.xml")) {
            Files.setLastModifiedTime(jar, JAR);
            file(f, NEW);
            String err = submit();
            assertEquals(List.of("mvn -q -B -DskipTests package", "java"), calls(), f + ": " + err);
            assertTrue(err.contains(f + " is newer than the application jar"), err);
            file(f, OLD);
        }
    }

    @Test
    void aMissingJarIsBuilt() throws Exception {
        Files.delete(jar);
        String err = submit(); // the stub mvn "builds" it
        assertEquals(List.of("mvn -q -B -DskipTests package", "java"), calls(), err);
        assertTrue(err.contains("the application jar is missing"), err);
    }
}
