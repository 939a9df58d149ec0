package io.sparkgrad.bench;

import io.sparkgrad.spark.TrainingData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.spark.ml.feature.Instance;
import org.apache.spark.ml.feature.InstanceBlock;
import org.apache.spark.ml.feature.InstanceBlock$;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * Data loading (issue 7, item 5), case {@code g} of {@link MllibSideBySide}: the same rows written
 * once to a Parquet file (label double, features an ml Vector), then, alternating, read into the
 * cached form each side's first training step reads. Ours: {@link TrainingData#fromDataset}
 * (one validation pass: widths, finite values, labels) then {@code cache()}, which materialises
 * the {@code DataBlock}s. MLlib's, as {@code LogisticRegression.train} does before its first
 * iteration: the (label, weight, features) instances persisted, then blockified
 * ({@code InstanceBlock.blokifyWithMaxMemUsage}, 1 MiB) and persisted, and counted. The time is
 * from the read to the cached data, both in this warm JVM; process start is the same for both.
 */
final class ParquetLoad {
    private ParquetLoad() {
    }

    static void run(SparkSession spark, Dataset<Row> rows, int rounds) throws Exception {
        Path dir = Files.createTempDirectory("sparkgrad-parquet-load");
        String path = dir.resolve("rows.parquet").toUri().toString();
        try {
            rows.write().parquet(path);
            SideBySide.alternate("g_parquet_load_to_first_step", rounds, 1, () -> {
                TrainingData d = TrainingData.fromDataset(spark.read().parquet(path), "features", "label", null).cache();
                long n = d.blocks().count();
                d.unpersist();
                return n;
            }, () -> {
                RDD<Instance> inst = spark.read().parquet(path).select("label", "features").javaRDD()
                        .map(r -> new Instance(r.getDouble(0), 1.0, r.<Vector>getAs(1))).rdd()
                        .persist(StorageLevel.MEMORY_AND_DISK());
                RDD<InstanceBlock> blocks = InstanceBlock$.MODULE$.blokifyWithMaxMemUsage(inst, 1L << 20)
                        .persist(StorageLevel.MEMORY_AND_DISK());
                long n = blocks.count();
                blocks.unpersist(true);
                inst.unpersist(true);
                return n;
            });
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
