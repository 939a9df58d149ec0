package io.sparkgrad.ops;

import io.sparkgrad.Autograd;
import io.sparkgrad.DType;
import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tape;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * MindSpore's {@code ops.GradOperation(get_all, get_by_list, sens_param)}: applied to a function
 * it returns the gradient function, as in {@code GradOperation()(net)(x)}.
 *
 * <ul>
 *   <li>neither flag: the gradient with respect to the first input (a Tensor);</li>
 *   <li>{@code getAll}: a tuple with the gradient of every input;</li>
 *   <li>{@code getByList}: a tuple with the gradient of every parameter of the
 *       {@link ParameterTuple}, in its order; zeros for a parameter the output does not use;</li>
 *   <li>both: {@code ((input grads...), (parameter grads...))};</li>
 *   <li>{@code sensParam}: the caller passes the output's cotangent ("sens") as one extra last
 *       argument, a tuple of the same structure for a tuple output, and gets no gradient for it.
 *       Otherwise sens is ones shaped like each output tensor.</li>
 * </ul>
 *
 * <p>Immutable and stateless: one instance may serve any number of threads. Each call runs its
 * own {@link Tape}. Gradient functions compose: a function that itself calls a GradOperation can
 * be differentiated again (higher-order derivatives, Hessian-vector products). A call made
 * inside another call's function on the same thread returns tracked results for the enclosing
 * call to differentiate; a top-level call returns plain (detached) tensors, so its results used
 * as data later act as constants.
 */
public final class GradOperation {
    private final boolean getAll;
    private final boolean getByList;
    private final boolean sensParam;

    /** {@code GradOperation()}: the gradient with respect to the first input. */
    public GradOperation() {
        this(false, false, false);
    }

    public GradOperation(boolean getAll, boolean getByList, boolean sensParam) {
        this.getAll = getAll;
        this.getByList = getByList;
        this.sensParam = sensParam;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a GradOperation with named flags. */
    public static final class Builder {
        private boolean getAll;
        private boolean getByList;
        private boolean sensParam;

        public Builder getAll(boolean v) {
            getAll = v;
            return this;
        }

        public Builder getByList(boolean v) {
            getByList = v;
            return this;
        }

        public Builder sensParam(boolean v) {
            sensParam = v;
            return this;
        }

        public GradOperation build() {
            return new GradOperation(getAll, getByList, sensParam);
        }
    }

    public boolean getAll() {
        return getAll;
    }

    public boolean getByList() {
        return getByList;
    }

    public boolean sensParam() {
        return sensParam;
    }

    /** The gradient function of {@code fn}; needs {@code getByList == false}. */
    public GradFunction apply(Fn fn) {
        if (getByList) {
            throw new IllegalArgumentException("GradOperation(getByList=true) needs a ParameterTuple: use apply(fn, params)");
        }
        return new GradFunction(fn, null);
    }

    /** The gradient function of {@code fn} with respect to {@code params} (and the inputs, if getAll). */
    public GradFunction apply(Fn fn, ParameterTuple params) {
        if (!getByList) {
            throw new IllegalArgumentException("a ParameterTuple was given but getByList is false");
        }
        return new GradFunction(fn, Objects.requireNonNull(params, "params"));
    }

    /** The output and the gradients of one call, from one forward pass. */
    public record ValueAndGrad(Value value, Value grads) {
    }

    /** The function {@code GradOperation(...)(fn[, params])}; immutable and thread-safe. */
    public final class GradFunction {
        private final Fn fn;
        private final ParameterTuple params;

        private GradFunction(Fn fn, ParameterTuple params) {
            this.fn = Objects.requireNonNull(fn, "fn");
            this.params = params;
        }

        /** Computes the gradients; with sensParam the last argument is the sens. */
        public Value call(Value... args) {
            return valueAndGrad(args).grads();
        }

        /** The gradient as a Tensor (for the single-input form). */
        public Tensor tensor(Value... args) {
            return call(args).tensor();
        }

        /** The function's output and its gradients, from one forward pass. */
        public ValueAndGrad valueAndGrad(Value... args) {
            int nIn = sensParam ? args.length - 1 : args.length;
            if (nIn < 0) {
                throw new IllegalArgumentException("GradOperation(sensParam=true): the sens must be passed as the last argument");
            }
            Tensor[] inputs = new Tensor[nIn];
            for (int i = 0; i < nIn; i++) {
                if (args[i] == null || args[i].isTuple()) {
                    throw new IllegalArgumentException("GradOperation: input " + i + " must be a Tensor, got "
                            + (args[i] == null ? "null" : "a tuple"));
                }
                inputs[i] = args[i].tensor();
            }
            boolean wantInputs = getAll || !getByList;
            if (wantInputs && nIn == 0) {
                throw new IllegalArgumentException("GradOperation: the function has no inputs to differentiate with respect to");
            }
            int watchCount = !wantInputs ? 0 : getAll ? nIn : 1;
            Tensor[] callArgs = inputs.clone();
            List<Tensor> targets = new ArrayList<>();
            for (int i = 0; i < watchCount; i++) {
                if (!inputs[i].dtype().isFloating()) {
                    throw new IllegalArgumentException("GradOperation: input " + i + " is " + inputs[i].dtype()
                            + " and cannot be differentiated");
                }
                callArgs[i] = Autograd.watch(inputs[i], Primitives.IDENTITY);
                targets.add(callArgs[i]);
            }
            if (params != null) {
                targets.addAll(params.asList());
            }
            Value out = fn.call(callArgs);
            if (out == null) {
                throw new IllegalStateException("GradOperation: the function returned null");
            }
            List<Tensor> outs = new ArrayList<>();
            flatten(out, outs);
            List<Tensor> sens = new ArrayList<>();
            if (sensParam) {
                Value s = args[args.length - 1];
                checkSensStructure(out, s, "");
                flatten(s, sens);
            } else {
                for (Tensor o : outs) {
                    sens.add(Tensor.onesLike(o));
                }
            }
            Value grads;
            try (Tape tape = new Tape(outs, sens, targets)) {
                List<Value> inputGrads = new ArrayList<>();
                for (int i = 0; i < watchCount; i++) {
                    inputGrads.add(tape.gradient(callArgs[i]));
                }
                List<Value> paramGrads = new ArrayList<>();
                if (params != null) {
                    for (Parameter p : params) {
                        paramGrads.add(tape.gradient(p));
                    }
                }
                if (getAll && getByList) {
                    grads = Tuple.of(Tuple.of(inputGrads), Tuple.of(paramGrads));
                } else if (getAll) {
                    grads = Tuple.of(inputGrads);
                } else if (getByList) {
                    grads = Tuple.of(paramGrads);
                } else {
                    grads = inputGrads.get(0);
                }
            }
            if (!insideAnotherGradientCall()) {
                // Top level: the results are plain values, as in MindSpore. Kept tracked, they would
                // pin the forward graph and, fed into a later call as data, be differentiated through
                // (a Parameter's leaf is shared by every call), giving that call wrong gradients.
                out = detachAll(out);
                grads = detachAll(grads);
            }
            return new ValueAndGrad(out, grads);
        }
    }

    /** Finds enclosing calls on this thread's stack; immutable, shared by all threads. */
    private static final StackWalker STACK = StackWalker.getInstance();

    /**
     * True when this gradient call runs inside the function of another one on the same thread
     * (a gradient of a gradient): its results must then stay in the graph so that the enclosing
     * call can differentiate through them. Found from the call stack, so no state is kept.
     */
    private static boolean insideAnotherGradientCall() {
        String cls = GradFunction.class.getName();
        return STACK.walk(frames -> frames
                .filter(f -> f.getMethodName().equals("valueAndGrad") && f.getClassName().equals(cls))
                .limit(2)
                .count()) > 1;
    }

    private static Value detachAll(Value v) {
        if (v.isTuple()) {
            List<Value> items = new ArrayList<>();
            for (Value e : (Tuple) v) {
                items.add(detachAll(e));
            }
            return Tuple.of(items);
        }
        return Autograd.detach(v.tensor());
    }

    private static void flatten(Value v, List<Tensor> out) {
        if (v.isTuple()) {
            for (Value e : (Tuple) v) {
                flatten(e, out);
            }
        } else {
            out.add(v.tensor());
        }
    }

    private static void checkSensStructure(Value out, Value sens, String path) {
        String where = path.isEmpty() ? "the output" : "output" + path;
        if (sens == null) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): the sens for " + where + " is null");
        }
        if (out.isTuple()) {
            if (!sens.isTuple() || sens.arity() != out.arity()) {
                throw new IllegalArgumentException("GradOperation(sensParam=true): " + where + " is a tuple of "
                        + out.arity() + ", the sens is " + (sens.isTuple() ? "a tuple of " + sens.arity() : "a Tensor"));
            }
            for (int i = 0; i < out.arity(); i++) {
                checkSensStructure(out.get(i), sens.get(i), path + "[" + i + "]");
            }
            return;
        }
        if (sens.isTuple()) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): " + where + " is a Tensor of shape "
                    + Arrays.toString(out.tensor().shape()) + ", the sens is a tuple");
        }
        Tensor o = out.tensor();
        Tensor s = sens.tensor();
        if (!Arrays.equals(o.shape(), s.shape())) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): sens of shape "
                    + Arrays.toString(s.shape()) + " does not match " + where + " of shape " + Arrays.toString(o.shape()));
        }
        if (s.dtype() != o.dtype() && o.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("GradOperation(sensParam=true): sens of dtype " + s.dtype()
                    + " does not match " + where + " of dtype " + o.dtype());
        }
    }
}
