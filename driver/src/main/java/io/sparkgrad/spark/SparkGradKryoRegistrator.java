package io.sparkgrad.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers everything SparkGrad sends over the wire, for {@code spark.kryo.registrationRequired=true}:
 * the cached {@link DataBlock}s, the partial {@link GradientSum}s, the tuples they travel in and the
 * flat primitive arrays they hold, and the Spark SQL schema types of the data sets we read. Payloads
 * are flat arrays, never object graphs.
 */
public final class SparkGradKryoRegistrator implements KryoRegistrator {
    /**
     * The classes of {@link #SQL_TYPES}, looked up once per class loader rather than by name in
     * every new Kryo instance (Spark makes one per pooled serializer instance; see KryoCheck).
     */
    private static final ClassValue<List<Class<?>>> SQL_CLASSES = new ClassValue<>() {
        @Override
        protected List<Class<?>> computeValue(Class<?> anchor) {
            List<Class<?>> out = new java.util.ArrayList<>();
            for (String name : SQL_TYPES) {
                try {
                    out.add(Class.forName(name, false, anchor.getClassLoader()));
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("SparkGradKryoRegistrator: Spark SQL type " + name + " is missing", e);
                }
            }
            return List.copyOf(out);
        }
    };

    /** Every class of a Spark SQL schema: the structure, the containers and the atomic types. */
    static final List<String> SQL_TYPES = List.of(
            "org.apache.spark.sql.types.StructType", "[Lorg.apache.spark.sql.types.StructType;",
            "org.apache.spark.sql.types.StructField", "[Lorg.apache.spark.sql.types.StructField;",
            "org.apache.spark.sql.types.Metadata",
            "org.apache.spark.sql.types.ArrayType", "org.apache.spark.sql.types.MapType",
            "org.apache.spark.sql.types.DecimalType", "org.apache.spark.sql.types.CharType",
            "org.apache.spark.sql.types.VarcharType", "org.apache.spark.sql.types.StringType",
            "org.apache.spark.sql.types.StringType$", "org.apache.spark.sql.types.BooleanType$",
            "org.apache.spark.sql.types.ByteType$", "org.apache.spark.sql.types.ShortType$",
            "org.apache.spark.sql.types.IntegerType$", "org.apache.spark.sql.types.LongType$",
            "org.apache.spark.sql.types.FloatType$", "org.apache.spark.sql.types.DoubleType$",
            "org.apache.spark.sql.types.BinaryType$", "org.apache.spark.sql.types.DateType$",
            "org.apache.spark.sql.types.TimestampType$", "org.apache.spark.sql.types.TimestampNTZType$",
            "org.apache.spark.sql.types.NullType$", "org.apache.spark.sql.types.CalendarIntervalType$",
            "org.apache.spark.sql.types.DayTimeIntervalType", "org.apache.spark.sql.types.YearMonthIntervalType");

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
        // Spark SQL's data types: reading Parquet runs a job whose tasks return the files' schemas
        // (StructType), so every type a column can have must be registered, not only those
        // Spark registers itself (an array<float> features column needs ArrayType and FloatType).
        for (Class<?> c : SQL_CLASSES.get(SparkGradKryoRegistrator.class)) {
            kryo.register(c);
        }
        kryo.register(DataBlock.class);
        kryo.register(DataBlock[].class);
        kryo.register(GradientSum.class, new GradientSumSerializer());
        kryo.register(GradientSum[].class);
        kryo.register(Sample.class);
        kryo.register(Sample[].class);
        kryo.register(TrainingData.Check.class);
        kryo.register(TrainingData.Check[].class);
        kryo.register(Evaluator.Metrics.class);
        kryo.register(Evaluator.Metrics[].class);
        kryo.register(RegressionMetrics.class);
        kryo.register(RegressionMetrics[].class);
    }

    /**
     * A {@link GradientSum} on the wire: its sealed float32 values (an open sum is sealed first,
     * so the double accumulator never travels and is never lost), loss, weight, count and the
     * non-finite note. Written field by field, without reflection.
     */
    static final class GradientSumSerializer extends Serializer<GradientSum> {
        @Override
        public void write(Kryo kryo, Output out, GradientSum s) {
            float[] v = s.sealedValues();
            out.writeInt(v.length, true);
            out.writeFloats(v);
            out.writeDouble(s.loss());
            out.writeDouble(s.weight());
            out.writeLong(s.count());
            out.writeString(s.nonFinite());
        }

        @Override
        public GradientSum read(Kryo kryo, Input in, Class<GradientSum> type) {
            int n = in.readInt(true);
            float[] v = in.readFloats(n);
            double loss = in.readDouble();
            double weight = in.readDouble();
            long count = in.readLong();
            return GradientSum.of(v, loss, weight, count, in.readString());
        }
    }
}
