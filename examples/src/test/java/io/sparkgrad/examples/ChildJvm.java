package io.sparkgrad.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a main class in a child JVM, as {@code spark-submit.sh} runs the CLI: with
 * {@code conf/log4j2.properties}, the add-opens flags and heap of this JVM, and the test rules for
 * Spark (loopback, no UI); its exit code and its whole stdout and stderr.
 */
record ChildJvm(int exit, String out, String err) {
    static final Path REPO = Path.of(System.getProperty("sparkgrad.repo", "..")).toAbsolutePath().normalize();

    /** Runs {@code mainClass} with {@code jvmOptions} and {@code args}; its output goes through files in {@code dir}. */
    static ChildJvm run(Path dir, List<String> jvmOptions, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) { // the add-opens list, -Xmx
            if (a.startsWith("--add-opens") || a.startsWith("-Xmx") || a.startsWith("-Djdk.") || a.startsWith("-Dio.netty")) {
                cmd.add(a);
            }
        }
        cmd.add("-Dlog4j2.configurationFile=file:" + REPO.resolve("conf/log4j2.properties"));
        cmd.add("-Djava.awt.headless=true");
        // The test rules for Spark (surefire sets them for its own JVM only): loopback, no UI.
        cmd.add("-Dspark.ui.enabled=false");
        cmd.add("-Dspark.driver.host=127.0.0.1");
        cmd.add("-Dspark.driver.bindAddress=127.0.0.1");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            assertTrue(false, "the child JVM did not finish: " + cmd);
        }
        return new ChildJvm(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
