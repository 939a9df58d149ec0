package io.sparkgrad.spark.checkpoint;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.nn.Adam;
import io.sparkgrad.nn.Dense;
import io.sparkgrad.nn.Optimizer;
import java.util.ArrayList;
import java.util.List;

/** A small real model and optimizer for checkpoint tests. */
final class CheckpointTestSupport {
    private CheckpointTestSupport() {
    }

    static final class Model {
        final Dense dense;
        final ParameterTuple params;
        final Optimizer opt;

        Model(int in, int out, long seed) {
            dense = Dense.builder(in, out).seed(seed).build();
            params = dense.trainableParamTuple();
            opt = Adam.builder(params, 0.01).build();
        }

        /** Deterministic gradients for step {@code k}. */
        List<Tensor> grads(int k) {
            List<Tensor> g = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                g.add(Tensor.randn(1000L * k + i, params.get(i).shape()));
            }
            return g;
        }

        Model trained(int steps) {
            for (int k = 1; k <= steps; k++) {
                opt.step(grads(k));
            }
            return this;
        }

        Checkpoint checkpoint(long step, int epoch) {
            return Checkpoint.of(step, epoch, 42L, "dense:" + params.get(0).shape()[1] + "->" + params.get(0).shape()[0],
                    params, opt.exportState());
        }
    }
}
