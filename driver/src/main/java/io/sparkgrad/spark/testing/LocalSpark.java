package io.sparkgrad.spark.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a loopback local {@code SparkSession} (Kryo configured for SparkGrad, no UI,
 * bound to 127.0.0.1), injected as a test or lifecycle method parameter:
 * <pre>{@code
 * @LocalSpark(master = "local[2]")
 * class MyModelTest {
 *     @Test void trains(SparkSession spark) { ... }
 * }
 * }</pre>
 * One session is shared by all classes asking for the same master and settings; Spark allows one
 * context per JVM, so a class asking for another master or other settings stops the current one
 * first.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(LocalSparkExtension.class)
public @interface LocalSpark {
    /** The master, e.g. {@code local[2]} or {@code local[2,4]} (4 attempts per task). */
    String master() default "local[2]";

    /**
     * Extra Spark settings as {@code key=value}, applied over the defaults, e.g.
     * {@code "spark.kryo.registrationRequired=false"} for a test that also runs Spark MLlib
     * (whose classes SparkGrad's Kryo registrator does not list).
     */
    String[] conf() default {};
}
