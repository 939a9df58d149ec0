package io.sparkgrad.examples.autograd;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs a main method with {@code System.out} captured, and returns what it printed, by line. */
final class Stdout {
    private Stdout() {
    }

    interface Main {
        void run(String[] args) throws Exception;
    }

    static List<String> linesOf(Main main) throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            main.run(new String[0]);
        } finally {
            System.setOut(saved);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        if (!text.endsWith(System.lineSeparator())) {
            throw new AssertionError("the output does not end with a line break: " + text);
        }
        String[] lines = text.split(System.lineSeparator(), -1);
        return List.of(lines).subList(0, lines.length - 1); // drop the empty text after the last break
    }

    /** The notebook JSON stored in the seeds collapsed every run of spaces into one. */
    static String collapseSpaces(String s) {
        return s.replaceAll(" {2,}", " ");
    }
}
