/**
 * The numeric kernels behind the primitives, free of any graph or gradient logic:
 * {@link io.sparkgrad.kernel.Kernels} (elementwise maps with NumPy broadcasting, reductions,
 * matmul, data movement; every input check names the op and the shapes),
 * {@code io.sparkgrad.shape.Shapes} (shape arithmetic and broadcasting rules) and the GEMM
 * backends behind the {@link io.sparkgrad.kernel.Blas} interface: a pure-Java kernel, used for
 * small products and as a fallback, and bytedeco's OpenBLAS when its natives load.
 */
package io.sparkgrad.kernel;
