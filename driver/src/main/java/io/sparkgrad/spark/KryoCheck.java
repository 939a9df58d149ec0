package io.sparkgrad.spark;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * The start-up self-test of the Kryo configuration: round-trips a data block and a gradient sum
 * through the session's serializer and fails clearly when Kryo is not in use or a class is not
 * registered, instead of failing later inside a task.
 */
public final class KryoCheck {
    private KryoCheck() {
    }

    /**
     * The Kryo settings SparkGrad needs ({@link SparkGradConf#configure} applies them with the
     * rest of a session's settings): Kryo, registration required, our registrator, and Spark's Kryo
     * pool ({@code spark.kryo.pool}, on by default since Spark 3.0; kept on unless the user set it),
     * so serializer instances borrow a Kryo instead of building one (with every registration) each.
     */
    public static SparkConf configure(SparkConf conf) {
        return conf.setIfMissing("spark.kryo.pool", "true")
                .set("spark.serializer", KryoSerializer.class.getName())
                .set("spark.kryo.registrationRequired", "true")
                .set("spark.kryo.registrator", SparkGradKryoRegistrator.class.getName());
    }

    /** Checks the running session's serializer; throws IllegalStateException naming the problem. */
    public static void verify() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            throw new IllegalStateException("Kryo self-test: no SparkEnv; start a SparkSession first");
        }
        verify(env.serializer());
    }

    /** Checks a serializer: Kryo, and able to round-trip what SparkGrad sends. */
    public static void verify(Serializer serializer) {
        if (!(serializer instanceof KryoSerializer)) {
            throw new IllegalStateException("Kryo self-test: spark.serializer is " + serializer.getClass().getName()
                    + "; SparkGrad needs org.apache.spark.serializer.KryoSerializer (use SparkGradConf.configure(conf))");
        }
        SerializerInstance ser = serializer.newInstance();
        DataBlock block = new DataBlock(3, 17, 2, 2, new float[] {1, 2, 3, 4}, new float[] {0, 1}, new float[] {1, 0.5f});
        GradientSum sum = GradientSum.empty(3).add(new float[] {1, -2, 3}, 0.25, 2, 2, "self-test").addCorrect(1);
        try {
            Tuple2<Integer, GradientSum> back = roundTrip(ser, new Tuple2<>(5, sum));
            DataBlock b2 = roundTrip(ser, block);
            if (back._1() != 5 || back._2().correct() != sum.correct() || back._2().count() != sum.count() || !Arrays.equals(back._2().gradient(), sum.gradient())
                    || !Arrays.equals(b2.features(), block.features()) || !Arrays.equals(b2.weights(), block.weights())) {
                throw new IllegalStateException("Kryo self-test: a round trip changed the data");
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("Kryo self-test failed: " + e.getMessage()
                    + "; set spark.kryo.registrator=" + SparkGradKryoRegistrator.class.getName()
                    + " (SparkGradConf.configure does this)", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(SerializerInstance ser, T value) {
        ByteBuffer buf = ser.serialize(value, ClassTag$.MODULE$.AnyRef());
        return (T) ser.deserialize(buf, ClassTag$.MODULE$.AnyRef());
    }
}
