package io.sparkgrad.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.spark.ModelFactory;
import io.sparkgrad.spark.ModelSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** transform's per-partition work: one engine call per block of 1024 rows, rows kept in order. */
class BlockScorerTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    /** A model that counts its forward passes. */
    static final class Counting extends Cell {
        final Cell inner;

        Counting(Cell inner) {
            this.inner = inner;
        }

        @Override
        public Value construct(Tensor... inputs) {
            CALLS.incrementAndGet();
            return inner.construct(inputs);
        }
    }

    @Test
    void scoresOneBlockPerEngineCallAndKeepsTheRowsInOrder() {
        ModelSpec spec = ModelSpec.parse("mlp:5,3", 4, 3, 9);
        ModelFactory counting = () -> new Counting(spec.create());
        float[] w = spec.create().trainableParamTuple().flatten();
        BlockScorer scorer = new BlockScorer(counting, w, Standardization.identity(4), BlockScorer.Kind.SOFTMAX, LabelScale.IDENTITY);
        BlockScorer reference = new BlockScorer(spec, w, Standardization.identity(4), BlockScorer.Kind.SOFTMAX, LabelScale.IDENTITY);
        Random r = new Random(1);
        List<Row> in = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            in.add(RowFactory.create("row" + i, Vectors.dense(r.nextGaussian(), r.nextGaussian(), r.nextGaussian(),
                    r.nextGaussian())));
        }
        CALLS.set(0);
        Iterator<Row> out = scorer.scoreRows(in.iterator(), 1, true, true, true);
        int n = 0;
        while (out.hasNext()) {
            Row row = out.next();
            assertEquals(5, row.length());
            assertEquals("row" + n, row.getString(0));
            assertSame(in.get(n).get(1), row.get(1));
            Vector raw = row.getAs(2);
            BlockScorer.Scored one = reference.score(new Vector[] {row.getAs(1)}, 1)[0];
            for (int j = 0; j < 3; j++) {
                assertEquals(one.raw().apply(j), raw.apply(j), 1e-5 * (1 + Math.abs(raw.apply(j))));
            }
            assertEquals(raw.argmax(), (int) row.getDouble(4));
            n++;
        }
        assertEquals(2500, n);
        // ceil(2500 / 1024) = 3 engine calls for 2500 rows, and a lazy iterator: no call for an empty input
        assertEquals(3, CALLS.get());
        assertFalse(scorer.scoreRows(new ArrayList<Row>().iterator(), 1, true, true, true).hasNext());
        assertEquals(3, CALLS.get());
    }
}
