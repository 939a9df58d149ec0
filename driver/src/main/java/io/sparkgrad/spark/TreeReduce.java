package io.sparkgrad.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

/**
 * A tree reduction of per-partition sums whose result does not depend on the order in which
 * tasks finish. Spark's {@code treeAggregate} merges partial results as they arrive, and float
 * addition is not associative, so two runs can differ in the last bits. Here every level groups
 * the partials by {@code index / fanIn} and sums each group in index order; the driver sums the
 * last level in index order. The tree is like {@code treeAggregate}'s: {@code fanIn =
 * ceil(n^(1/depth))}, and a level is added only while it reduces the driver's share, so no more
 * than about {@code fanIn} sums reach the driver.
 */
public final class TreeReduce {
    private TreeReduce() {
    }

    /** Sums {@code partials} (keyed by partition index) through a tree of the given depth. */
    public static GradientSum reduce(JavaPairRDD<Integer, GradientSum> partials, int numPartitions, int depth, int dim) {
        if (depth < 1) {
            throw new IllegalArgumentException("tree depth must be >= 1, got " + depth);
        }
        int n = numPartitions;
        int fanIn = Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
        JavaPairRDD<Integer, GradientSum> level = partials;
        while (n > fanIn + (int) Math.ceil((double) n / fanIn)) {
            n = (int) Math.ceil((double) n / fanIn);
            final int f = fanIn;
            level = level.mapToPair(t -> new Tuple2<>(t._1() / f, t))
                    .groupByKey(new HashPartitioner(n))
                    .mapValues(group -> sumInOrder(group, dim));
        }
        return sumInOrder(level.collect(), dim);
    }

    /** Sums (index, partial) pairs in index order. */
    static GradientSum sumInOrder(Iterable<Tuple2<Integer, GradientSum>> group, int dim) {
        List<Tuple2<Integer, GradientSum>> items = new ArrayList<>();
        group.forEach(items::add);
        items.sort((a, b) -> Integer.compare(a._1(), b._1()));
        GradientSum total = GradientSum.empty(dim);
        for (Tuple2<Integer, GradientSum> t : items) {
            total.merge(t._2());
        }
        return total;
    }
}
