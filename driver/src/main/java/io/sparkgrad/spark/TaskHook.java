package io.sparkgrad.spark;

import java.io.Serializable;

/**
 * Called in each task before it computes its partition's gradient: a place for monitoring, and
 * for tests to inject faults (throwing on a first attempt to check that a retried task's
 * gradient counts exactly once).
 */
@FunctionalInterface
public interface TaskHook extends Serializable {
    void beforePartition(int partition, long step, int attempt);

    TaskHook NONE = (partition, step, attempt) -> { };
}
