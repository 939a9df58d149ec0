package io.sparkgrad.examples;

import io.sparkgrad.ml.Standardization;
import io.sparkgrad.spark.DataLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The bundled Breast Cancer Wisconsin (Diagnostic) data set (569 rows, 30 features, label last:
 * 0 malignant, 1 benign; UCI, CC BY 4.0): a fixed seeded 80/20 split, features standardised with
 * the training rows' mean and standard deviation (applied to both parts).
 */
final class BreastCancer {
    static final String RESOURCE = "io/sparkgrad/examples/data/breast_cancer.csv";
    static final long SPLIT_SEED = 42;

    /** Standardised training and test rows. */
    record Split(DataLoader.Loaded train, DataLoader.Loaded test) {
    }

    private BreastCancer() {
    }

    /** Loads, splits 80/20 with {@link #SPLIT_SEED}, puts the training rows in {@code partitions} partitions and standardises. */
    static Split load(SparkSession spark, int partitions) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        DataLoader.Loaded all;
        try {
            all = DataLoader.fromLines(sc, Train.bundled(RESOURCE), "classpath:" + RESOURCE, DataLoader.Format.CSV,
                    DataLoader.Options.defaults().withHeader(true), partitions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataLoader.Loaded[] split = all.split(new double[] {0.8, 0.2}, SPLIT_SEED);
        DataLoader.Loaded train = split[0].repartition(partitions);
        DataLoader.Loaded test = split[1];
        Standardization z = Standardization.fit(train.samples(), all.dim());
        return new Split(
                new DataLoader.Loaded(z.apply(train.samples()).cache(), train.dim(), train.source(), false),
                new DataLoader.Loaded(z.apply(test.samples()).cache(), test.dim(), test.source(), false));
    }
}
