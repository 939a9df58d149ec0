package io.sparkgrad.ops;

import io.sparkgrad.Parameter;
import io.sparkgrad.ParameterTuple;
import io.sparkgrad.Tensor;
import io.sparkgrad.Tuple;
import io.sparkgrad.Value;
import java.util.ArrayList;
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
 *   <li>{@code hasAux} (MindSpore's {@code value_and_grad(..., has_aux=True)}, JAX's
 *       {@code has_aux}): the function returns a tuple {@code (loss, aux...)} of at least two;
 *       only the loss (element 0) is differentiated, and the sens, if given, matches the loss
 *       alone. {@link GradFunction#valueAndGrad} returns the whole tuple as the value, the aux
 *       values unchanged (detached at top level like every result); {@link GradFunction#call}
 *       returns the gradients only.</li>
 * </ul>
 *
 * <p>Immutable and stateless: one instance may serve any number of threads. Each call opens its
 * own {@link GradScope} and runs one backward pass. Gradient functions compose: a function that
 * itself calls a GradOperation can be differentiated again (higher-order derivatives,
 * Hessian-vector products), on any thread. A call whose inputs or sens are tracked by an enclosing
 * call that is still running returns tracked results for it to differentiate; so does a call
 * built with {@code createGraph(true)}, which code nesting through parameters alone needs (see
 * {@link GradScope} for why). Any other call returns plain (detached) tensors, so its results
 * used as data later act as constants.
 */
public final class GradOperation {
    private final boolean getAll;
    private final boolean getByList;
    private final boolean sensParam;
    private final boolean createGraph;
    private final boolean hasAux;

    /** {@code GradOperation()}: the gradient with respect to the first input. */
    public GradOperation() {
        this(false, false, false);
    }

    public GradOperation(boolean getAll, boolean getByList, boolean sensParam) {
        this(getAll, getByList, sensParam, false, false);
    }

    private GradOperation(boolean getAll, boolean getByList, boolean sensParam, boolean createGraph, boolean hasAux) {
        this.getAll = getAll;
        this.getByList = getByList;
        this.sensParam = sensParam;
        this.createGraph = createGraph;
        this.hasAux = hasAux;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a GradOperation with named flags. */
    public static final class Builder {
        private boolean getAll;
        private boolean getByList;
        private boolean sensParam;
        private boolean createGraph;
        private boolean hasAux;

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

        /**
         * PyTorch's {@code create_graph}: keep this call's results in the graph even when no
         * enclosing call is visible in its data. Needed only when the enclosing call reaches this
         * one through parameters alone (see {@link GradScope}); nesting through inputs needs none.
         */
        public Builder createGraph(boolean v) {
            createGraph = v;
            return this;
        }

        /**
         * JAX's {@code has_aux}: the function returns {@code (loss, aux...)}, a tuple of at least
         * two; only element 0 is differentiated, the rest come back unchanged in the value.
         */
        public Builder hasAux(boolean v) {
            hasAux = v;
            return this;
        }

        public GradOperation build() {
            return new GradOperation(getAll, getByList, sensParam, createGraph, hasAux);
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

    public boolean createGraph() {
        return createGraph;
    }

    public boolean hasAux() {
        return hasAux;
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

    /**
     * The output and the gradients of one call, from one forward pass. With {@code hasAux} the
     * value is the whole tuple {@code (loss, aux...)}: {@code value.get(0)} is the loss the
     * gradients are of, {@code value.get(1)}... the aux values.
     */
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
            for (int i = 0; i < watchCount; i++) {
                if (!inputs[i].dtype().isFloating()) {
                    throw new IllegalArgumentException("GradOperation: input " + i + " is " + inputs[i].dtype()
                            + " and cannot be differentiated");
                }
            }
            try (GradScope scope = GradScope.open()) {
                Tensor[] callArgs = inputs.clone();
                List<Tensor> targets = new ArrayList<>();
                for (int i = 0; i < watchCount; i++) {
                    callArgs[i] = scope.watch(inputs[i]);
                    targets.add(callArgs[i]);
                }
                if (params != null) {
                    targets.addAll(params.asList());
                }
                Value out = fn.call(callArgs);
                if (out == null) {
                    throw new IllegalStateException("GradOperation: the function returned null");
                }
                if (hasAux && (!out.isTuple() || out.arity() < 2)) {
                    throw new IllegalArgumentException("GradOperation(hasAux=true): the function must return a tuple "
                            + "(loss, aux...) of at least 2, got " + (out.isTuple() ? "a tuple of " + out.arity() : "a Tensor"));
                }
                Value loss = hasAux ? out.get(0) : out;
                Cotangents c = Autodiff.backpropagate(scope, loss, sensParam ? args[args.length - 1] : null, targets);
                List<Value> inputGrads = new ArrayList<>();
                for (int i = 0; i < watchCount; i++) {
                    inputGrads.add(c.of(callArgs[i]));
                }
                List<Value> paramGrads = new ArrayList<>();
                if (params != null) {
                    for (Parameter p : params) {
                        paramGrads.add(c.of(p));
                    }
                }
                Value grads;
                if (getAll && getByList) {
                    grads = Tuple.of(Tuple.of(inputGrads), Tuple.of(paramGrads));
                } else if (getAll) {
                    grads = Tuple.of(inputGrads);
                } else if (getByList) {
                    grads = Tuple.of(paramGrads);
                } else {
                    grads = inputGrads.get(0);
                }
                boolean keep = createGraph || c.enclosedByLiveScope();
                if (!hasAux) {
                    return new ValueAndGrad(Autodiff.release(out, keep), Autodiff.release(grads, keep));
                }
                // The aux values were not swept: they stay tracked when their own graph reaches
                // an enclosing live level (an outer call differentiates through them), as in JAX.
                List<Value> items = new ArrayList<>();
                items.add(Autodiff.release(loss, keep));
                for (int i = 1; i < out.arity(); i++) {
                    Value aux = out.get(i);
                    items.add(Autodiff.release(aux, createGraph || Autodiff.reachesLiveScope(aux, scope)));
                }
                return new ValueAndGrad(Tuple.of(items), Autodiff.release(grads, keep));
            }
        }
    }
}
