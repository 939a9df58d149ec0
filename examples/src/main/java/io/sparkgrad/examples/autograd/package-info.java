/**
 * The seed notebooks on automatic differentiation, ported to Java line by line.
 *
 * <ul>
 *   <li>{@link io.sparkgrad.examples.autograd.LinearFunctionGrad}: {@code f(x) = w*x + b}:
 *       gradients with respect to the input and to the weights, {@code requires_grad=False},
 *       sens scaling and {@code stop_gradient} (seed {@code 000_056961e8e5bb14b3}).</li>
 *   <li>{@link io.sparkgrad.examples.autograd.AutogradBasics}: the "dive into deep learning"
 *       autograd chapter: {@code 2 x.x}, sums, {@code stop_gradient} in a tuple output, and
 *       differentiating through {@code while}/{@code if} (seed {@code 001_4ce0c32a541f4fc0}).</li>
 *   <li>{@link io.sparkgrad.examples.autograd.MatMulGrad}: {@code MatMul(x*z, y)}: gradients
 *       with respect to an input, a weight, with a sens, and {@code stop_gradient}
 *       (seed {@code 002_15dc511635eb6c2d}).</li>
 * </ul>
 *
 * <p>Each class prints exactly what its notebook displays, in the same order; its
 * {@code lines()} method returns those lines, so tests can compare them without capturing
 * standard output. MindSpore's {@code print(tensor)} is {@code Tensor.str()}, the notebook's bare
 * expression display (the repr) is {@code Tensor.toString()}.
 */
package io.sparkgrad.examples.autograd;
