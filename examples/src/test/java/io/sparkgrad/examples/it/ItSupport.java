package io.sparkgrad.examples.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Paths and process helpers for the integration tests (set by failsafe in examples/pom.xml). */
final class ItSupport {
    private ItSupport() {
    }

    static Path repo() {
        return Paths.get(System.getProperty("sparkgrad.repo", "..")).toAbsolutePath().normalize();
    }

    static Path appJar() {
        return Paths.get(System.getProperty("sparkgrad.appJar"));
    }

    /**
     * A SPARK_HOME whose {@code jars/} links to the Maven-resolved Spark jars: a standalone Worker
     * builds executor command lines from it. Idempotent.
     */
    static Path sparkHome() throws IOException {
        Path home = Paths.get(System.getProperty("sparkgrad.sparkHome"));
        Path jars = home.resolve("jars");
        Files.createDirectories(jars);
        String cp = Files.readString(Paths.get(System.getProperty("sparkgrad.classpathFile")), StandardCharsets.UTF_8).strip();
        for (String e : cp.split(":")) {
            if (e.endsWith(".jar")) {
                Path link = jars.resolve(Paths.get(e).getFileName());
                if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(link, Paths.get(e));
                }
            }
        }
        return home;
    }

    /** The output of a finished process. */
    record Run(int exit, String stdout, String stderr) {
    }

    /** Starts a command in the repository with loopback settings; output goes to the given files. */
    static Process start(Path out, Path err, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_HOME");
        return pb.start();
    }

    /** Runs a command to completion (at most {@code seconds}). */
    static Run run(Path dir, int seconds, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = start(out, err, command);
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + seconds + " s; stderr:\n"
                    + tail(Files.readString(err)));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static String tail(String s) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
