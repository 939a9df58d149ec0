package io.sparkgrad.check;

import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import io.sparkgrad.ops.Fn;
import io.sparkgrad.ops.GradOperation;
import io.sparkgrad.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares the engine's gradients with central finite differences, in Float64, for any function
 * or Cell. The function's outputs are contracted with a fixed random cotangent {@code r} (seeded),
 * {@code L(x) = sum_k <r_k, f_k(x)>}, so one check covers every output element: the analytic side
 * is {@code GradOperation(getAll, sensParam)} with sens {@code r}, the numeric side is
 * {@code (L(x + h e_j) - L(x - h e_j)) / 2h} for every element j of every input (and parameter).
 * An element passes when {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 *
 * <p>Second derivatives: check a function that itself calls a GradOperation.
 *
 * <pre>{@code
 * GradientChecker.Report r = GradientChecker.builder().build().check(xs -> Ops.tanh(xs[0]), x);
 * r.assertPassed();
 * }</pre>
 */
public final class GradientChecker {
    private final double step;
    private final double rtol;
    private final double atol;
    private final long seed;

    private GradientChecker(Builder b) {
        this.step = b.step;
        this.rtol = b.rtol;
        this.atol = b.atol;
        this.seed = b.seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings: step {@code h} (default 1e-6), tolerances (default rtol 1e-5, atol 1e-6), cotangent seed. */
    public static final class Builder {
        private double step = 1e-6;
        private double rtol = 1e-5;
        private double atol = 1e-6;
        private long seed = 7;

        public Builder step(double v) {
            step = v;
            return this;
        }

        public Builder rtol(double v) {
            rtol = v;
            return this;
        }

        public Builder atol(double v) {
            atol = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public GradientChecker build() {
            return new GradientChecker(this);
        }
    }

    /** One compared element. */
    public record Mismatch(String where, int index, double analytic, double numeric) {
    }

    /** The outcome of a check. */
    public static final class Report {
        private final int checked;
        private final double maxAbsError;
        private final List<Mismatch> mismatches;

        Report(int checked, double maxAbsError, List<Mismatch> mismatches) {
            this.checked = checked;
            this.maxAbsError = maxAbsError;
            this.mismatches = List.copyOf(mismatches);
        }

        public boolean passed() {
            return mismatches.isEmpty() && checked > 0;
        }

        public int checked() {
            return checked;
        }

        public double maxAbsError() {
            return maxAbsError;
        }

        public List<Mismatch> mismatches() {
            return mismatches;
        }

        /** Throws an AssertionError listing the first mismatches when the check failed. */
        public void assertPassed() {
            if (!passed()) {
                throw new AssertionError(toString());
            }
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("gradient check: " + checked + " elements, max |error| " + maxAbsError);
            if (checked == 0) {
                sb.append(", nothing to check");
            }
            for (int i = 0; i < Math.min(10, mismatches.size()); i++) {
                Mismatch m = mismatches.get(i);
                sb.append("\n  ").append(m.where()).append('[').append(m.index()).append("]: analytic ")
                        .append(m.analytic()).append(", numeric ").append(m.numeric());
            }
            if (mismatches.size() > 10) {
                sb.append("\n  ... ").append(mismatches.size() - 10).append(" more");
            }
            return sb.toString();
        }
    }

    /** Checks the gradient of {@code fn} with respect to every input (inputs are cast to Float64). */
    public Report check(Fn fn, Tensor... inputs) {
        return run(fn, null, inputs);
    }

    /**
     * Checks the gradient with respect to every input and every parameter of {@code params}
     * (Float64 parameters, e.g. a Dense built with {@code dtype(DType.FLOAT64)}). Parameters are
     * perturbed in place and restored.
     */
    public Report checkParams(Fn fn, ParameterTuple params, Tensor... inputs) {
        for (Parameter p : params) {
            if (p.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException("gradient check needs Float64 parameters; '" + p.name() + "' is " + p.dtype());
            }
        }
        return run(fn, params, inputs);
    }

    private Report run(Fn fn, ParameterTuple params, Tensor[] rawInputs) {
        Tensor[] x = new Tensor[rawInputs.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Ops.cast(Ops.stopGradient(rawInputs[i]), DType.FLOAT64).copy();
        }
        Value out = fn.call(x);
        Value sens = cotangent(out, new long[] {seed});
        Value[] args = new Value[x.length + 1];
        System.arraycopy(x, 0, args, 0, x.length);
        args[x.length] = sens;
        boolean byList = params != null;
        List<Tensor> analytic = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Tensor> perturbed = new ArrayList<>();
        if (x.length > 0) {
            GradOperation op = new GradOperation(true, byList, true);
            Value g = (byList ? op.apply(fn, params) : op.apply(fn)).call(args);
            Value inGrads = byList ? g.get(0) : g;
            for (int i = 0; i < x.length; i++) {
                analytic.add(inGrads.get(i).tensor());
                names.add("input " + i);
                perturbed.add(x[i]);
            }
            if (byList) {
                addParams(g.get(1), params, analytic, names, perturbed);
            }
        } else if (byList) {
            addParams(new GradOperation(false, true, true).apply(fn, params).call(args), params, analytic, names, perturbed);
        }
        int checked = 0;
        double maxErr = 0;
        List<Mismatch> bad = new ArrayList<>();
        for (int t = 0; t < perturbed.size(); t++) {
            double[] data = perturbed.get(t).doubleStorage();
            Tensor a = analytic.get(t);
            for (int j = 0; j < data.length; j++) {
                double orig = data[j];
                data[j] = orig + step;
                double up = contract(fn.call(x), sens);
                data[j] = orig - step;
                double down = contract(fn.call(x), sens);
                data[j] = orig;
                double numeric = (up - down) / (2 * step);
                double an = a.getFlat(j);
                double err = Math.abs(an - numeric);
                checked++;
                maxErr = Math.max(maxErr, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
                if (!(err <= atol + rtol * Math.abs(numeric))) {
                    bad.add(new Mismatch(names.get(t), j, an, numeric));
                }
            }
        }
        return new Report(checked, maxErr, bad);
    }

    private static void addParams(Value g, ParameterTuple params, List<Tensor> analytic, List<String> names,
                                  List<Tensor> perturbed) {
        for (int i = 0; i < params.size(); i++) {
            analytic.add(g.get(i).tensor());
            names.add("parameter '" + params.get(i).name() + "'");
            perturbed.add(params.get(i));
        }
    }

    private static Value cotangent(Value out, long[] seed) {
        if (out.isTuple()) {
            List<Value> items = new ArrayList<>();
            for (int i = 0; i < out.arity(); i++) {
                items.add(cotangent(out.get(i), seed));
            }
            return Tuple.of(items);
        }
        Tensor o = out.tensor();
        if (o.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("gradient check: the function returned a " + o.dtype()
                    + " output; it must compute in Float64 (cast its parameters and constants)");
        }
        return Tensor.randn(seed[0]++, DType.FLOAT64, o.shape());
    }

    private static double contract(Value out, Value sens) {
        if (out.isTuple()) {
            double s = 0;
            for (int i = 0; i < out.arity(); i++) {
                s += contract(out.get(i), sens.get(i));
            }
            return s;
        }
        Tensor o = out.tensor();
        Tensor r = sens.tensor();
        double s = 0;
        for (int i = 0; i < o.size(); i++) {
            s += o.getFlat(i) * r.getFlat(i);
        }
        return s;
    }
}
