package io.sparkgrad.spark;

import io.sparkgrad.nn.Cell;
import java.io.Serializable;

/**
 * Builds the model on every executor. It is shipped with each task, so it must be serializable and
 * cheap; the parameters' initial values do not matter on executors (the broadcast overwrites them)
 * but the parameter list must be the same everywhere: same cells, same order.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {
    Cell create();
}
