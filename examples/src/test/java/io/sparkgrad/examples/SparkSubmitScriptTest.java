package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * module's {@code src/main}, or a {@code pom.xml}), and not otherwise; {@code --verbose} (or
 * {@code -v}) and {@code SPARKGRAD_VERBOSE=1} give the JVM the options that turn Spark's task-failure
 * logs back on ({@link CliProcessTest} shows what they do). The real script runs in a copy of the
 * project's layout, with {@code mvn} and {@code java} replaced by stubs on the PATH that record
 * their calls (and java its arguments).
 */
class SparkSubmitScriptTest {
    /** What verbose adds to the JVM's options, read by {@code conf/log4j2.properties}. */
    static final List<String> VERBOSE_OPTIONS = List.of("-Dsparkgrad.taskLog=warn", "-Dsparkgrad.userErrorLog=NEUTRAL");

    static final Path REPO = Path.of(System.getProperty("sparkgrad.repo", "..")).toAbsolutePath().normalize();
    static final FileTime OLD = FileTime.fromMillis(1_600_000_000_000L);
    static final FileTime JAR = FileTime.fromMillis(1_700_000_000_000L);
    static final FileTime NEW = FileTime.fromMillis(1_750_000_000_000L);

    @TempDir
    Path root;
    Path jar;
    Path log;
    Path javaArgs;

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
        javaArgs = root.resolve("java-args.txt");
        Path bin = Files.createDirectories(root.resolve("stub-bin"));
        stub(bin, "mvn", "echo \"mvn $*\" >> '" + log + "'; touch '" + jar + "'");
        stub(bin, "java", "echo java >> '" + log + "'; printf '%s\\n' \"$@\" > '" + javaArgs + "'");
    }

    /** Runs the script with {@code --epochs 1}; returns its stderr. */
    private String submit() throws Exception {
        return submit(java.util.Map.of(), "--epochs", "1");
    }

    /** Runs the script with {@code args} and the extra environment {@code env}; returns its stderr. */
    private String submit(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("spark-submit.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("SPARK_HOME");
        pb.environment().remove("SPARKGRAD_VERBOSE");
        pb.environment().putAll(env);
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

    /** The stub java's arguments of the last run. */
    private List<String> javaArgs() throws Exception {
        return Files.readAllLines(javaArgs);
    }

    /** The value of spark-submit's {@code --conf key=...} in {@code args}. */
    private static String conf(List<String> args, String key) {
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--conf") && args.get(i + 1).startsWith(key + "=")) {
                return args.get(i + 1).substring(key.length() + 1);
            }
        }
        throw new AssertionError("no --conf " + key + " in " + args);
    }

    /** The JVM's own options: the arguments before the main class. */
    private static List<String> jvmOptions(List<String> args) {
        int main = args.indexOf("org.apache.spark.deploy.SparkSubmit");
        assertTrue(main > 0, args.toString());
        return args.subList(0, main);
    }

    /** The application's arguments: those after the application jar. */
    private List<String> appArgs(List<String> args) {
        return args.subList(args.indexOf(jar.toString()) + 1, args.size());
    }

    private void assertVerbose(boolean verbose, String how) throws Exception {
        List<String> args = javaArgs();
        for (String o : VERBOSE_OPTIONS) {
            assertEquals(verbose, jvmOptions(args).contains(o), how + ": " + o + " among the JVM's options " + args);
            for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
                assertEquals(verbose, List.of(conf(args, key).split(" ")).contains(o), how + ": " + o + " in " + key);
            }
        }
        assertEquals(List.of("--epochs", "1"), appArgs(args), how + ": the application's arguments");
    }

    @Test
    void withoutVerboseTheTaskLogsStayOff() throws Exception {
        submit();
        assertVerbose(false, "no verbose");
        assertFalse(javaArgs().contains("--verbose"));
        submit(java.util.Map.of("SPARKGRAD_VERBOSE", "0"), "--epochs", "1");
        assertVerbose(false, "SPARKGRAD_VERBOSE=0");
        assertTrue(conf(javaArgs(), "spark.driver.extraJavaOptions").contains("-Dlog4j2.configurationFile=file:"
                + root.resolve("conf/log4j2.properties")), javaArgs().toString());
    }

    @Test
    void verboseOrSparkgradVerboseTurnsTheTaskLogsOn() throws Exception {
        for (String flag : List.of("--verbose", "-v")) {
            submit(java.util.Map.of(), flag, "--epochs", "1");
            assertVerbose(true, flag);
            List<String> args = javaArgs();
            // spark-submit's own --verbose too: given to SparkSubmit, before the jar, not to the application
            assertTrue(args.indexOf(flag) > args.indexOf("org.apache.spark.deploy.SparkSubmit")
                    && args.indexOf(flag) < args.indexOf(jar.toString()), args.toString());
        }
        submit(java.util.Map.of("SPARKGRAD_VERBOSE", "1"), "--epochs", "1");
        assertVerbose(true, "SPARKGRAD_VERBOSE=1");
        assertFalse(javaArgs().contains("--verbose"), javaArgs().toString());
    }

    /** Whether the last run gave the driver JVM 4 MiB G1 regions, checked on both of its paths. */
    private boolean regionFlagGiven() throws Exception {
        List<String> args = javaArgs();
        boolean jvm = jvmOptions(args).contains(REGION);
        boolean conf = List.of(conf(args, "spark.driver.extraJavaOptions").split(" ")).contains(REGION);
        assertEquals(jvm, conf, "the JVM's options and spark.driver.extraJavaOptions agree: " + args);
        assertFalse(conf(args, "spark.executor.extraJavaOptions").contains("G1HeapRegionSize"),
                "executors get theirs from SparkGradConf: " + args);
        return jvm;
    }

    static final String REGION = "-XX:G1HeapRegionSize=4m";

    @Test
    void aLocalMasterWithASmallHeapGetsFourMibRegions() throws Exception {
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx2g"), "--epochs", "1");
        assertTrue(regionFlagGiven(), "local[2] by default, 2 GB heap");
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx8191m"), "--master", "local[*]", "--epochs", "1");
        assertTrue(regionFlagGiven(), "local[*], 8191 MiB");
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx16g"), "--driver-memory", "1G", "--master", "local",
                "--epochs", "1");
        assertTrue(regionFlagGiven(), "--driver-memory after -Xmx decides");
    }

    @Test
    void aNamedRegionSizeALargeHeapOrAClusterMasterKeepTheirRegions() throws Exception {
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx2g -XX:G1HeapRegionSize=16m"), "--epochs", "1");
        assertFalse(regionFlagGiven(), "a size in SPARKGRAD_JAVA_OPTS");
        assertTrue(jvmOptions(javaArgs()).contains("-XX:G1HeapRegionSize=16m"), javaArgs().toString());
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx2g"), "--driver-java-options",
                "-XX:G1HeapRegionSize=2m", "--epochs", "1");
        assertFalse(regionFlagGiven(), "a size in --driver-java-options");
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx8g"), "--epochs", "1");
        assertFalse(regionFlagGiven(), "an 8 GiB heap");
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx2g"), "--conf", "spark.driver.memory=12g", "--epochs", "1");
        assertFalse(regionFlagGiven(), "spark.driver.memory=12g");
        submit(java.util.Map.of("SPARKGRAD_JAVA_OPTS", "-Xmx2g"), "--master", "spark://127.0.0.1:7077", "--epochs", "1");
        assertFalse(regionFlagGiven(), "a cluster master: the tasks run in executors");
    }
}
