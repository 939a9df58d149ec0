package io.sparkgrad.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Sessions for local runs and tests: SparkGrad's settings ({@link SparkGradConf}), and bound to loopback only
 * ({@code spark.driver.host} and {@code spark.driver.bindAddress} 127.0.0.1), so nothing listens on
 * another interface. On a cluster, spark-submit's own settings apply instead.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /** A loopback session with the given master (e.g. {@code local[2]}, {@code local[2,4]}); no UI. */
    public static SparkSession local(String master, String appName) {
        return local(master, appName, Map.of());
    }

    /** As {@link #local(String, String)}, with {@code extra} settings applied over the defaults. */
    public static SparkSession local(String master, String appName, Map<String, String> extra) {
        SparkConf conf = SparkGradConf.configure(new SparkConf())
                .setMaster(master)
                .setAppName(appName)
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.sql.adaptive.enabled", "false");
        extra.forEach(conf::set);
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
