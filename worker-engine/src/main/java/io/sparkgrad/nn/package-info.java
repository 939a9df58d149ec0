/**
 * Neural-network building blocks, MindSpore's {@code nn} namespace: {@link io.sparkgrad.nn.Cell}
 * (a differentiable function object whose parameters are found in its fields and named
 * hierarchically, e.g. {@code fc1.weight}), layers ({@link io.sparkgrad.nn.Dense},
 * {@link io.sparkgrad.nn.Dropout}, activations, {@link io.sparkgrad.nn.SequentialCell}), losses
 * ({@link io.sparkgrad.nn.LossCell}, {@link io.sparkgrad.nn.WithLossCell}), seeded
 * {@link io.sparkgrad.nn.Initializer}s, and the optimizers ({@link io.sparkgrad.nn.SGD},
 * {@link io.sparkgrad.nn.Adam}, {@link io.sparkgrad.nn.AdamW}) whose state can be exported and
 * restored as an {@link io.sparkgrad.nn.OptimizerState}.
 */
package io.sparkgrad.nn;
