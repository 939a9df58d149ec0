package io.sparkgrad.examples.autograd;

import io.sparkgrad.Tensor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text a notebook shows, collected line by line: {@link #print} is Python's {@code print}
 * (arguments joined by one space; a {@link Tensor} shown by {@code str()}, NumPy style), and
 * {@link #display} is the value a cell ending in a bare expression shows (its repr).
 */
final class Transcript {
    private final List<String> lines = new ArrayList<>();

    /** Python's {@code print(a, b, ...)}. */
    void print(Object... parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(parts[i] instanceof Tensor ? ((Tensor) parts[i]).str() : String.valueOf(parts[i]));
        }
        add(sb.toString());
    }

    /** A cell's displayed result: the repr text. */
    void display(String repr) {
        add(repr);
    }

    private void add(String text) {
        lines.addAll(List.of(text.split("\n", -1)));
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * Writes {@code lines} to {@code System.out} as UTF-8, whatever the platform charset, so the
     * notebooks' Chinese labels survive a POSIX locale.
     */
    static void printAll(List<String> lines) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        lines.forEach(out::println);
        out.flush();
    }
}
