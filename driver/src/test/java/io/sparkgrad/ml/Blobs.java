package io.sparkgrad.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small synthetic data: Gaussian class blobs around distinct centres, on an unscaled feature range. */
final class Blobs {
    private Blobs() {
    }

    /**
     * {@code rows} rows of {@code classes} blobs in 3 dimensions, centres {@code 4 * class} on
     * feature 0 and {@code -3 * class} on feature 1, feature 2 scaled by 100 (so standardization
     * matters); noise sd 1.
     */
    static Dataset<Row> frame(SparkSession spark, int rows, int classes, long seed, int partitions) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int c = i % classes;
            out.add(RowFactory.create(Vectors.dense(4 * c + r.nextGaussian(), -3 * c + r.nextGaussian(),
                    100 * (c + r.nextGaussian())), (double) c, 1.0 + (i % 3)));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType)
                .add("w", DataTypes.DoubleType);
        return spark.createDataFrame(out, schema).repartition(partitions);
    }

    /** A linear regression target {@code y = 2 x0 - x1 + 0.5 + noise(0.1)} on 2 features. */
    static Dataset<Row> linear(SparkSession spark, int rows, long seed) {
        Random r = new Random(seed);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            double a = r.nextGaussian();
            double b = 10 * r.nextGaussian();
            out.add(RowFactory.create(Vectors.dense(a, b), 2 * a - 0.1 * b + 0.5 + 0.1 * r.nextGaussian()));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(out, schema).coalesce(2);
    }
}
