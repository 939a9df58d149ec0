/**
 * Gradient verification: {@link io.sparkgrad.check.GradientChecker} compares the engine's
 * gradients of any function or cell, with respect to its inputs and parameters, against central
 * finite differences in Float64, contracting the outputs with a seeded random cotangent so that
 * one check covers every output element. Applied to a function that itself calls a
 * {@code GradOperation}, it checks second derivatives.
 */
package io.sparkgrad.check;
