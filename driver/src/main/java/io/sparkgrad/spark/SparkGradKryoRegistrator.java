package io.sparkgrad.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers everything SparkGrad sends over the wire, for {@code spark.kryo.registrationRequired=true}:
 * the cached {@link DataBlock}s, the partial {@link GradientSum}s, the tuples they travel in and the
 * flat primitive arrays they hold. Payloads are flat arrays, never object graphs.
 */
public final class SparkGradKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(float[].class);
        kryo.register(double[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(Object[].class);
        kryo.register(String.class);
        kryo.register(java.util.ArrayList.class); // lists of rows handed to parallelize
        kryo.register(scala.Tuple2.class);
        kryo.register(scala.Tuple2[].class);
        // Spark ML's vector types, which appear in the schemas of DataFrames we read and write.
        kryo.register(org.apache.spark.ml.linalg.VectorUDT.class);
        kryo.register(org.apache.spark.ml.linalg.DenseVector.class);
        kryo.register(org.apache.spark.ml.linalg.SparseVector.class);
        kryo.register(DataBlock.class);
        kryo.register(DataBlock[].class);
        kryo.register(GradientSum.class);
        kryo.register(GradientSum[].class);
        kryo.register(Sample.class);
        kryo.register(Sample[].class);
        kryo.register(TrainingData.Check.class);
        kryo.register(TrainingData.Check[].class);
        kryo.register(Evaluator.Metrics.class);
        kryo.register(Evaluator.Metrics[].class);
    }
}
