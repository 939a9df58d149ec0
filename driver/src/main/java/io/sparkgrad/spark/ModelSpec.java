package io.sparkgrad.spark;

import io.sparkgrad.nn.Cell;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.ReLU;
import io.sparkgrad.nn.SequentialCell;
import java.util.ArrayList;
import java.util.List;

/**
 * A model described by text, as the command line takes it, and a serializable factory for it:
 * <ul>
 *   <li>{@code logreg}: one Dense layer from the inputs to {@code outputs} logits;</li>
 *   <li>{@code mlp:64,128,10}: Dense layers with ReLU between them; the last number is the
 *       output width.</li>
 * </ul>
 * Layer {@code i} is initialised from {@code seed + i}.
 */
public record ModelSpec(String text, int inputDim, int[] widths, long seed) implements ModelFactory {
    private static final long serialVersionUID = 1L;

    /** Parses {@code spec}; {@code outputs} is the width of {@code logreg}'s single layer. */
    public static ModelSpec parse(String spec, int inputDim, int outputs, long seed) {
        String s = spec.trim();
        if (inputDim <= 0) {
            throw new IllegalArgumentException("model '" + spec + "': input dimension must be positive, got " + inputDim);
        }
        if (s.equals("logreg")) {
            return new ModelSpec(s, inputDim, new int[] {outputs}, seed);
        }
        if (s.startsWith("mlp:")) {
            String[] parts = s.substring(4).split(",");
            int[] widths = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    widths[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("model '" + spec + "': layer width '" + parts[i] + "' is not a number");
                }
                if (widths[i] <= 0) {
                    throw new IllegalArgumentException("model '" + spec + "': layer width " + widths[i] + " must be positive");
                }
            }
            return new ModelSpec(s, inputDim, widths, seed);
        }
        throw new IllegalArgumentException("model '" + spec + "': expected 'logreg' or 'mlp:W1,W2,...,OUT'");
    }

    /** The width of the last layer. */
    public int outputDim() {
        return widths[widths.length - 1];
    }

    @Override
    public Cell create() {
        List<Cell> layers = new ArrayList<>();
        int in = inputDim;
        for (int i = 0; i < widths.length; i++) {
            layers.add(Dense.builder(in, widths[i]).seed(seed + i).build());
            if (i + 1 < widths.length) {
                layers.add(new ReLU());
            }
            in = widths[i];
        }
        return new SequentialCell(layers);
    }

    @Override
    public String toString() {
        return text + " (inputs " + inputDim + ", seed " + seed + ")";
    }
}
