package io.sparkgrad.nn;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;

/**
 * A seeded weight initialiser: the same shape and seed always give the same tensor. For a weight
 * of shape {@code [out, in, ...]}, {@code fanIn = in * receptive} and {@code fanOut = out * receptive}.
 */
@FunctionalInterface
public interface Initializer {

    Tensor init(long seed, DType dtype, int... shape);

    /** Zeros. */
    static Initializer zeros() {
        return (seed, dtype, shape) -> Tensor.zeros(dtype, shape);
    }

    /** A constant. */
    static Initializer constant(double value) {
        return (seed, dtype, shape) -> Tensor.full(value, dtype, shape);
    }

    /** Normal(0, sigma). */
    static Initializer normal(double sigma) {
        return (seed, dtype, shape) -> io.sparkgrad.ops.Ops.mul(Tensor.randn(seed, dtype, shape), sigma);
    }

    /** Uniform(-bound, bound). */
    static Initializer uniform(double bound) {
        return (seed, dtype, shape) -> Tensor.uniform(seed, -bound, bound, dtype, shape);
    }

    /**
     * Glorot and Bengio (2010), "Understanding the difficulty of training deep feedforward neural
     * networks": Uniform(-b, b) with {@code b = sqrt(6 / (fanIn + fanOut))}.
     */
    static Initializer xavierUniform() {
        return (seed, dtype, shape) -> {
            int[] f = fans(shape);
            return Tensor.uniform(seed, -Math.sqrt(6.0 / (f[0] + f[1])), Math.sqrt(6.0 / (f[0] + f[1])), dtype, shape);
        };
    }

    /**
     * He et al. (2015), "Delving Deep into Rectifiers": Uniform(-b, b) with
     * {@code b = gain * sqrt(3 / fanIn)}, {@code gain = sqrt(2 / (1 + a^2))}. With
     * {@code a = sqrt(5)} this is the default of PyTorch's and MindSpore's Dense.
     */
    static Initializer heUniform(double a) {
        return (seed, dtype, shape) -> {
            double gain = Math.sqrt(2.0 / (1 + a * a));
            double b = gain * Math.sqrt(3.0 / fans(shape)[0]);
            return Tensor.uniform(seed, -b, b, dtype, shape);
        };
    }

    /** {@code {fanIn, fanOut}} for a weight of shape {@code [out, in, ...]}; a vector has fanIn = fanOut = its length. */
    static int[] fans(int[] shape) {
        if (shape.length == 0) {
            return new int[] {1, 1};
        }
        if (shape.length == 1) {
            return new int[] {shape[0], shape[0]};
        }
        int receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        return new int[] {shape[1] * receptive, shape[0] * receptive};
    }
}
