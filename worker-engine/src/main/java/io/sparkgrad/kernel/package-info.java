/**
 * The numeric kernels behind the primitives, free of any graph or gradient logic. Each takes and
 * returns plain tensors; {@code io.sparkgrad.ops.Primitives} pairs each with its gradient rule.
 * Every input check names the op and the shapes.
 * <ul>
 *   <li>{@link io.sparkgrad.kernel.Elementwise}: unary and binary maps with NumPy broadcasting,
 *       comparisons, where, cast (its FLOAT32 loops in {@code FloatLoops});</li>
 *   <li>{@link io.sparkgrad.kernel.Fused}: relu and its VJP, sigmoid, logSoftmax, the sparse
 *       softmax cross-entropy and BCE with logits, each one pass with no Bool mask;</li>
 *   <li>{@link io.sparkgrad.kernel.Reductions}: sum and max over axes;</li>
 *   <li>{@link io.sparkgrad.kernel.MatMul}: batched products, dispatched to the GEMM backends
 *       behind the {@link io.sparkgrad.kernel.Blas} interface (a pure-Java kernel for small
 *       products and as a fallback, the machine's BLAS or bytedeco's OpenBLAS through netlib's
 *       JNIBLAS with no copy, or bytedeco's OpenBLAS through JavaCPP with copies);</li>
 *   <li>{@link io.sparkgrad.kernel.Movement}: reshape, transpose, broadcast, slice, pad, concat,
 *       gather, oneHot.</li>
 * </ul>
 * Shape arithmetic and the shared n-d index walk are in {@code io.sparkgrad.shape}.
 */
package io.sparkgrad.kernel;
