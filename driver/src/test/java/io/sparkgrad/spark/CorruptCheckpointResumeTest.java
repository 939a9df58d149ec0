package io.sparkgrad.spark;

import io.sparkgrad.spark.CheckpointScenarios.Damage;
import io.sparkgrad.spark.testing.LocalSpark;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Resuming past a corrupt checkpoint on file:// (issue 9, defect 1): the corrupt file is moved
 * aside, so the resumed run can write that step again and finishes. The HDFS cases are in
 * {@link HdfsTest}.
 */
@LocalSpark(master = "local[2]")
class CorruptCheckpointResumeTest {
    @ParameterizedTest
    @EnumSource(Damage.class)
    void oneGoodAndOneCorruptCheckpoint(Damage d, SparkSession spark, @TempDir Path tmp) throws Exception {
        CheckpointScenarios.resumePastACorruptCheckpoint(spark, tmp.resolve("ckpt").toUri().toString(),
                new Configuration(), new long[] {4}, 8, d, 5);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void onlyACorruptCheckpoint(Damage d, SparkSession spark, @TempDir Path tmp) throws Exception {
        CheckpointScenarios.resumePastACorruptCheckpoint(spark, tmp.resolve("ckpt").toUri().toString(),
                new Configuration(), new long[] {}, 4, d, 1);
    }

    @Test
    void aCrashBetweenWriteAndRenameLeavesThePreviousCheckpointToResumeFrom(SparkSession spark, @TempDir Path tmp)
            throws Exception {
        CheckpointScenarios.resumeAfterACrashBetweenWriteAndRename(spark, tmp.resolve("ckpt").toUri().toString(),
                new Configuration());
    }
}
