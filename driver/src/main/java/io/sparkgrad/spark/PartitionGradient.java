package io.sparkgrad.spark;

import io.sparkgrad.DType;
import io.sparkgrad.Tensor;
import io.sparkgrad.Value;
import io.sparkgrad.nn.Cell;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The partition side of a step: rebuild the model from its factory, load the broadcast parameter
 * values, and run {@code GradOperation(getByList=true)} of {@code sum_i w_i loss_i} over the
 * step's rows in micro-batches, summing into one {@link GradientSum}. Serializable; holds no
 * Spark types, so it can be tested in a plain loop.
 */
public final class PartitionGradient implements Serializable {
    private static final long serialVersionUID = 1L;

    private final ModelFactory factory;
    private final LossKind loss;
    private final TaskHook hook;
    private final double sens;

    /** {@code sens} is the cotangent of the partition's loss sum (1, or a loss scale). */
    public PartitionGradient(ModelFactory factory, LossKind loss, TaskHook hook, double sens) {
        this.factory = factory;
        this.loss = loss;
        this.hook = hook == null ? TaskHook.NONE : hook;
        this.sens = sens;
    }

    /** The number of parameter values of the factory's model (builds one model). */
    public int dim() {
        return (int) factory.create().trainableParamTuple().numel();
    }

    /**
     * The gradient of {@code sens * sum_i w_i loss_i} over this partition's rows of the step, and
     * the unscaled loss sum; {@code attempt} is the task attempt (for the {@link TaskHook}).
     */
    public GradientSum compute(int partition, Iterator<DataBlock> blocksIt, float[] flatParams, StepPlan plan, int attempt) {
        hook.beforePartition(partition, plan.step(), attempt);
        List<DataBlock> blocks = new ArrayList<>();
        long total = 0;
        while (blocksIt.hasNext()) {
            DataBlock b = blocksIt.next();
            blocks.add(b);
            total += b.rows;
        }
        Cell model = ModelReplica.create(factory, flatParams, true);
        GradientSum sum = GradientSum.empty(flatParams.length);
        if (total == 0) {
            return sum;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("partition " + partition + " holds " + total + " rows; repartition the data");
        }
        int n = (int) total;
        int lo = (int) plan.from(n);
        int hi = (int) plan.to(n);
        int dim = blocks.get(0).dim;
        for (DataBlock blk : blocks) {
            if (blk.dim != dim) {
                throw new IllegalArgumentException("partition " + partition + ": block at row " + blk.firstRow + " has "
                        + blk.dim + " features, the first block has " + dim);
            }
        }
        // the row order and the row index -> (block, row in block) maps only for a shuffled plan;
        // in storage order a row's index is its position (three int arrays per partition and
        // step less: 1.5 MB for a 125k-row partition)
        int[] order = plan.shuffle() ? plan.order(n, partition) : null;
        int[] blockOf = null;
        int[] rowOf = null;
        if (order != null) {
            blockOf = new int[n];
            rowOf = new int[n];
            for (int b = 0, r = 0; b < blocks.size(); b++) {
                for (int i = 0; i < blocks.get(b).rows; i++, r++) {
                    blockOf[r] = b;
                    rowOf[r] = i;
                }
            }
        }
        boolean classify = loss.isClassification();
        GradOperation grad = GradOperation.builder().getByList(true).sensParam(true).hasAux(classify).build();
        DType dtype = Precision.of(model);
        Tensor sensTensor = Tensor.scalar(sens, dtype);
        GradOperation.GradFunction fn = grad.apply(classify ? loss.weightedSumAndOutputs(model) : loss.weightedSum(model),
                model.trainableParamTuple());
        int[] blockStart = new int[blocks.size() + 1];
        for (int b = 0; b < blocks.size(); b++) {
            blockStart[b + 1] = blockStart[b] + blocks.get(b).rows;
        }
        float[] ones = new float[0]; // unit weights, shared by the micro-batches of one size (never written)
        for (int start = lo, m, b = 0; start < hi; start += m) {
            m = Math.min(plan.microBatch(), hi - start);
            float[] x;
            float[] y;
            float[] w;
            if (order == null) {
                // Storage order: a micro-batch stays inside one block and is a slice of its arrays
                // (the block's own arrays, with no copy, when it covers the whole block).
                while (blockStart[b + 1] <= start) {
                    b++;
                }
                DataBlock blk = blocks.get(b);
                m = Math.min(m, blockStart[b + 1] - start);
                int r0 = start - blockStart[b];
                boolean whole = r0 == 0 && m == blk.rows;
                x = whole ? blk.features : Arrays.copyOfRange(blk.features, r0 * dim, (r0 + m) * dim);
                y = whole ? blk.labels : Arrays.copyOfRange(blk.labels, r0, r0 + m);
                if (blk.weights == null) {
                    if (ones.length != m) {
                        ones = new float[m];
                        Arrays.fill(ones, 1f);
                    }
                    w = ones;
                } else {
                    w = whole ? blk.weights : Arrays.copyOfRange(blk.weights, r0, r0 + m);
                }
            } else {
                x = new float[m * dim];
                y = new float[m];
                w = new float[m];
                for (int i = 0; i < m; i++) {
                    int row = order[start + i];
                    DataBlock blk = blocks.get(blockOf[row]);
                    int r = rowOf[row];
                    System.arraycopy(blk.features, r * dim, x, i * dim, dim);
                    y[i] = blk.labels[r];
                    w[i] = (float) blk.weight(r);
                }
            }
            double wsum = 0;
            for (int i = 0; i < m; i++) {
                wsum += w[i];
            }
            GradOperation.ValueAndGrad vg = fn.valueAndGrad(Precision.wrap(x, dtype, m, dim), Precision.wrap(y, dtype, m),
                    Precision.wrap(w, dtype, m), sensTensor);
            float[][] pieces = pieces(vg.grads());
            double lossSum = (classify ? vg.value().get(0) : vg.value()).tensor().item();
            if (classify) {
                Tensor out = vg.value().get(1).tensor();
                sum.addCorrect(loss.countCorrect(out.toFloatArray(), out.rank() == 2 ? out.shape(1) : 1, y, m));
            }
            // the sum checks every value once; the culprit rows are named only if one is not finite
            int rows = m;
            int first = start;
            float[] bx = x;
            float[] by = y;
            sum.add(pieces, lossSum, wsum, m,
                    () -> "partition " + partition + ", " + culprits(model, bx, by, rows, dim, order, first));
        }
        return sum;
    }

    /**
     * The rows of a micro-batch whose loss is not finite (up to 10), by their row index in the
     * partition; only computed on this error path.
     */
    private String culprits(Cell model, float[] x, float[] y, int m, int dim, int[] order, int start) {
        IntUnaryOperator rowIndex = order == null ? i -> i : i -> order[i];
        DType dtype = Precision.of(model);
        Tensor per = Ops.stopGradient(loss.perSample(model.apply(Precision.wrap(x, dtype, m, dim)),
                Precision.wrap(y, dtype, m)));
        StringBuilder rows = new StringBuilder();
        int found = 0;
        for (int i = 0; i < m; i++) {
            if (!Double.isFinite(per.getFlat(i))) {
                if (found < 10) {
                    rows.append(found == 0 ? "" : ",").append(rowIndex.applyAsInt(start + i));
                }
                found++;
            }
        }
        if (found == 0) {
            return "rows " + rowIndex.applyAsInt(start) + ".." + "(" + m + " rows; every loss is finite, the gradient is not)";
        }
        return (found == 1 ? "row " : "rows ") + rows + (found > 10 ? " and " + (found - 10) + " more" : "")
                + " (non-finite loss)";
    }

    /**
     * Each parameter's gradient as float values, in order: a FLOAT32 gradient's own storage (read in
     * place, not copied), a FLOAT64 one rounded. Together they are {@link #flatten}'s layout.
     */
    static float[][] pieces(Value grads) {
        float[][] out = new float[grads.arity()][];
        for (int i = 0; i < out.length; i++) {
            Tensor g = grads.get(i).tensor();
            float[] v = g.dtype() == DType.FLOAT32 ? g.floatStorage() : g.toFloatArray();
            out[i] = v.length == g.size() ? v : java.util.Arrays.copyOf(v, g.size());
        }
        return out;
    }

    /** A tuple of gradient tensors, concatenated in order ({@link #pieces}) into one flat buffer of {@code numel} floats. */
    public static float[] flatten(Value grads, int numel) {
        float[] flat = new float[numel];
        int off = 0;
        for (float[] p : pieces(grads)) {
            System.arraycopy(p, 0, flat, off, p.length);
            off += p.length;
        }
        return flat;
    }
}
