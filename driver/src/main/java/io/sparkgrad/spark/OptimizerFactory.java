package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Optimizer;

/** Builds the optimizer over the driver's parameters; runs on the driver only. */
@FunctionalInterface
public interface OptimizerFactory {
    Optimizer create(ParameterTuple params);
}
