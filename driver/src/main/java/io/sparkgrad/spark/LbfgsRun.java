package io.sparkgrad.spark;

import breeze.linalg.DenseVector;
import breeze.linalg.DenseVector$;
import breeze.math.MutableFiniteCoordinateField;
import breeze.optimize.DiffFunction;
import breeze.optimize.FirstOrderMinimizer;
import breeze.optimize.LBFGS;
import breeze.optimize.OWLQN;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.nn.OptimizerState;
import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scala.Option;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.immutable.IndexedSeq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One L-BFGS (or OWL-QN) run of Breeze's minimiser over a {@link LossFunction}, in MLlib's manner
 * ({@code RDDLossFunction} behind a cached {@code DiffFunction}): Breeze works on double vectors,
 * each evaluation rounds the point to the float parameters and calls
 * {@link LossFunction#calculate} once (one broadcast, one tree-reduced pass over every row). The
 * last evaluation is cached, so Breeze's re-evaluation of the point its line search accepted costs
 * nothing.
 *
 * <p>The minimiser's whole state (point, value, gradient, the correction pairs, the iteration and
 * the convergence check's memory of past values) converts to and from an {@link OptimizerState},
 * so it goes into the ordinary checkpoint and a resumed run continues exactly where it stopped.
 * Slots: {@code x}, {@code grad}, {@code adjustedGrad} (double vectors), {@code values}
 * ({@code value, adjustedValue, initialAdjustedValue}), {@code s/i} and {@code y/i} (the i-th
 * step and gradient-change pair, oldest first), {@code info/k} (the k-th convergence check's
 * value history, where it keeps one).
 *
 * <p>Not thread-safe; one per {@link DataParallelTrainer#fit} call.
 */
final class LbfgsRun {
    private static final MutableFiniteCoordinateField<DenseVector<Object>, Object, Object> SPACE =
            DenseVector$.MODULE$.space_Double();

    private final Lbfgs settings;
    private final FirstOrderMinimizer<DenseVector<Object>, DiffFunction<DenseVector<Object>>> minimizer;
    private final Objective f;

    LbfgsRun(Lbfgs settings, LossFunction loss, ParameterTuple params, int microBatch) {
        this.settings = settings;
        this.f = new Objective(loss, microBatch);
        if (settings.owlqn()) {
            double[] l1 = l1PerCoordinate(params, settings);
            scala.Function1<Object, Object> reg = i -> l1[(Integer) i];
            this.minimizer = new OWLQN<Object, DenseVector<Object>>(settings.maxIter(), settings.memory(), reg,
                    settings.tolerance(), SPACE);
        } else {
            this.minimizer = new LBFGS<>(settings.maxIter(), settings.memory(), settings.tolerance(), SPACE);
        }
    }

    /** lambda for each coordinate of the flat parameter vector: {@code l1} where selected, else 0. */
    private static double[] l1PerCoordinate(ParameterTuple params, Lbfgs s) {
        List<String> names = params.names();
        int total = 0;
        for (int i = 0; i < params.size(); i++) {
            total += params.get(i).size();
        }
        double[] l1 = new double[total];
        boolean any = false;
        for (int i = 0, off = 0; i < params.size(); i++) {
            int n = params.get(i).size();
            if (s.l1Params().test(names.get(i))) {
                java.util.Arrays.fill(l1, off, off + n, s.l1());
                any = true;
            }
            off += n;
        }
        if (!any) {
            throw new IllegalArgumentException("owlqn: no trainable parameter name is selected for the L1 term; "
                    + "the names are " + names);
        }
        return l1;
    }

    /** The state at {@code x0}, iteration 0: one evaluation. */
    FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> start(float[] x0) {
        return minimizer.iterations(f.asBreeze, vector(toDouble(x0))).next();
    }

    /**
     * The states after {@code s}, one per iteration; stops by itself at convergence
     * ({@link #converged}) only if the caller checks.
     */
    Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> after(
            FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s) {
        Iterator<FirstOrderMinimizer.State<DenseVector<Object>, Object, Object>> it = minimizer.infiniteIterations(f.asBreeze, s);
        it.next(); // Iterator.iterate starts with the seed itself
        return it;
    }

    /** Why the minimiser stops at {@code s} (Breeze's convergence check), or null to go on. */
    String converged(FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Option<FirstOrderMinimizer.ConvergenceReason> r =
                ((FirstOrderMinimizer.ConvergenceCheck) minimizer.convergenceCheck()).apply(s, s.convergenceInfo());
        return r.isEmpty() ? null : r.get().reason();
    }

    /**
     * The step (iteration number) the following evaluations belong to: their {@link StepPlan}'s
     * step, which task hooks and job descriptions see; every plan uses all rows in storage order.
     */
    void atStep(long step) {
        f.step = step;
    }

    /** The last evaluation the objective made (that of the latest accepted point). */
    LossFunction.Evaluation lastEvaluation() {
        return f.lastEvaluation;
    }

    /** The point of {@code s} as float parameters. */
    static float[] parameters(FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s) {
        double[] x = toArray(s.x());
        float[] p = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            p[i] = (float) x[i];
        }
        return p;
    }

    static double norm(DenseVector<Object> v) {
        double sum = 0;
        for (double d : toArray(v)) {
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    // ---- the checkpointed state -----------------------------------------------------------------

    /** {@code s} as an {@link OptimizerState} of kind {@link Lbfgs#kind()}. */
    OptimizerState export(FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s) {
        Map<String, double[]> slots = new LinkedHashMap<>();
        slots.put("x", toArray(s.x()));
        slots.put("grad", toArray(s.grad()));
        slots.put("adjustedGrad", toArray(s.adjustedGradient()));
        slots.put("values", new double[] {s.value(), s.adjustedValue(), s.initialAdjVal()});
        @SuppressWarnings("unchecked")
        LBFGS.ApproximateInverseHessian<DenseVector<Object>> h =
                (LBFGS.ApproximateInverseHessian<DenseVector<Object>>) s.history();
        List<DenseVector<Object>> steps = CollectionConverters.asJava(h.memStep());
        List<DenseVector<Object>> deltas = CollectionConverters.asJava(h.memGradDelta());
        for (int i = 0; i < steps.size(); i++) {
            slots.put("s/" + i, toArray(steps.get(i)));
            slots.put("y/" + i, toArray(deltas.get(i)));
        }
        exportInfo(s.convergenceInfo(), "info", slots);
        return new OptimizerState(settings.kind(), s.iter(), Double.NaN, slots);
    }

    /** The minimiser's state from a checkpoint's {@link OptimizerState}, checked against this run. */
    FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> restore(OptimizerState st, int numel) {
        if (!st.kind().equals(settings.kind())) {
            throw new IllegalArgumentException("the checkpoint holds " + st.kind() + " optimizer state; this run uses "
                    + settings.kind());
        }
        double[] x = st.slot("x");
        double[] values = st.slot("values");
        if (x.length != numel || values.length != 3) {
            throw new IllegalArgumentException(st.kind() + " state: x has " + x.length + " values, the model has "
                    + numel + "; values has " + values.length + " of 3");
        }
        List<DenseVector<Object>> steps = new ArrayList<>();
        List<DenseVector<Object>> deltas = new ArrayList<>();
        for (int i = 0; st.slotNames().contains("s/" + i); i++) {
            steps.add(vector(checked(st, "s/" + i, numel)));
            deltas.add(vector(checked(st, "y/" + i, numel)));
        }
        if (steps.size() > settings.memory()) {
            throw new IllegalArgumentException(st.kind() + " state holds " + steps.size()
                    + " correction pairs, more than this run's memory " + settings.memory());
        }
        LBFGS.ApproximateInverseHessian<DenseVector<Object>> history = new LBFGS.ApproximateInverseHessian<>(
                settings.memory(), seq(steps), seq(deltas), SPACE);
        Object info = importInfo(minimizer.convergenceCheck().initialInfo(), "info", st);
        @SuppressWarnings("unchecked")
        FirstOrderMinimizer.State<DenseVector<Object>, Object, Object> s = new FirstOrderMinimizer.State<>(
                vector(x), values[0], vector(checked(st, "grad", numel)), values[1],
                vector(checked(st, "adjustedGrad", numel)), Math.toIntExact(st.step()), values[2], history, info,
                false, Option.empty());
        return s;
    }

    private static double[] checked(OptimizerState st, String slot, int numel) {
        double[] v = st.slot(slot);
        if (v.length != numel) {
            throw new IllegalArgumentException(st.kind() + " state: slot " + slot + " has " + v.length
                    + " values, the model has " + numel);
        }
        return v;
    }

    /**
     * The convergence check's memory: Breeze combines checks with {@code ||} into nested
     * sequences, one element per check: {@code ()} for a stateless check, a sequence of doubles
     * for one that remembers past values ({@code FunctionValuesConverged}). Each such sequence is
     * the slot named by its path, e.g. {@code info/0/1}.
     */
    private static void exportInfo(Object info, String path, Map<String, double[]> slots) {
        if (!(info instanceof scala.collection.Seq<?> seq)) {
            return; // a stateless check: ()
        }
        List<?> items = CollectionConverters.asJava(seq);
        if (isValues(items)) {
            double[] d = new double[items.size()];
            for (int j = 0; j < d.length; j++) {
                d[j] = (Double) items.get(j);
            }
            slots.put(path, d);
            return;
        }
        for (int k = 0; k < items.size(); k++) {
            exportInfo(items.get(k), path + "/" + k, slots);
        }
    }

    /** {@code initial} (this run's fresh memory) with each value sequence replaced by the slot of its path. */
    private static Object importInfo(Object initial, String path, OptimizerState st) {
        if (!(initial instanceof scala.collection.Seq<?> seq)) {
            return initial;
        }
        List<?> items = CollectionConverters.asJava(seq);
        List<Object> out = new ArrayList<>();
        if (isValues(items)) {
            if (!st.slotNames().contains(path)) {
                throw new IllegalArgumentException(st.kind() + " state has no slot " + path
                        + " for this run's convergence check; it has " + st.slotNames());
            }
            for (double d : st.slot(path)) {
                out.add(d);
            }
        } else {
            for (int k = 0; k < items.size(); k++) {
                out.add(importInfo(items.get(k), path + "/" + k, st));
            }
        }
        return seq(out);
    }

    private static boolean isValues(List<?> items) {
        return !items.isEmpty() && items.stream().allMatch(v -> v instanceof Double);
    }

    private static <T> IndexedSeq<T> seq(List<T> items) {
        return CollectionConverters.asScala(items).toIndexedSeq();
    }

    // ---- vectors ------------------------------------------------------------------------------

    private static DenseVector<Object> vector(double[] d) {
        return DenseVector$.MODULE$.apply$mDc$sp(d);
    }

    private static double[] toArray(DenseVector<Object> v) {
        double[] out = new double[v.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.apply$mcD$sp(i);
        }
        return out;
    }

    private static double[] toDouble(float[] p) {
        double[] d = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = p[i];
        }
        return d;
    }

    /**
     * {@code o} as Breeze's {@code DiffFunction}, its one abstract method {@code calculate}
     * implemented by {@code o.calculate}.
     *
     * <p>Java source cannot implement or extend it: the trait inherits {@code Object apply(T)} from
     * {@code Function1[T, Double]} and declares {@code double apply(T)}, and its operator methods
     * from {@code NumericOps} are generic in the trait but erased in every Scala class; javac
     * rejects a class implementing the trait (the two {@code apply}s) and one extending a Scala
     * class that does ({@code CachedDiffFunction}: the operators), and
     * {@link java.lang.reflect.Proxy} refuses the two return types too. The JVM does not mind, so
     * the class is made as a lambda's is, by {@link LambdaMetafactory}: every method of the trait
     * that Breeze's minimisers call ({@code calculate}, and the defaults {@code valueAt},
     * {@code gradientAt}, {@code apply} returning double, {@code cached}) works; the erased
     * {@code Function1.apply(Object)}, for which Scala writes a bridge into each class, is absent,
     * so using this function as a generic Scala {@code Function1} would fail.
     */
    @SuppressWarnings("unchecked")
    private static DiffFunction<DenseVector<Object>> diffFunction(Objective o) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle impl = lookup.findVirtual(Objective.class, "calculate",
                    MethodType.methodType(Tuple2.class, DenseVector.class));
            CallSite site = LambdaMetafactory.metafactory(lookup, "calculate",
                    MethodType.methodType(DiffFunction.class, Objective.class),
                    MethodType.methodType(Tuple2.class, Object.class), impl,
                    MethodType.methodType(Tuple2.class, DenseVector.class));
            return (DiffFunction<DenseVector<Object>>) site.getTarget().invoke(o);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot make the L-BFGS objective a Breeze DiffFunction: " + t, t);
        }
    }

    /**
     * The objective for Breeze: the point rounded to float, one {@link LossFunction#calculate},
     * the gradient widened to double; the last point and its result are cached, as MLlib caches
     * its {@code RDDLossFunction} in a {@code CachedDiffFunction}. {@link #asBreeze} is the same
     * function as Breeze's {@code DiffFunction}.
     */
    private static final class Objective {
        private final LossFunction loss;
        private final int microBatch;
        final DiffFunction<DenseVector<Object>> asBreeze;
        private long step;
        private float[] lastPoint;
        private LossFunction.Evaluation lastEvaluation;

        Objective(LossFunction loss, int microBatch) {
            this.loss = loss;
            this.microBatch = microBatch;
            this.asBreeze = diffFunction(this);
        }

        Tuple2<Object, DenseVector<Object>> calculate(DenseVector<Object> x) {
            double[] d = toArray(x);
            float[] p = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                p[i] = (float) d[i];
            }
            if (lastPoint == null || !java.util.Arrays.equals(lastPoint, p)) {
                LossFunction.Evaluation e = loss.calculate(p, new StepPlan(step, 0, 0, 1, 0, false, microBatch));
                if (!e.usable()) {
                    throw new NonFiniteStepException("L-BFGS: the objective is not usable at the point evaluated: "
                            + e.problem());
                }
                lastPoint = p;
                lastEvaluation = e;
            }
            float[] g = lastEvaluation.gradient();
            double[] gd = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                gd[i] = g[i];
            }
            return new Tuple2<>(lastEvaluation.objective(), vector(gd));
        }
    }
}
