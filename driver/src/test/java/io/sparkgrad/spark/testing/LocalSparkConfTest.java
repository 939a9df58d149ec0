package io.sparkgrad.spark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sparkgrad.spark.KryoCheck;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** {@code @LocalSpark(conf = ...)}: the settings reach the session, over SparkGrad's defaults. */
@LocalSpark(master = "local[2]", conf = {"spark.kryo.registrationRequired=false", "spark.sparkgrad.test.marker = yes"})
class LocalSparkConfTest {

    @Test
    void extraSettingsAreAppliedOverTheDefaults(SparkSession spark) {
        SparkConf conf = spark.sparkContext().getConf();
        assertEquals("false", conf.get("spark.kryo.registrationRequired"));
        assertEquals("yes", conf.get("spark.sparkgrad.test.marker"));
        assertEquals("127.0.0.1", conf.get("spark.driver.bindAddress"));
        KryoCheck.verify(); // still Kryo, with SparkGrad's registrator
    }
}
