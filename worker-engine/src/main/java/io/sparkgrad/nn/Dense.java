package io.sparkgrad.nn;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.Tensor;
import io.sparkgrad.ops.Ops;
import java.util.Objects;

/**
 * A fully connected layer, MindSpore's {@code nn.Dense}: {@code y = x W^T + b} with {@code W} of
 * shape {@code [out, in]} (parameter {@code weight}) and {@code b} of shape {@code [out]}
 * ({@code bias}). Defaults follow MindSpore 2.x: weight {@link Initializer#heUniform HeUniform(sqrt 5)},
 * bias Uniform(+-1/sqrt(in)). Initialisation is seeded: build with {@code Dense.builder(in, out).seed(s)}.
 */
public final class Dense extends Cell {
    private final Parameter weight;
    private final Parameter bias;
    private final Cell activation;
    private final int in;
    private final int out;

    private Dense(Builder b) {
        this.in = b.in;
        this.out = b.out;
        Initializer wi = b.weightInit != null ? b.weightInit : Initializer.heUniform(Math.sqrt(5));
        Initializer bi = b.biasInit != null ? b.biasInit : Initializer.uniform(1 / Math.sqrt(b.in));
        this.weight = new Parameter(wi.init(b.seed, b.dtype, b.out, b.in), "weight");
        this.bias = b.hasBias ? new Parameter(bi.init(b.seed ^ 0x9E3779B97F4A7C15L, b.dtype, b.out), "bias") : null;
        this.activation = b.activation;
    }

    /** A Dense layer with default initialisers and seed 0. */
    public Dense(int in, int out) {
        this(builder(in, out));
    }

    public static Builder builder(int in, int out) {
        return new Builder(in, out);
    }

    /** Configuration for a {@link Dense} layer. */
    public static final class Builder {
        private final int in;
        private final int out;
        private long seed;
        private boolean hasBias = true;
        private Initializer weightInit;
        private Initializer biasInit;
        private Cell activation;
        private DType dtype = DType.FLOAT32;

        private Builder(int in, int out) {
            if (in <= 0 || out <= 0) {
                throw new IllegalArgumentException("Dense: in and out must be positive, got " + in + " -> " + out);
            }
            this.in = in;
            this.out = out;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder hasBias(boolean v) {
            hasBias = v;
            return this;
        }

        public Builder weightInit(Initializer v) {
            weightInit = Objects.requireNonNull(v);
            return this;
        }

        public Builder biasInit(Initializer v) {
            biasInit = Objects.requireNonNull(v);
            return this;
        }

        /** An activation cell applied after the affine map (e.g. {@code new ReLU()}). */
        public Builder activation(Cell v) {
            activation = v;
            return this;
        }

        public Builder dtype(DType v) {
            dtype = Objects.requireNonNull(v);
            return this;
        }

        public Dense build() {
            return new Dense(this);
        }
    }

    @Override
    public Tensor construct(Tensor... inputs) {
        Tensor x = inputs[0];
        if (x.rank() < 1 || x.shape(-1) != in) {
            throw new IllegalArgumentException("Dense(" + in + " -> " + out + "): input of shape "
                    + java.util.Arrays.toString(x.shape()) + " does not end in " + in + " features");
        }
        Tensor y = x.rank() == 1
                ? Ops.reshape(Ops.matmul(Ops.reshape(x, 1, in), weight, false, true), out)
                : Ops.matmul(x, weight, false, true);
        if (bias != null) {
            y = Ops.add(y, bias);
        }
        return activation == null ? y : activation.apply(y);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }
}
