package io.sparkgrad.spark;

import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.Cell;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The one way a distributed job gets the driver's model onto its tasks: the driver broadcasts the
 * flat parameters for the job and destroys the broadcast when the job is done
 * ({@link #withBroadcast}); each task rebuilds the model from its factory and loads them
 * ({@link #create}). Used by the gradient ({@link DistributedGradient}, {@link PartitionGradient})
 * and by evaluation ({@link Evaluator}).
 */
final class ModelReplica {
    private ModelReplica() {
    }

    /**
     * Broadcasts {@code params}, runs {@code job} (on the driver; it starts the Spark jobs that read
     * the broadcast) and destroys the broadcast, also when the job fails, without waiting for its
     * blocks to be removed.
     */
    static <T> T withBroadcast(JavaSparkContext sc, float[] params, Function<Broadcast<float[]>, T> job) {
        return withBroadcast(sc, params, false, job);
    }

    /**
     * As {@link #withBroadcast(JavaSparkContext, float[], Function)}; with {@code waitForRemoval}
     * the broadcast's blocks are gone from every block manager, the driver's included, when this
     * returns. {@code Broadcast.destroy()} only asks for the removal: measured in local mode with
     * 40 MB of parameters, the driver still held the serialised pieces right after it in 9 of 10
     * steps (none 300 ms later), so a next step's broadcast could share the driver's heap with
     * them (one more gradient size). Waiting costs a round trip to every block manager, so only
     * large broadcasts wait ({@link DistributedGradient}'s large path). The waiting form,
     * {@code destroy(true)}, is {@code private[spark]} in Scala and public to Java.
     */
    static <T> T withBroadcast(JavaSparkContext sc, float[] params, boolean waitForRemoval,
                               Function<Broadcast<float[]>, T> job) {
        Broadcast<float[]> bc = sc.broadcast(params);
        try {
            return job.apply(bc);
        } finally {
            bc.destroy(waitForRemoval);
        }
    }

    /**
     * A fresh model from {@code factory} holding the parameter values {@code flat} (in the layout
     * of {@link ParameterTuple#flatten()}), in training or eval mode.
     *
     * @throws IllegalStateException if the factory's model has a different number of parameter values
     */
    static Cell create(ModelFactory factory, float[] flat, boolean train) {
        Cell model = factory.create();
        ParameterTuple params = model.trainableParamTuple();
        if (params.numel() != flat.length) {
            throw new IllegalStateException("the model built on this executor has " + params.numel()
                    + " parameter values but the driver broadcast " + flat.length
                    + "; the ModelFactory must build the same model everywhere");
        }
        params.load(flat);
        model.setTrain(train);
        return model;
    }
}
