package io.sparkgrad.nn;

import io.sparkgrad.Tensor;
import java.util.Objects;

/** MindSpore's {@code nn.WithLossCell}: {@code construct(data, label) = loss(backbone(data), label)}. */
public final class WithLossCell extends Cell {
    private final Cell backbone;
    private final Cell loss;

    public WithLossCell(Cell backbone, Cell loss) {
        this.backbone = Objects.requireNonNull(backbone);
        this.loss = Objects.requireNonNull(loss);
    }

    @Override
    public Tensor construct(Tensor... inputs) {
        if (inputs.length != 2) {
            throw new IllegalArgumentException("WithLossCell: expects (data, label), got " + inputs.length + " inputs");
        }
        return loss.apply(backbone.apply(inputs[0]), inputs[1]);
    }

    public Cell backbone() {
        return backbone;
    }
}
