package io.sparkgrad.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.junit.jupiter.api.Test;

/** The start-up self-test of the Kryo configuration, without a running session. */
class KryoCheckTest {

    @Test
    void theConfiguredSerializerPasses() {
        KryoCheck.verify(new KryoSerializer(KryoCheck.configure(new SparkConf())));
    }

    @Test
    void kryoWithoutOurRegistratorFailsNamingTheClassAndTheFix() {
        SparkConf conf = new SparkConf().set("spark.kryo.registrationRequired", "true");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> KryoCheck.verify(new KryoSerializer(conf)));
        assertTrue(e.getMessage().contains("Kryo self-test failed"), e.getMessage());
        assertTrue(e.getMessage().contains("io.sparkgrad.spark."), e.getMessage()); // the unregistered class
        assertTrue(e.getMessage().contains("spark.kryo.registrator=io.sparkgrad.spark.SparkGradKryoRegistrator"), e.getMessage());
    }

    @Test
    void javaSerializationIsRejected() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KryoCheck.verify(new JavaSerializer(new SparkConf())));
        assertTrue(e.getMessage().contains("needs org.apache.spark.serializer.KryoSerializer"), e.getMessage());
    }
}
